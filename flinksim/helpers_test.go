package flinksim_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/flinksim"
)

var (
	rewrite   = flag.Bool("rewrite", false, "rewrite the golden files in testdata/ instead of comparing with them")
	propSeeds = flag.Int("flinksim.seeds", 100, "number of seeds the property test runs")
	propSeed  = flag.Int64("flinksim.seed", -1, "run the property test for this one seed (replay)")
)

// TestMain fails the package if any goroutine outlives the tests: every job
// must stop all its goroutines before Execute or Wait returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// kv is the keyed record of most tests.
type kv struct {
	K string
	V int
}

func kvKey(r kv) string { return r.K }

// executor is one way of running a job.
type executor struct {
	name string
	opts []flinksim.Option
}

// executors returns the concurrent executor and the simulation, the latter
// seeded from the test's name so that every test explores its own
// interleaving, identically on every run.
func executors(t *testing.T) []executor {
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	return []executor{
		{name: "concurrent"},
		{name: "sim", opts: []flinksim.Option{flinksim.WithSimulation(h.Sum64(), nil)}},
	}
}

// newEnv returns an environment with opts and the executor's options.
func (ex executor) newEnv(opts ...flinksim.Option) *flinksim.Environment {
	return flinksim.NewEnvironment(append(slices.Clone(opts), ex.opts...)...)
}

// forEachExecutor runs f as a subtest per executor.
func forEachExecutor(t *testing.T, f func(t *testing.T, ex executor)) {
	t.Helper()
	for _, ex := range executors(t) {
		t.Run(ex.name, func(t *testing.T) { f(t, ex) })
	}
}

// runCollect builds a job with build on both executors, runs it to the end
// and calls check (if not nil) with each run's sink; then it demands that
// both runs gave the same multiset of records.
func runCollect[T comparable](t *testing.T, opts []flinksim.Option,
	build func(env *flinksim.Environment) *flinksim.CollectSink[T],
	check func(t *testing.T, out *flinksim.CollectSink[T])) {
	t.Helper()
	var results [][]T
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(opts...)
		out := build(env)
		_, err := env.Execute(t.Context(), t.Name())
		require.NoError(t, err)
		if check != nil {
			check(t, out)
		}
		results = append(results, out.Values())
	})
	if len(results) == 2 {
		assertSameMultiset(t, results[0], results[1], "concurrent vs simulation")
	}
}

// startJob starts env's job and registers a cleanup that waits for it, so
// that a failing test never leaks the job's goroutines.
func startJob(t *testing.T, env *flinksim.Environment) *flinksim.JobClient {
	t.Helper()
	job, err := env.Start(t.Context(), t.Name())
	require.NoError(t, err)
	t.Cleanup(func() {
		job.Cancel()
		<-job.Done()
	})
	return job
}

// assertSameMultiset reports the records whose counts differ.
func assertSameMultiset[T comparable](t *testing.T, want, got []T, msgAndArgs ...any) bool {
	t.Helper()
	w, g := counts(want), counts(got)
	var diffs []string
	for v, n := range w {
		if g[v] != n {
			diffs = append(diffs, fmt.Sprintf("%v: want %d, got %d", v, n, g[v]))
		}
	}
	for v, n := range g {
		if _, ok := w[v]; !ok {
			diffs = append(diffs, fmt.Sprintf("%v: want 0, got %d", v, n))
		}
	}
	if len(diffs) == 0 {
		return true
	}
	sort.Strings(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("... and %d more", len(diffs)-10))
	}
	return assert.Fail(t, fmt.Sprintf("multisets differ (%d vs %d records):\n%v", len(want), len(got), diffs), msgAndArgs...)
}

func counts[T comparable](vs []T) map[T]int {
	m := make(map[T]int, len(vs))
	for _, v := range vs {
		m[v]++
	}
	return m
}

// byKey groups records by key, keeping their order.
func byKey(rs []kv) map[string][]int {
	m := make(map[string][]int)
	for _, r := range rs {
		m[r.K] = append(m[r.K], r.V)
	}
	return m
}

// seq returns [from, to).
func seq(from, to int) []int {
	out := make([]int, 0, max(to-from, 0))
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// mapSlice applies f to every element.
func mapSlice[A, B any](in []A, f func(A) B) []B {
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// taskNames returns the distinct task names of a job, in Subtasks order,
// with the number of subtasks of each.
func taskNames(job *flinksim.JobClient) (names []string, parallelism map[string]int) {
	parallelism = make(map[string]int)
	for _, s := range job.Subtasks() {
		if parallelism[s.Task] == 0 {
			names = append(names, s.Task)
		}
		parallelism[s.Task]++
	}
	return names, parallelism
}

// statusCounts counts subtasks per status.
func statusCounts(job *flinksim.JobClient) map[flinksim.SubtaskStatus]int {
	m := make(map[flinksim.SubtaskStatus]int)
	for _, s := range job.Subtasks() {
		m[s.Status]++
	}
	return m
}

// identity is a Map function.
func identity[T any](v T) (T, error) { return v, nil }

// parallelSlice is a parallel source of items: with parallelism p,
// subtask i emits the i-th of p contiguous parts, in order. (FromSlice is
// non-parallel, as Flink's fromCollection.)
func parallelSlice[T any](env *flinksim.Environment, name string, items []T, opts ...flinksim.OperatorOption) flinksim.Stream[T] {
	return flinksim.Generate(env, name, int64(len(items)), func(i int64) (T, error) { return items[i], nil }, opts...)
}
