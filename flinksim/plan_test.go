package flinksim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestPlanDescribesTasksAndEdges: a job with a chain, a keyed edge, a
// rebalance and a broadcast has one PlanTask per chain, with its
// operators head first, its parallelism and the edges into it with their
// partitioning; the edge inside the chain is not listed.
//
// Mutants this catches: chained edges listed as inputs (the chain gets a
// FORWARD input from itself); the parallelism of the environment instead
// of the operator's (sink: 1, not 2); strategies left DEFAULT.
func TestPlanDescribesTasksAndEdges(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	lines := flinksim.FromSlice(env, "lines", []string{"a b"})
	words := flinksim.FlatMap(lines, "split", func(l string, out flinksim.Collector[string]) error { out.Collect(l); return nil }, flinksim.Parallelism(1))
	counted := flinksim.Reduce(flinksim.KeyBy(words, func(w string) string { return w }), "count",
		func(a, b string) (string, error) { return a + b, nil }, flinksim.UID("count-v1"))
	spread := flinksim.Map(flinksim.Broadcast(counted), "copy", func(s string) (string, error) { return s, nil })
	flinksim.Sink(flinksim.Rebalance(spread), "out", func(string) error { return nil }, flinksim.Parallelism(1))
	job := startJob(t, env)
	want := flinksim.Plan{Tasks: []flinksim.PlanTask{
		{Name: "lines -> split", Operators: []flinksim.PlanOperator{{Name: "lines", UID: "lines"}, {Name: "split", UID: "split"}},
			Parallelism: 1, MaxParallelism: 128},
		{Name: "count", Operators: []flinksim.PlanOperator{{Name: "count", UID: "count-v1"}}, Parallelism: 2, MaxParallelism: 128,
			Inputs: []flinksim.PlanEdge{{From: "lines -> split", Strategy: "HASH"}}},
		{Name: "copy", Operators: []flinksim.PlanOperator{{Name: "copy", UID: "copy"}}, Parallelism: 2, MaxParallelism: 128,
			Inputs: []flinksim.PlanEdge{{From: "count", Strategy: "BROADCAST"}}},
		{Name: "out", Operators: []flinksim.PlanOperator{{Name: "out", UID: "out"}}, Parallelism: 1, MaxParallelism: 128,
			Inputs: []flinksim.PlanEdge{{From: "copy", Strategy: "REBALANCE"}}},
	}}
	assert.Equal(t, want, job.Plan())
}
