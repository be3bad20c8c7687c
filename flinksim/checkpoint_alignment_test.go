package flinksim_test

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// The simulation's trace has one line per delivered event; channel events
// read "<step> <task> (<subtask>) <- in<k> <event>", barriers in
// EXACTLY_ONCE mode "... barrier <n> (blocks in<k>)".
var cpTraceLine = regexp.MustCompile(`^(\d+) (.+ \(\d+\)) <- in(\d+) (batch n=\d+|barrier (\d+)(?: \(blocks in(\d+)\))?|end-of-data|end-of-partition)$`)

// cpViolation is a batch delivered on an input that had delivered the
// barrier of the checkpoint its task was still aligning.
type cpViolation struct {
	line       string
	checkpoint int64
}

type cpAlignState struct {
	inputs      int
	aligning    int64
	delivered   map[int]bool
	closed      map[int]bool
	lastAligned int64
}

func (s *cpAlignState) maybeComplete() {
	if s.aligning == 0 {
		return
	}
	for i := range s.inputs {
		if !s.closed[i] && !s.delivered[i] {
			return
		}
	}
	s.lastAligned, s.aligning = s.aligning, 0
}

// cpTraceStats are what the alignment check saw in a trace.
type cpTraceStats struct {
	barriers, blocking, batches int
	violations                  []cpViolation
}

// cpCheckAlignment replays trace per task: once a task received barrier n
// on input k, it aligns n until every open input delivered it; a batch on
// input k meanwhile is a violation of alignment.
func cpCheckAlignment(t *testing.T, trace string) cpTraceStats {
	t.Helper()
	var lines []string
	inputs := make(map[string]int)
	sc := bufio.NewScanner(strings.NewReader(trace))
	for sc.Scan() {
		m := cpTraceLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		in, _ := strconv.Atoi(m[3])
		inputs[m[2]] = max(inputs[m[2]], in+1)
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	var st cpTraceStats
	tasks := make(map[string]*cpAlignState)
	for _, line := range lines {
		m := cpTraceLine.FindStringSubmatch(line)
		task := m[2]
		in, _ := strconv.Atoi(m[3])
		s := tasks[task]
		if s == nil {
			s = &cpAlignState{inputs: inputs[task], delivered: map[int]bool{}, closed: map[int]bool{}}
			tasks[task] = s
		}
		switch {
		case strings.HasPrefix(m[4], "batch"):
			st.batches++
			if s.aligning != 0 && s.delivered[in] {
				st.violations = append(st.violations, cpViolation{line: line, checkpoint: s.aligning})
			}
		case strings.HasPrefix(m[4], "barrier"):
			st.barriers++
			n, _ := strconv.ParseInt(m[5], 10, 64)
			if m[6] != "" {
				st.blocking++
				assert.Equal(t, m[3], m[6], "a barrier blocks the input it arrived on: %s", line)
			}
			switch {
			case n <= s.lastAligned:
				continue // stale
			case n > s.aligning:
				s.aligning, s.delivered = n, map[int]bool{}
			}
			s.delivered[in] = true
			s.maybeComplete()
		case m[4] == "end-of-partition":
			s.closed[in] = true
			s.maybeComplete()
		}
	}
	return st
}

// runTwoInputTrace runs two sources unioned into one operator of
// parallelism 1 on the simulation and returns its trace.
func runTwoInputTrace(t *testing.T, seed uint64, mode flinksim.CheckpointingMode) string {
	var trace bytes.Buffer
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(2),
		flinksim.WithSimulation(seed, &trace),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond, Mode: mode}))
	a := flinksim.Generate(env, "a", 100, func(i int64) (int, error) { return int(i), nil })
	b := flinksim.Generate(env, "b", 100, func(i int64) (int, error) { return 1000 + int(i), nil })
	out := flinksim.Collect(flinksim.Map(flinksim.Union(a, b), "merge", identity[int]), "out")
	res, err := env.Execute(t.Context(), "two-inputs")
	require.NoError(t, err)
	require.Len(t, out.Values(), 200)
	require.Positive(t, res.Checkpoints.NumberOfCompletedCheckpoints)
	return trace.String()
}

// TestAlignmentBlocksInputs: in EXACTLY_ONCE mode, after "barrier n (blocks
// ink)" the task takes no batch from input k until barrier n arrived on its
// other input.
func TestAlignmentBlocksInputs(t *testing.T) {
	for seed := range uint64(10) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			trace := runTwoInputTrace(t, seed, flinksim.ExactlyOnce)
			st := cpCheckAlignment(t, trace)
			require.Positive(t, st.blocking, "no blocking barrier in the trace")
			assert.Equal(t, st.barriers, st.blocking, "every EXACTLY_ONCE barrier blocks its input")
			for _, v := range st.violations {
				t.Errorf("batch on an input blocked for checkpoint %d: %s", v.checkpoint, v.line)
			}
		})
	}
}

// TestAlignmentAtLeastOnceDoesNotBlock: in AT_LEAST_ONCE mode barriers block
// nothing, and for some seed a batch does overtake the alignment (bounded
// search), which is what the exactly-once test above rules out.
func TestAlignmentAtLeastOnceDoesNotBlock(t *testing.T) {
	for seed := range uint64(50) {
		trace := runTwoInputTrace(t, seed, flinksim.AtLeastOnce)
		st := cpCheckAlignment(t, trace)
		require.Positive(t, st.barriers)
		require.Zero(t, st.blocking, "AT_LEAST_ONCE barriers must not block")
		if len(st.violations) > 0 {
			t.Logf("seed %d: %d batches taken from inputs past their barrier, e.g. %q (checkpoint %d)",
				seed, len(st.violations), st.violations[0].line, st.violations[0].checkpoint)
			return
		}
	}
	t.Fatal("no seed in [0, 50) let a batch pass a barrier in AT_LEAST_ONCE mode")
}
