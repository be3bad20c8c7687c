package flinksim_test

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// countsJob is the job of the savepoint examples: 1,000 numbers, keyed by
// their last digit, counted, into a transactional collector.
func countsJob(env *flinksim.Environment, out *flinksim.TransactionalCollector[int64]) {
	nums := flinksim.Generate(env, "numbers", 1000, func(i int64) (int64, error) { return i, nil })
	counts := flinksim.Process(flinksim.KeyBy(nums, func(n int64) int64 { return n % 10 }), "count",
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, int64], error) {
			c := flinksim.NewValueState[int64](rt, "c")
			return flinksim.ProcessFunc[int64, int64, int64](func(_ *flinksim.KeyedContext[int64], _ int64, out flinksim.Collector[int64]) error {
				v, _ := c.Value()
				c.Update(v + 1)
				out.Collect(v + 1)
				return nil
			}), nil
		})
	flinksim.CollectTransactional(counts, "sink", out)
}

// A job stopped half-way with a savepoint on disk, and a new job — at
// another parallelism, with nothing but the savepoint's path — that
// finishes the work: the committed output is that of one uninterrupted
// run.
func ExampleJobClient_StopWithSavepoint() {
	dir, err := os.MkdirTemp("", "savepoints")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	out := flinksim.NewTransactionalCollector[int64]() // outlives both jobs

	// WithSavepointAt stops the job at a fixed point (in a service, call
	// job.StopWithSavepoint(ctx, name, false) when it should stop).
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(1, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{SavepointDir: dir}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", After: 200, Name: "v1", Stop: true}))
	countsJob(env, out)
	res, err := env.Execute(context.Background(), "v1")
	if err != nil {
		fmt.Println(err)
		return
	}
	var path string
	for _, r := range res.Checkpoints.History {
		if r.Savepoint == "v1" {
			path = r.Ref
		}
	}
	fmt.Println("stopped; committed so far:", len(out.Committed()) < 1000)

	env = flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithRestoreFrom(path, false))
	countsJob(env, out)
	if _, err := env.Execute(context.Background(), "v2"); err != nil {
		fmt.Println(err)
		return
	}
	committed := out.Committed()
	slices.Sort(committed)
	fmt.Println("committed in all:", len(committed), "highest count:", committed[len(committed)-1])
	// Output:
	// stopped; committed so far: true
	// committed in all: 1000 highest count: 100
}

// A sink whose writers count what they wrote in operator list state,
// stopped with a savepoint at parallelism 3 and restored at 2: the split
// list's elements (the three counts) are dealt out over the two new
// writers, and still add up to every record written.
func ExampleNewOperatorListState() {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	restored := map[int][]int{} // what each writer of the second job found
	build := func(env *flinksim.Environment, p int) {
		nums := flinksim.Generate(env, "numbers", 90, func(i int64) (int, error) { return int(i), nil }, flinksim.Parallelism(1))
		flinksim.SinkTo(flinksim.Rebalance(nums), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			counts := flinksim.NewOperatorListState[int](rt, "written", flinksim.RedistributeSplit)
			restored[rt.Subtask()] = slices.Clone(counts.Get()) // the simulation opens one writer at a time
			mine := 0
			return flinksim.SinkWriterFunc[int](func(int) error {
				mine++
				counts.Update(append(restored[rt.Subtask()], mine))
				return nil
			}), nil
		}, flinksim.Parallelism(p))
	}
	env := flinksim.NewEnvironment(flinksim.WithSimulation(1, nil), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", After: 90, Name: "end", Stop: true}))
	build(env, 3)
	if _, err := env.Execute(context.Background(), "three writers"); err != nil {
		fmt.Println(err)
		return
	}
	clear(restored)
	env = flinksim.NewEnvironment(flinksim.WithSimulation(2, nil), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithRestoreFrom("savepoints/end", false))
	build(env, 2)
	if _, err := env.Execute(context.Background(), "two writers"); err != nil {
		fmt.Println(err)
		return
	}
	total := 0
	for sub := range 2 {
		for _, n := range restored[sub] {
			total += n
		}
		fmt.Printf("writer %d restored %d counts\n", sub, len(restored[sub]))
	}
	fmt.Println("records written by the first job:", total)
	// Output:
	// writer 0 restored 2 counts
	// writer 1 restored 1 counts
	// records written by the first job: 90
}
