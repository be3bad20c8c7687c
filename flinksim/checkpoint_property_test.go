package flinksim_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

var (
	eoSeeds = flag.Int("flinksim.eo-seeds", 200,
		"seeds of TestExactlyOnceProperty and TestAtLeastOnceProperty (10000 for a long run)")
	eoConcurrentSeeds = flag.Int("flinksim.eo-concurrent-seeds", 20,
		"seeds of TestExactlyOncePropertyConcurrent")
)

// eoRec is a record of the random jobs: record I of source Src, with Key.
type eoRec struct {
	Src int
	I   int64
	Key int
}

// eoOut is what the keyed operator emits: the running count of (Key, Sub).
// The multiset of a key's running counts does not depend on the order its
// records arrive in, so every failure-free run has the same output.
type eoOut struct {
	Key, Sub int
	N        int64
}

type eoSource struct {
	name  string
	par   int
	count int64
}

// eoJob is a random job: one or two sources (unioned), an optional
// stateless "mid" operator behind a forward, rebalance or broadcast edge, a
// keyed operator counting in ValueState, MapState or with Reduce, and a
// transactional sink behind a forward or rebalance edge.
type eoJob struct {
	seed     uint64
	sources  []eoSource
	keys     int
	mid      string // "", "forward", "rebalance", "broadcast"
	midPar   int
	kind     int // 0 ValueState, 1 MapState, 2 Reduce
	keyedPar int
	sinkEdge string // "forward", "rebalance"
	sinkPar  int
	batch    int
	interval time.Duration
	faults   []flinksim.Fault
}

var eoKinds = [...]string{"value", "map", "reduce"}

func (j eoJob) String() string {
	var b strings.Builder
	for i, s := range j.sources {
		if i > 0 {
			b.WriteString(" + ")
		}
		fmt.Fprintf(&b, "%s(p%d, %d)", s.name, s.par, s.count)
	}
	if j.mid != "" {
		fmt.Fprintf(&b, " -%s-> mid(p%d)", j.mid, j.midPar)
	}
	fmt.Fprintf(&b, " -hash-> keyed[%s](p%d, %d keys) -%s-> sink(p%d); batch %d, interval %v; faults %v",
		eoKinds[j.kind], j.keyedPar, j.keys, j.sinkEdge, j.sinkPar, j.batch, j.interval, j.faults)
	return b.String()
}

// eoKey spreads the records of a source over the keys.
func (j eoJob) key(src int, i int64) int {
	h := uint64(i)*0x9e3779b97f4a7c15 + uint64(src)*0xbf58476d1ce4e5b9
	h ^= h >> 31
	return int(h % uint64(j.keys))
}

// genEOJob draws the job of seed.
func genEOJob(seed uint64) eoJob {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	j := eoJob{seed: seed, keys: 1 + r.IntN(12), kind: r.IntN(3), keyedPar: 1 + r.IntN(4),
		batch: 1 + r.IntN(16), interval: time.Duration(2+r.IntN(6)) * time.Millisecond}
	for i := range 1 + r.IntN(2) {
		j.sources = append(j.sources, eoSource{name: fmt.Sprintf("src%d", i), par: 1 + r.IntN(4), count: 40 + r.Int64N(200)})
	}
	switch r.IntN(4) {
	case 1:
		j.mid, j.midPar = "forward", j.sources[0].par
		for _, s := range j.sources {
			if s.par != j.midPar {
				j.mid, j.midPar = "rebalance", 1+r.IntN(4)
			}
		}
	case 2:
		j.mid, j.midPar = "rebalance", 1+r.IntN(4)
	case 3:
		j.mid, j.midPar = "broadcast", 1+r.IntN(3)
	}
	if r.IntN(2) == 0 {
		j.sinkEdge, j.sinkPar = "forward", j.keyedPar
	} else {
		j.sinkEdge, j.sinkPar = "rebalance", 1+r.IntN(4)
	}
	// The operators faults may hit, with their parallelism and about how
	// many records each subtask handles.
	type target struct {
		name    string
		par     int
		records int64
	}
	var total int64
	var targets []target
	for _, s := range j.sources {
		total += s.count
		targets = append(targets, target{s.name, s.par, s.count / int64(s.par)})
	}
	if j.mid == "broadcast" {
		total *= int64(j.midPar)
	}
	if j.mid != "" {
		targets = append(targets, target{"mid", j.midPar, total / int64(j.midPar)})
	}
	if j.kind == 2 {
		targets = append(targets, target{"ones", j.midParOr(), total})
	}
	targets = append(targets, target{"keyed", j.keyedPar, total / int64(j.keyedPar)},
		target{"sink", j.sinkPar, total / int64(j.sinkPar)})
	for range 1 + r.IntN(3) {
		tg := targets[r.IntN(len(targets))]
		f := flinksim.Fault{Operator: tg.name, Subtask: r.IntN(tg.par), Point: flinksim.FaultPoint(1 + r.IntN(4))}
		switch f.Point {
		case flinksim.FaultRecord:
			f.After = 1 + r.Int64N(max(tg.records/2, 1))
		case flinksim.FaultSnapshot, flinksim.FaultCommit:
			f.After = 1 + r.Int64N(3)
		}
		j.faults = append(j.faults, f)
	}
	return j
}

// midParOr is the parallelism of the "ones" operator of Reduce jobs: that of
// its input when it has one input, so it may be chained.
func (j eoJob) midParOr() int {
	if j.mid != "" {
		return j.midPar
	}
	if len(j.sources) == 1 {
		return j.sources[0].par
	}
	return j.keyedPar
}

// scaled returns the job with f times more records and the record faults
// f times later, for the concurrent executor, which takes real time
// between checkpoints.
func (j eoJob) scaled(f int64) eoJob {
	j.sources = slices.Clone(j.sources)
	for i := range j.sources {
		j.sources[i].count *= f
	}
	j.faults = slices.Clone(j.faults)
	for i := range j.faults {
		if j.faults[i].Point == flinksim.FaultRecord {
			j.faults[i].After *= f
		}
	}
	j.interval = time.Millisecond
	return j
}

// build adds the job to env, writing into out.
func (j eoJob) build(env *flinksim.Environment, out *flinksim.TransactionalCollector[eoOut]) {
	var in flinksim.Stream[eoRec]
	for si, s := range j.sources {
		src := flinksim.Generate(env, s.name, s.count, func(i int64) (eoRec, error) {
			return eoRec{Src: si, I: i, Key: j.key(si, i)}, nil
		}, flinksim.Parallelism(s.par))
		if si == 0 {
			in = src
		} else {
			in = flinksim.Union(in, src)
		}
	}
	switch j.mid {
	case "forward":
		in = flinksim.Map(flinksim.Forward(in), "mid", identity[eoRec], flinksim.Parallelism(j.midPar))
	case "rebalance":
		in = flinksim.Map(flinksim.Rebalance(in), "mid", identity[eoRec], flinksim.Parallelism(j.midPar))
	case "broadcast":
		in = flinksim.Map(flinksim.Broadcast(in), "mid", identity[eoRec], flinksim.Parallelism(j.midPar))
	}
	byKey := func(r eoRec) int { return r.Key }
	var counted flinksim.Stream[eoOut]
	switch j.kind {
	case 0:
		counted = flinksim.Process(flinksim.KeyBy(in, byKey), "keyed",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, eoRec, eoOut], error) {
				c := flinksim.NewValueState[int64](rt, "count")
				return flinksim.ProcessFunc[int, eoRec, eoOut](func(ctx *flinksim.KeyedContext[int], r eoRec, out flinksim.Collector[eoOut]) error {
					n, _ := c.Value()
					c.Update(n + 1)
					out.Collect(eoOut{Key: ctx.Key(), N: n + 1})
					return nil
				}), nil
			}, flinksim.Parallelism(j.keyedPar))
	case 1:
		counted = flinksim.Process(flinksim.KeyBy(in, byKey), "keyed",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, eoRec, eoOut], error) {
				m := flinksim.NewMapState[int, int64](rt, "buckets")
				return flinksim.ProcessFunc[int, eoRec, eoOut](func(ctx *flinksim.KeyedContext[int], r eoRec, out flinksim.Collector[eoOut]) error {
					b := int(r.I % 3)
					n, _ := m.Get(b)
					m.Put(b, n+1)
					out.Collect(eoOut{Key: ctx.Key(), Sub: b, N: n + 1})
					return nil
				}), nil
			}, flinksim.Parallelism(j.keyedPar))
	case 2:
		ones := flinksim.Map(in, "ones", func(r eoRec) (eoOut, error) { return eoOut{Key: r.Key, N: 1}, nil },
			flinksim.Parallelism(j.midParOr()))
		counted = flinksim.Reduce(flinksim.KeyBy(ones, func(o eoOut) int { return o.Key }), "keyed",
			func(acc, v eoOut) (eoOut, error) { return eoOut{Key: acc.Key, N: acc.N + v.N}, nil },
			flinksim.Parallelism(j.keyedPar))
	}
	if j.sinkEdge == "forward" {
		counted = flinksim.Forward(counted)
	} else {
		counted = flinksim.Rebalance(counted)
	}
	flinksim.CollectTransactional(counted, "sink", out, flinksim.Parallelism(j.sinkPar))
}

// expected is the output of every correct exactly-once run, computed.
func (j eoJob) expected() []eoOut {
	type ks struct{ key, sub int }
	counts := make(map[ks]int64)
	mult := int64(1)
	if j.mid == "broadcast" {
		mult = int64(j.midPar)
	}
	for si, s := range j.sources {
		for i := range s.count {
			k := ks{key: j.key(si, i)}
			if j.kind == 1 {
				k.sub = int(i % 3)
			}
			counts[k] += mult
		}
	}
	var out []eoOut
	for k, n := range counts {
		for c := int64(1); c <= n; c++ {
			out = append(out, eoOut{Key: k.key, Sub: k.sub, N: c})
		}
	}
	return sortEO(out)
}

func sortEO(vs []eoOut) []eoOut {
	vs = slices.Clone(vs)
	slices.SortFunc(vs, func(a, b eoOut) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Sub, b.Sub), cmp.Compare(a.N, b.N))
	})
	return vs
}

type eoRun struct {
	committed   []eoOut // sorted
	uncommitted int
	res         *flinksim.JobResult
	err         error
}

// run runs the job with checkpointing in mode; sim selects the simulation
// (seeded with the job's seed); faults may be nil.
func (j eoJob) run(ctx context.Context, mode flinksim.CheckpointingMode, sim bool, faults flinksim.Faults, extra ...flinksim.Option) eoRun {
	out := flinksim.NewTransactionalCollector[eoOut]()
	opts := []flinksim.Option{
		flinksim.WithParallelism(1), flinksim.WithBatchSize(j.batch),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: j.interval, Mode: mode}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(10, 0)),
	}
	if sim {
		opts = append(opts, flinksim.WithSimulation(j.seed, nil))
	}
	if faults != nil {
		opts = append(opts, flinksim.WithFaults(faults))
	}
	env := flinksim.NewEnvironment(append(opts, extra...)...)
	j.build(env, out)
	res, err := env.Execute(ctx, fmt.Sprintf("eo-%d", j.seed))
	return eoRun{committed: sortEO(out.Committed()), uncommitted: out.Uncommitted(), res: res, err: err}
}

// replayHint logs, when t failed, the command that replays its seed.
func replayHint(t *testing.T, test string, seed uint64, seedsFlag string, sim bool) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		cmd := fmt.Sprintf("go test -race -count=1 -run '^%s$/^seed=%d$' ./flinksim", test, seed)
		if seedsFlag != "" {
			cmd = fmt.Sprintf("go test -race -count=1 -run '^%s$/^seed=%d$' ./flinksim -%s=%d", test, seed, seedsFlag, seed+1)
		}
		if !sim {
			cmd += "   (concurrent executor: the interleaving is not replayed exactly)"
		}
		t.Logf("replay this seed with:\n\t%s", cmd)
	})
}

// checkEO runs seed's job failure-free and with its faults, and demands
// the same committed output.
func checkEO(t *testing.T, test string, seed uint64, sim bool, seedsFlag string) {
	j := genEOJob(seed)
	if !sim {
		j = j.scaled(10)
	}
	replayHint(t, test, seed, seedsFlag, sim)
	t.Logf("job: %v", j)
	want := j.expected()
	clean := j.run(t.Context(), flinksim.ExactlyOnce, sim, nil)
	require.NoError(t, clean.err)
	require.Equal(t, want, clean.committed, "failure-free run: committed output differs from the computed one")
	require.Zero(t, clean.uncommitted, "failure-free run left uncommitted records")

	faults := flinksim.NewFaultInjector(j.faults...)
	got := j.run(t.Context(), flinksim.ExactlyOnce, sim, faults)
	require.NoError(t, got.err, "faulty run (%d faults struck)", faults.Struck())
	if sim {
		assert.Equal(t, int64(faults.Struck()), got.res.Restarts, "one restart per fault struck")
	} else {
		assert.LessOrEqual(t, got.res.Restarts, int64(faults.Struck()))
	}
	if !slices.Equal(clean.committed, got.committed) {
		missing, extra := cpMissing(clean.committed, got.committed)
		assertSameMultiset(t, clean.committed, got.committed,
			"exactly-once violated: %d records lost, %d duplicated (%d faults struck, %d restarts)",
			missing, extra, faults.Struck(), got.res.Restarts)
	}
	t.Logf("%d faults struck, %d restarts, %d checkpoints completed, %d failed",
		faults.Struck(), got.res.Restarts, got.res.Checkpoints.NumberOfCompletedCheckpoints, got.res.Checkpoints.NumberOfFailedCheckpoints)
}

// TestExactlyOnceProperty: for random jobs with 1-3 random faults on the
// simulation, the committed output of the transactional sink equals the
// failure-free run's, record for record.
func TestExactlyOnceProperty(t *testing.T) {
	for seed := range uint64(*eoSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			checkEO(t, "TestExactlyOnceProperty", seed, true, "flinksim.eo-seeds")
		})
	}
}

// TestExactlyOncePropertyConcurrent runs some of the random jobs on the
// concurrent executor: the real runtime, with real timers.
func TestExactlyOncePropertyConcurrent(t *testing.T) {
	for seed := range uint64(*eoConcurrentSeeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			checkEO(t, "TestExactlyOncePropertyConcurrent", seed, false, "flinksim.eo-concurrent-seeds")
		})
	}
}

// TestAtLeastOnceProperty: the same jobs in AT_LEAST_ONCE mode lose no
// record (committed ⊇ failure-free output, as multisets), and give exactly
// the failure-free output when nothing fails.
func TestAtLeastOnceProperty(t *testing.T) {
	var dupSeeds []uint64
	t.Cleanup(func() {
		if !t.Failed() {
			t.Logf("seeds with duplicates: %d of %d", len(dupSeeds), *eoSeeds)
		}
	})
	results := make([]int, *eoSeeds)
	t.Run("seeds", func(t *testing.T) {
		for seed := range uint64(*eoSeeds) {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				j := genEOJob(seed)
				replayHint(t, "TestAtLeastOnceProperty/seeds", seed, "flinksim.eo-seeds", true)
				t.Logf("job: %v", j)
				want := j.expected()
				clean := j.run(t.Context(), flinksim.AtLeastOnce, true, nil)
				require.NoError(t, clean.err)
				require.Equal(t, want, clean.committed, "failure-free at-least-once run")
				faults := flinksim.NewFaultInjector(j.faults...)
				got := j.run(t.Context(), flinksim.AtLeastOnce, true, faults)
				require.NoError(t, got.err)
				missing, extra := cpMissing(want, got.committed)
				assert.Zero(t, missing, "at-least-once lost records (%d faults struck)", faults.Struck())
				results[seed] = extra
			})
		}
	})
	for seed, extra := range results {
		if extra > 0 {
			dupSeeds = append(dupSeeds, uint64(seed))
		}
	}
}

// alignmentJob is the job of the duplicate hunt: two sources unioned into
// one keyed counter, so records of one input can pass the barrier while
// the other input's barrier is still on its way.
func alignmentJob(env *flinksim.Environment, out *flinksim.TransactionalCollector[keyCount]) {
	a := flinksim.Generate(env, "a", 300, func(i int64) (int, error) { return int(i % 7), nil })
	b := flinksim.Generate(env, "b", 300, func(i int64) (int, error) { return int(i % 5), nil })
	counts := flinksim.Process(flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k }), "count", cpCounter)
	flinksim.CollectTransactional(counts, "sink", out)
}

func runAlignmentJob(t *testing.T, seed uint64, mode flinksim.CheckpointingMode, faults flinksim.Faults) []keyCount {
	out := flinksim.NewTransactionalCollector[keyCount]()
	opts := []flinksim.Option{
		flinksim.WithParallelism(1), flinksim.WithBatchSize(4), flinksim.WithSimulation(seed, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond, Mode: mode}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)),
	}
	if faults != nil {
		opts = append(opts, flinksim.WithFaults(faults))
	}
	env := flinksim.NewEnvironment(opts...)
	alignmentJob(env, out)
	_, err := env.Execute(t.Context(), "alignment")
	require.NoError(t, err)
	return sortedCounts(out.Committed())
}

// TestAtLeastOnceDuplicates finds, among a bounded range of seeds, one
// where AT_LEAST_ONCE really commits duplicates after a failure, and checks
// that EXACTLY_ONCE on the same seed and fault does not: the suite tells
// the modes apart.
func TestAtLeastOnceDuplicates(t *testing.T) {
	want := runAlignmentJob(t, 0, flinksim.ExactlyOnce, nil)
	require.Len(t, want, 600)
	fault := func() flinksim.Faults {
		return flinksim.NewFaultInjector(flinksim.Fault{Operator: "count", Subtask: 0, Point: flinksim.FaultRecord, After: 400})
	}
	const maxSeeds = 200
	found := -1
	for seed := range uint64(maxSeeds) {
		got := runAlignmentJob(t, seed, flinksim.AtLeastOnce, fault())
		missing, extra := cpMissing(want, got)
		require.Zero(t, missing, "seed %d: at-least-once lost records", seed)
		if extra > 0 {
			found = int(seed)
			t.Logf("seed %d: AT_LEAST_ONCE committed %d duplicates (%d records for %d)", seed, extra, len(got), len(want))
			break
		}
	}
	require.GreaterOrEqual(t, found, 0, "no seed in [0, %d) made AT_LEAST_ONCE commit a duplicate", maxSeeds)
	got := runAlignmentJob(t, uint64(found), flinksim.ExactlyOnce, fault())
	assert.Equal(t, want, got, "EXACTLY_ONCE with seed %d and the same fault", found)
}
