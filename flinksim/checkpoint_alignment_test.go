package flinksim_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// traceLog gathers a job's trace events; safe for the job's goroutines.
type traceLog struct {
	mu     sync.Mutex
	events []flinksim.TraceEvent
}

func (l *traceLog) add(ev flinksim.TraceEvent) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
}

func (l *traceLog) all() []flinksim.TraceEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]flinksim.TraceEvent(nil), l.events...)
}

// cpViolation is a batch delivered on an input that had delivered the
// barrier of the checkpoint its task was still aligning.
type cpViolation struct {
	event      flinksim.TraceEvent
	checkpoint int64
}

type cpAlignState struct {
	inputs      int
	aligning    int64
	delivered   map[int]bool
	closed      map[int]bool
	blocked     map[int]bool // as the task's own events say
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
	barriers, blocked, batches int
	// waited counts releases of an input that still had events queued:
	// the alignment really held data back.
	waited int
	// violations are batches taken from an input past its barrier while
	// the task aligned (by the protocol, replayed from barrier arrivals);
	// readWhileBlocked are batches taken from an input the task itself
	// said was blocked.
	violations, readWhileBlocked []cpViolation
}

// cpCheckAlignment replays the trace per task: once a task received
// barrier n on input k, it aligns n until every open input delivered it; a
// batch on input k meanwhile is a violation of alignment. Independently, a
// batch on an input between the task's blocked and unblocked events is a
// read of a blocked input.
func cpCheckAlignment(t *testing.T, events []flinksim.TraceEvent) cpTraceStats {
	t.Helper()
	inputs := make(map[int]int)
	for _, ev := range events {
		if ev.Task != "" && ev.Input >= 0 && ev.Kind != flinksim.TraceBatchOut {
			inputs[ev.TaskID] = max(inputs[ev.TaskID], ev.Input+1)
		}
	}
	var st cpTraceStats
	tasks := make(map[int]*cpAlignState)
	for _, ev := range events {
		if ev.Task == "" || ev.Kind == flinksim.TraceBatchOut {
			continue
		}
		if ev.Kind == flinksim.TraceAttempt {
			clear(tasks)
		}
		s := tasks[ev.TaskID]
		if s == nil {
			s = &cpAlignState{inputs: inputs[ev.TaskID], delivered: map[int]bool{}, closed: map[int]bool{}, blocked: map[int]bool{}}
			tasks[ev.TaskID] = s
		}
		in := ev.Input
		switch ev.Kind {
		case flinksim.TraceBatchIn:
			st.batches++
			if s.aligning != 0 && s.delivered[in] {
				st.violations = append(st.violations, cpViolation{event: ev, checkpoint: s.aligning})
			}
			if s.blocked[in] {
				st.readWhileBlocked = append(st.readWhileBlocked, cpViolation{event: ev, checkpoint: ev.Checkpoint})
			}
		case flinksim.TraceBarrier:
			st.barriers++
			switch n := ev.Checkpoint; {
			case n <= s.lastAligned:
				continue // stale
			case n > s.aligning:
				s.aligning, s.delivered = n, map[int]bool{}
			}
			s.delivered[in] = true
			s.maybeComplete()
		case flinksim.TraceBlocked:
			st.blocked++
			s.blocked[in] = true
		case flinksim.TraceUnblocked:
			s.blocked[in] = false
			if ev.Records > 0 {
				st.waited++
			}
		case flinksim.TraceEndOfPartition:
			s.closed[in] = true
			s.maybeComplete()
		}
	}
	return st
}

// runTwoInputTrace runs two sources unioned into one operator of
// parallelism 1 on the simulation and returns its trace events.
func runTwoInputTrace(t *testing.T, seed uint64, mode flinksim.CheckpointingMode) []flinksim.TraceEvent {
	var log traceLog
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(2),
		flinksim.WithSimulation(seed, nil), flinksim.WithTracer(log.add),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond, Mode: mode}))
	a := flinksim.Generate(env, "a", 100, func(i int64) (int, error) { return int(i), nil })
	b := flinksim.Generate(env, "b", 100, func(i int64) (int, error) { return 1000 + int(i), nil })
	out := flinksim.Collect(flinksim.Map(flinksim.Union(a, b), "merge", identity[int]), "out")
	res, err := env.Execute(t.Context(), "two-inputs")
	require.NoError(t, err)
	require.Len(t, out.Values(), 200)
	require.Positive(t, res.Checkpoints.NumberOfCompletedCheckpoints)
	return log.all()
}

// TestAlignmentBlocksInputs: in EXACTLY_ONCE mode, after barrier n on input
// k the task takes no batch from k until barrier n arrived on its other
// input, and the task's own blocked/unblocked events say so. The check is
// on the task's events, not on the mode.
//
// Mutants this test kills (each made once, each failed it):
//   - not blocking the input in exactly-once mode (barrier() skips
//     gate.block): violations, and no blocked events;
//   - the gate reading blocked inputs (next/appendReadable ignore
//     blocked): violations and readWhileBlocked;
//   - releasing the alignment before the last barrier (arrived counted
//     twice): violations.
func TestAlignmentBlocksInputs(t *testing.T) {
	waited := 0
	for seed := range uint64(10) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			st := cpCheckAlignment(t, runTwoInputTrace(t, seed, flinksim.ExactlyOnce))
			require.Positive(t, st.blocked, "no input was blocked")
			require.Positive(t, st.barriers)
			for _, v := range st.violations {
				t.Errorf("batch on an input past barrier %d: %s", v.checkpoint, v.event)
			}
			for _, v := range st.readWhileBlocked {
				t.Errorf("batch read from a blocked input: %s", v.event)
			}
			waited += st.waited
		})
	}
	assert.Positive(t, waited, "no alignment held queued data back in any seed")
}

// TestAlignmentAtLeastOnceDoesNotBlock: in AT_LEAST_ONCE mode no input is
// ever blocked, and for some seed a batch does overtake the alignment
// (bounded search), which is what the exactly-once test above rules out.
func TestAlignmentAtLeastOnceDoesNotBlock(t *testing.T) {
	for seed := range uint64(50) {
		st := cpCheckAlignment(t, runTwoInputTrace(t, seed, flinksim.AtLeastOnce))
		require.Positive(t, st.barriers)
		require.Zero(t, st.blocked, "AT_LEAST_ONCE must not block inputs")
		if len(st.violations) > 0 {
			t.Logf("seed %d: %d batches taken from inputs past their barrier, e.g. %q (checkpoint %d)",
				seed, len(st.violations), st.violations[0].event, st.violations[0].checkpoint)
			return
		}
	}
	t.Fatal("no seed in [0, 50) let a batch pass a barrier in AT_LEAST_ONCE mode")
}
