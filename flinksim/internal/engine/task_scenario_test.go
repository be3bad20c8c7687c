package engine

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/task/*.txt")

// TestTaskScenarios drives one task by Ready and Do alone — no executor,
// no goroutine — through the scripts in testdata/task: alignment, abort,
// late barriers, end of input, failure. Each command's output is what the
// task reported (its trace events, acknowledgements, what it offered to
// run); regenerate with
//
//	go test ./flinksim/internal/engine -run TestTaskScenarios -rewrite
//
// A script is blocks of "command\n----\noutput\n" separated by blank
// lines; lines starting with # are comments. Commands:
//
//	task mode=exactly-once|at-least-once inputs=N   a task with N inputs and one output
//	push in=K batch=N | barrier=ID | end-of-data | end-of-partition
//	control trigger=ID | complete=ID | abort=ID | finish
//	ready                 what the task offers to run
//	step                  take the first offered step
//	run                   take steps until none is offered
//	output                the events queued on the task's output channel
//	fail-snapshot         the operator's next snapshot fails
//
// Mutants (each made once, each failed a scenario): snapshot after the
// blocked inputs were released (alignment.txt shows the unblock before the
// snapshot); abort not releasing the alignment (abort.txt stays blocked);
// a barrier older than the aligning one counted (late-barrier.txt acks
// checkpoint 2 early); end of partition not completing an alignment
// (end-of-input.txt never acks).
func TestTaskScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "task", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScenario(t, f) })
	}
}

type scenarioBlock struct {
	comments []string
	cmd      string
	want     string
}

func parseScenario(t *testing.T, path string) []scenarioBlock {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var blocks []scenarioBlock
	var cur scenarioBlock
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	inOutput := false
	var out []string
	flushBlock := func() {
		if cur.cmd != "" {
			cur.want = strings.Join(out, "\n")
			blocks = append(blocks, cur)
		}
		cur, out, inOutput = scenarioBlock{}, nil, false
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inOutput && line == "":
			flushBlock()
		case inOutput:
			out = append(out, line)
		case line == "----":
			inOutput = true
		case line == "" && cur.cmd == "":
		case strings.HasPrefix(line, "#"):
			cur.comments = append(cur.comments, line)
		default:
			cur.cmd = line
		}
	}
	flushBlock()
	return blocks
}

func runScenario(t *testing.T, path string) {
	blocks := parseScenario(t, path)
	h := &scenarioHarness{t: t}
	var rewritten strings.Builder
	for _, b := range blocks {
		got := strings.TrimRight(h.do(b.cmd), "\n")
		for _, c := range b.comments {
			rewritten.WriteString(c + "\n")
		}
		fmt.Fprintf(&rewritten, "%s\n----\n", b.cmd)
		if got != "" {
			rewritten.WriteString(got + "\n")
		}
		rewritten.WriteString("\n")
		if !*rewrite && got != b.want {
			t.Errorf("%s: %s\n got:\n%s\nwant:\n%s", path, b.cmd, got, b.want)
		}
	}
	if *rewrite {
		require.NoError(t, os.WriteFile(path, []byte(rewritten.String()), 0o644))
	}
}

// scenarioOp counts the records it is handed, forwards them, and keeps the
// count as its state.
type scenarioOp struct {
	out          Collector[int]
	count        int
	failSnapshot bool
}

func (o *scenarioOp) ProcessBatch(b any, from, to int) {
	for _, v := range b.(*Batch[int]).Values[from:to] {
		o.count++
		o.out.Collect(v)
	}
}
func (o *scenarioOp) EndInput()    {}
func (o *scenarioOp) Close() error { return nil }
func (o *scenarioOp) SnapshotState(int64) (OperatorState, error) {
	if o.failSnapshot {
		return OperatorState{}, errors.New("snapshot failed")
	}
	return OperatorState{Lists: []NamedList{{Name: "count", Entries: [][]byte{[]byte(strconv.Itoa(o.count))}}}}, nil
}
func (o *scenarioOp) NotifyCheckpointComplete(int64) error { return nil }
func (o *scenarioOp) NotifyCheckpointAborted(int64)        {}

type scenarioHarness struct {
	t      *testing.T
	task   *Task
	out    *Task // the consumer of the task's output
	op     *scenarioOp
	events []string
	next   int // the next record value pushed
}

func (h *scenarioHarness) Ack(t *Task, id int64, states []OperatorState, _ SubtaskCheckpointStats) {
	h.events = append(h.events, fmt.Sprintf("coordinator <- ack %d state=%s", id, states[0].Lists[0].Entries[0]))
}

func (h *scenarioHarness) DataEnded(*Task) { h.events = append(h.events, "coordinator <- data ended") }

func (h *scenarioHarness) trace(ev TraceEvent) {
	s := ev.Kind.String()
	if ev.Input >= 0 {
		s += fmt.Sprintf(" in%d", ev.Input)
	}
	if ev.Checkpoint != 0 {
		s += fmt.Sprintf(" cp=%d", ev.Checkpoint)
	}
	if ev.Records != 0 {
		s += fmt.Sprintf(" n=%d", ev.Records)
	}
	if ev.Detail != "" {
		s += " " + ev.Detail
	}
	if ev.Task == "op" { // events of the consumer are not the task's
		h.events = append(h.events, s)
	}
}

func scenarioArgs(fields []string) map[string]string {
	args := map[string]string{}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		args[k] = v
	}
	return args
}

func (h *scenarioHarness) do(cmd string) string {
	h.events = nil
	fields := strings.Fields(cmd)
	args := scenarioArgs(fields[1:])
	num := func(k string) int64 {
		n, err := strconv.ParseInt(args[k], 10, 64)
		require.NoError(h.t, err, "%s: %s", cmd, k)
		return n
	}
	switch fields[0] {
	case "task":
		h.build(args["mode"], int(num("inputs")))
	case "push":
		i := int(num("in"))
		var ev Event
		switch {
		case args["batch"] != "":
			n := int(num("batch"))
			batch := &Batch[int]{}
			for range n {
				batch.add(h.next, NoTimestamp)
				h.next++
			}
			ev = Event{Kind: EventBatch, Batch: batch, Records: n}
		case args["barrier"] != "":
			ev = Event{Kind: EventBarrier, Checkpoint: num("barrier")}
		case fields[2] == "end-of-data":
			ev = Event{Kind: EventEndOfData}
		case fields[2] == "end-of-partition":
			ev = Event{Kind: EventEndOfPartition}
		}
		ev.Input = i
		h.task.gate.push(i, ev)
	case "control":
		var ev Event
		switch {
		case args["trigger"] != "":
			ev = Event{Kind: EventTrigger, Checkpoint: num("trigger")}
		case args["complete"] != "":
			ev = Event{Kind: EventComplete, Checkpoint: num("complete")}
		case args["abort"] != "":
			ev = Event{Kind: EventAbort, Checkpoint: num("abort")}
		case fields[1] == "finish":
			ev = Event{Kind: EventFinish}
		}
		h.task.Deliver(ev)
	case "ready":
		works, _ := h.task.Ready(nil, nil)
		for _, w := range works {
			switch w.Kind {
			case WorkControl:
				h.events = append(h.events, "control")
			case WorkPoll:
				h.events = append(h.events, "poll")
			case WorkInput:
				h.events = append(h.events, fmt.Sprintf("in%d (%d queued)", w.Input, h.task.gate.Pending(w.Input)))
			}
		}
		if len(works) == 0 {
			h.events = append(h.events, "nothing")
		}
	case "step":
		h.step()
	case "run":
		for h.step() {
		}
	case "output":
		g := h.out.gate
		for g.Pending(0) > 0 {
			ev, _ := g.pop(0)
			switch ev.Kind {
			case EventBatch:
				h.events = append(h.events, fmt.Sprintf("batch %v", ev.Batch.(*Batch[int]).Values))
			case EventBarrier:
				h.events = append(h.events, fmt.Sprintf("barrier %d", ev.Checkpoint))
			default:
				h.events = append(h.events, ev.Kind.String())
			}
		}
	case "fail-snapshot":
		h.op.failSnapshot = true
	default:
		h.t.Fatalf("unknown command %q", cmd)
	}
	return strings.Join(h.events, "\n")
}

// step takes the first step the task offers; it reports whether there was one.
func (h *scenarioHarness) step() bool {
	w, ok := h.task.Next()
	if !ok {
		return false
	}
	done, err := h.task.Do(w)
	switch {
	case err != nil:
		h.events = append(h.events, "error: "+err.Error())
		return false
	case done:
		h.events = append(h.events, "done")
		return false
	}
	return true
}

// build makes a graph of inputs sources feeding the task's operator "op"
// (by rebalance, so it is not chained), which feeds a sink, and initialises
// op's task alone.
func (h *scenarioHarness) build(mode string, inputs int) {
	g := &Graph{}
	var edges []*Edge
	for i := range inputs {
		src := g.Add(&Vertex{Name: fmt.Sprintf("src%d", i), IsSource: true, Parallelism: 1, MaxParallelism: 128})
		edges = append(edges, &Edge{From: src, Strategy: StrategyRebalance, NewWriter: WriterOf[int]()})
	}
	h.op = &scenarioOp{}
	op := g.Add(&Vertex{Name: "op", Parallelism: 1, MaxParallelism: 128, Inputs: edges, Fanout: FanoutOf[int](),
		New: func(_ *OperatorContext, out any) (Operator, error) {
			h.op.out = out.(Collector[int])
			return h.op, nil
		}})
	for _, e := range edges {
		e.To = op
	}
	sink := g.Add(&Vertex{Name: "sink", IsSink: true, Parallelism: 1, MaxParallelism: 128})
	sink.Inputs = []*Edge{{From: op, To: sink, Strategy: StrategyRebalance, NewWriter: WriterOf[int]()}}
	cfg := Config{BatchSize: 4, Logger: zap.NewNop(), Clock: NewVirtualClock(time.Unix(0, 0)), Mode: ExactlyOnce}
	if mode == "at-least-once" {
		cfg.Mode = AtLeastOnce
	}
	cfg.tracer = newTracer(h.trace, cfg.Clock)
	eg, err := Expand(g, cfg)
	require.NoError(h.t, err)
	h.task, h.out = eg.Tasks[inputs], eg.Tasks[inputs+1]
	require.NoError(h.t, h.task.Init(h))
	h.events = append(h.events, fmt.Sprintf("%s: %d inputs, mode %s", h.task, inputs, cfg.Mode))
}
