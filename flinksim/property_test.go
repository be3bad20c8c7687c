package flinksim_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// The property test builds a random job from a seed — random keyed input,
// a random chain of stateless operators with random parallelism and
// partitioning, then two keyed aggregations (a Reduce and a Process with
// ValueState and MapState) — runs it on a random executor, and compares the
// final per-key results with a plain sequential computation.
//
// Run more seeds with -flinksim.seeds=N; replay one with -flinksim.seed=S.

type partition int

const (
	partDefault partition = iota
	partForward
	partRebalance
	partBroadcast
)

func (p partition) String() string {
	return [...]string{"default", "forward", "rebalance", "broadcast"}[p]
}

func (p partition) apply(s flinksim.Stream[kv]) flinksim.Stream[kv] {
	switch p {
	case partForward:
		return flinksim.Forward(s)
	case partRebalance:
		return flinksim.Rebalance(s)
	case partBroadcast:
		return flinksim.Broadcast(s)
	}
	return s
}

type opKind int

const (
	opAdd opKind = iota
	opRekey
	opFilter
	opFlatMap
)

type propOp struct {
	kind opKind
	c    int
	part partition
	p    int
}

func (o propOp) String() string {
	return fmt.Sprintf("%s(%d) p=%d via %s", [...]string{"add", "rekey", "filter", "flatmap"}[o.kind], o.c, o.p, o.part)
}

func mod(a, m int) int { return ((a % m) + m) % m }

// apply is the reference semantics of one operator on one record.
func (o propOp) apply(r kv, emit func(kv)) {
	switch o.kind {
	case opAdd:
		emit(kv{r.K, r.V + o.c})
	case opRekey:
		emit(kv{r.K + "/" + strconv.Itoa(mod(r.V, o.c)), r.V})
	case opFilter:
		if mod(r.V+o.c, 4) != 0 {
			emit(r)
		}
	case opFlatMap:
		if mod(r.V, 5) == 0 {
			return
		}
		emit(r)
		if mod(r.V+o.c, 3) == 0 {
			emit(kv{r.K, r.V + 1})
		}
	}
}

// addTo adds the operator to the job.
func (o propOp) addTo(s flinksim.Stream[kv], name string) flinksim.Stream[kv] {
	s = o.part.apply(s)
	par := flinksim.Parallelism(o.p)
	switch o.kind {
	case opFilter:
		return flinksim.Filter(s, name, func(r kv) (bool, error) {
			keep := false
			o.apply(r, func(kv) { keep = true })
			return keep, nil
		}, par)
	case opFlatMap:
		return flinksim.FlatMap(s, name, func(r kv, out flinksim.Collector[kv]) error {
			o.apply(r, out.Collect)
			return nil
		}, par)
	}
	return flinksim.Map(s, name, func(r kv) (kv, error) {
		var out kv
		o.apply(r, func(v kv) { out = v })
		return out, nil
	}, par)
}

type propJob struct {
	seed      uint64
	input     []kv
	generate  bool // Generate instead of FromSlice
	srcP      int
	ops       []propOp
	keyedP    int
	maxP      int // 0: default
	sumSink   propOp
	countSink propOp
	batchSize int
	sim       bool
	// reference is the input to the keyed operators, as a multiset.
	reference []kv
}

func (j *propJob) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d records, source p=%d (generate=%t), batch %d, sim=%t\n", len(j.input), j.srcP, j.generate, j.batchSize, j.sim)
	for i, o := range j.ops {
		fmt.Fprintf(&sb, "  op%d: %v\n", i, o)
	}
	fmt.Fprintf(&sb, "  keyed p=%d maxP=%d; sum sink p=%d via %s; count sink p=%d via %s; %d records reach the keyed operators",
		j.keyedP, j.maxP, j.sumSink.p, j.sumSink.part, j.countSink.p, j.countSink.part, len(j.reference))
	return sb.String()
}

// maxKeyedRecords bounds the records a random job feeds its keyed
// operators (broadcasts multiply them).
const maxKeyedRecords = 20000

func randomJob(seed uint64) *propJob {
	r := rand.New(rand.NewPCG(seed, 0xf11c5))
	j := &propJob{seed: seed}
	keys := 1 + r.IntN(5)
	if r.IntN(2) == 0 {
		keys = 50 + r.IntN(3000)
	}
	j.input = make([]kv, r.IntN(1500))
	for i := range j.input {
		j.input[i] = kv{K: "k" + strconv.Itoa(r.IntN(keys)), V: r.IntN(201) - 100}
	}
	j.generate = r.IntN(2) == 0
	j.srcP = 1 + r.IntN(8)
	j.batchSize = []int{1, 2, 7, 64, 256}[r.IntN(5)]
	j.sim = r.IntN(2) == 0

	ref := slices.Clone(j.input)
	prevP := j.srcP
	for range r.IntN(5) {
		o := propOp{kind: opKind(r.IntN(4)), part: partition(r.IntN(4)), p: 1 + r.IntN(8)}
		switch o.kind {
		case opAdd:
			o.c = r.IntN(11) - 5
		case opRekey:
			o.c = 2 + r.IntN(2)
		default:
			o.c = r.IntN(10)
		}
		if o.part == partForward {
			o.p = prevP
		}
		if o.part == partBroadcast && len(ref)*o.p*2 > maxKeyedRecords {
			o.part = partRebalance
		}
		var next []kv
		for _, rec := range ref {
			copies := 1
			if o.part == partBroadcast {
				copies = o.p
			}
			for range copies {
				o.apply(rec, func(v kv) { next = append(next, v) })
			}
		}
		ref = next
		j.ops = append(j.ops, o)
		prevP = o.p
	}
	j.reference = ref
	j.keyedP = 1 + r.IntN(8)
	if r.IntN(3) == 0 {
		j.maxP = j.keyedP + r.IntN(3)*r.IntN(100)
	}
	sink := func() propOp {
		o := propOp{part: partition(r.IntN(3)), p: 1 + r.IntN(8)}
		if o.part == partForward {
			o.p = j.keyedP
		}
		return o
	}
	j.sumSink, j.countSink = sink(), sink()
	return j
}

// sumOut is the rolling result of the Reduce.
type sumOut struct {
	K      string
	Sum, N int
}

// countOut is what the Process emits per record: the key's count, its
// value histogram (value mod 4) from MapState, and the MapState's Len.
type countOut struct {
	K   string
	N   int
	B   [4]int
	Len int
}

func (j *propJob) run(t *testing.T) (sums []sumOut, cnts []countOut) {
	opts := []flinksim.Option{flinksim.WithParallelism(j.srcP), flinksim.WithBatchSize(j.batchSize)}
	if j.sim {
		opts = append(opts, flinksim.WithSimulation(j.seed, nil))
	}
	env := flinksim.NewEnvironment(opts...)
	var s flinksim.Stream[kv]
	if j.generate {
		s = flinksim.Generate(env, "src", int64(len(j.input)), func(i int64) (kv, error) { return j.input[i], nil })
	} else {
		s = parallelSlice(env, "src", j.input)
	}
	for i, o := range j.ops {
		s = o.addTo(s, "op"+strconv.Itoa(i))
	}
	keyedOpts := []flinksim.OperatorOption{flinksim.Parallelism(j.keyedP)}
	if j.maxP > 0 {
		keyedOpts = append(keyedOpts, flinksim.MaxParallelism(j.maxP))
	}

	aggs := flinksim.Map(s, "toSum", func(r kv) (sumOut, error) { return sumOut{r.K, r.V, 1}, nil })
	sum := flinksim.Reduce(flinksim.KeyBy(aggs, func(a sumOut) string { return a.K }), "sum", func(a, b sumOut) (sumOut, error) {
		return sumOut{a.K, a.Sum + b.Sum, a.N + b.N}, nil
	}, keyedOpts...)
	sumSink := flinksim.Collect(partitionAny(sum, j.sumSink.part), "sumOut", flinksim.Parallelism(j.sumSink.p))

	count := flinksim.Process(flinksim.KeyBy(s, kvKey), "count", func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, kv, countOut], error) {
		n := flinksim.NewValueState[int](rt, "n")
		hist := flinksim.NewMapState[int, int](rt, "hist")
		return flinksim.ProcessFunc[string, kv, countOut](func(ctx *flinksim.KeyedContext[string], r kv, out flinksim.Collector[countOut]) error {
			c, _ := n.Value()
			n.Update(c + 1)
			b := mod(r.V, 4)
			h, _ := hist.Get(b)
			hist.Put(b, h+1)
			o := countOut{K: ctx.Key(), N: c + 1, Len: hist.Len()}
			for k, v := range hist.All() {
				o.B[k] = v
			}
			out.Collect(o)
			return nil
		}), nil
	}, keyedOpts...)
	countSink := flinksim.Collect(partitionAny(count, j.countSink.part), "countOut", flinksim.Parallelism(j.countSink.p))

	_, err := env.Execute(t.Context(), fmt.Sprintf("property-%d", j.seed))
	require.NoError(t, err)
	return sumSink.Values(), countSink.Values()
}

func partitionAny[T any](s flinksim.Stream[T], p partition) flinksim.Stream[T] {
	switch p {
	case partForward:
		return flinksim.Forward(s)
	case partRebalance:
		return flinksim.Rebalance(s)
	}
	return s
}

func (j *propJob) check(t *testing.T, sums []sumOut, cnts []countOut) {
	type ref struct {
		n, sum int
		b      [4]int
	}
	want := make(map[string]*ref)
	for _, r := range j.reference {
		w := want[r.K]
		if w == nil {
			w = &ref{}
			want[r.K] = w
		}
		w.n++
		w.sum += r.V
		w.b[mod(r.V, 4)]++
	}
	// Every key emits one result per record, counts 1..n, and the result
	// with count n is the final one.
	sumNs := make(map[string][]int)
	finalSum := make(map[string]int)
	for _, s := range sums {
		sumNs[s.K] = append(sumNs[s.K], s.N)
		if w := want[s.K]; w != nil && s.N == w.n {
			finalSum[s.K] = s.Sum
		}
	}
	cntNs := make(map[string][]int)
	finalB := make(map[string][4]int)
	for _, c := range cnts {
		cntNs[c.K] = append(cntNs[c.K], c.N)
		nonzero := 0
		for _, v := range c.B {
			if v > 0 {
				nonzero++
			}
		}
		if c.Len != nonzero {
			t.Errorf("key %q: MapState Len %d, but %d entries", c.K, c.Len, nonzero)
		}
		if w := want[c.K]; w != nil && c.N == w.n {
			finalB[c.K] = c.B
		}
	}
	assert.Len(t, sums, len(j.reference), "sum outputs")
	assert.Len(t, cnts, len(j.reference), "count outputs")
	assert.Len(t, sumNs, len(want), "keys of sums")
	assert.Len(t, cntNs, len(want), "keys of counts")
	bad := 0
	for k, w := range want {
		ns := seq(1, w.n+1)
		if !slices.Equal(ns, sorted(sumNs[k])) || !slices.Equal(ns, sorted(cntNs[k])) ||
			finalSum[k] != w.sum || finalB[k] != w.b {
			bad++
			if bad <= 5 {
				t.Errorf("key %q: want n=%d sum=%d hist=%v; got sum counts %s, final sum %d; process counts %s, final hist %v",
					k, w.n, w.sum, w.b, describeCounts(sumNs[k], w.n), finalSum[k], describeCounts(cntNs[k], w.n), finalB[k])
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d keys wrong in all", bad)
	}
}

// describeCounts says whether ns is 1..n, or where it is not.
func describeCounts(ns []int, n int) string {
	ns = sorted(ns)
	for i, v := range ns {
		if v != i+1 {
			return fmt.Sprintf("wrong: %d results, sorted position %d holds %d", len(ns), i, v)
		}
	}
	if len(ns) != n {
		return fmt.Sprintf("wrong: %d results", len(ns))
	}
	return fmt.Sprintf("1..%d", n)
}

func sorted(s []int) []int { return slices.Sorted(slices.Values(s)) }

func TestPropertyKeyedAggregation(t *testing.T) {
	seeds := seq(0, *propSeeds)
	if *propSeed >= 0 {
		seeds = []int{int(*propSeed)}
	}
	for _, seed := range seeds {
		t.Run("seed="+strconv.Itoa(seed), func(t *testing.T) {
			j := randomJob(uint64(seed))
			defer func() {
				if t.Failed() {
					t.Logf("job of seed %d:\n%v\nreplay: go test ./flinksim -run 'TestPropertyKeyedAggregation/seed=%d$' -flinksim.seed=%d",
						seed, j, seed, seed)
				}
			}()
			sums, cnts := j.run(t)
			j.check(t, sums, cnts)
		})
	}
}

// TestPropertyReference checks the generator and the reference themselves
// on a fixed seed, so that a broken generator cannot make the property
// test vacuous.
func TestPropertyReference(t *testing.T) {
	var withOps, withBroadcast, sim, bigKeys int
	for seed := range uint64(100) {
		j := randomJob(seed)
		if len(j.ops) > 0 {
			withOps++
		}
		for _, o := range j.ops {
			if o.part == partBroadcast {
				withBroadcast++
				break
			}
		}
		if j.sim {
			sim++
		}
		if len(counts(mapSlice(j.input, kvKey))) > 10 {
			bigKeys++
		}
		assert.LessOrEqual(t, len(j.reference), 2*maxKeyedRecords)
	}
	assert.Greater(t, withOps, 60)
	assert.Greater(t, withBroadcast, 10)
	assert.Greater(t, sim, 30)
	assert.Less(t, sim, 70)
	assert.Greater(t, bigKeys, 30)

	// The reference of a known chain.
	o := propOp{kind: opFlatMap, c: 1}
	var got []kv
	for _, r := range []kv{{"a", 5}, {"a", 2}, {"b", 3}} {
		o.apply(r, func(v kv) { got = append(got, v) })
	}
	assert.Equal(t, []kv{{"a", 2}, {"a", 3}, {"b", 3}}, got)
}
