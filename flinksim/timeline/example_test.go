package timeline_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

// Draw a small seeded run as a terminal timeline: two sources into a
// keyed count and a two-phase-commit sink, exactly-once checkpoints, and
// one failure of the count after 9 records.
func Example() {
	var rec timeline.Recorder
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(2),
		flinksim.WithSimulation(5, nil), flinksim.WithTracer(rec.Trace),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 4 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "count", Point: flinksim.FaultRecord, After: 9})))
	a := flinksim.Generate(env, "a", 6, func(i int64) (int, error) { return int(i % 2), nil })
	b := flinksim.Generate(env, "b", 6, func(i int64) (int, error) { return 10 + int(i%2), nil })
	counts := flinksim.Process(flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k }), "count", counter)
	out := flinksim.NewTransactionalCollector[keyCount]()
	flinksim.CollectTransactional(counts, "sink", out)
	if _, err := env.Execute(context.Background(), "example"); err != nil {
		fmt.Println(err)
		return
	}
	tl := timeline.New(rec.Events(), timeline.Options{Title: "example"})
	if err := tl.WriteText(os.Stdout, 50); err != nil {
		fmt.Println(err)
	}
	fmt.Println("committed:", len(out.Committed()))
	// Output:
	// example: 38ms, one column = 776µs
	//                     0s          10ms         20ms         30ms
	//                     +           +            +            +
	//   a (0)              .    S.~~~~|~~~~~~~~~~R.|           S
	//   b (0)               .      .    S~~~|~~~~R   |     S
	//   count -> sink (0)    . .    b====S   .C  X    ..  . b=|=S  C       x
	// checkpoints                        1       -              3
	//
	// . batch  b barrier  = blocked (alignment)  S snapshot  a ack  p pre-commit  C commit  x abort
	// X failure  R restore  ~ emitted before the failure and again after the restore  | end of input
	// 2 read after a barrier and before the snapshot, then replayed: counted twice
	// checkpoints row: N checkpoint N complete (last digit)  - aborted  ^ restart
	//
	//     12ms  checkpoint 1 completed (1780 bytes): every subtask acknowledged it; two-phase-commit sinks commit now
	//     16ms  count -> sink (0): sink committed transaction 1 of checkpoint 1 (the checkpoint completed): its records are visible now
	//     18ms  count -> sink (0) failed: operator "count" subtask 0: flinksim: injected fault: count subtask 0 at record after 9
	//     18ms  the job restarts: attempt 2
	//     18ms  checkpoint 2 aborted: job restarted
	//     18ms  a (0) restored from checkpoint 1: a at [2, 6); source a emits again the 4 records it had emitted after checkpoint 1 (it had emitted 6, 2 of them before the barrier)
	//     18ms  b (0) restored from checkpoint 1: b at [4, 6); source b emits again the 2 records it had emitted after checkpoint 1 (it had emitted 6, 4 of them before the barrier)
	//     18ms  count -> sink (0) restored from checkpoint 1: sink count
	//     18ms  count -> sink (0): sink committed transaction 1 of checkpoint 1 (the restore found it pre-committed): its records are visible now
	//     30ms  checkpoint 3 completed (1744 bytes): every subtask acknowledged it; two-phase-commit sinks commit now
	//     32ms  count -> sink (0): sink committed transaction 3 of checkpoint 3 (the checkpoint completed): its records are visible now
	// committed: 12
}
