package flinksim_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// The event-time property tests run random event-time jobs — windows of
// every assigner and keyed event-time timers, behind keyBy, rebalance and
// chains, at random parallelism and batch size, on both executors — and
// demand the output a plain-Go computation of the same job gives, record
// for record: without failures, with failures and restarts under
// exactly-once checkpoints, and across a stop with savepoint (no drain)
// and a restore at other parallelisms.
//
// Why the output is a function of the records alone: the source emits
// records in index order, and the generator makes a record's timestamp at
// most D below that of any record before it (ts_i = base + floor(i·step) +
// jitter_i, jitter in [0, D]). Each source subtask reads a contiguous
// index range in order (after a rescale, its ranges in ascending order),
// so its records too are out of order by at most D, and its
// ForBoundedOutOfOrderness(D) watermark, max seen − D − 1, is below the
// timestamp of every record it emits after it. Watermarks travel in band
// and a task's watermark is the minimum over its inputs, so at every
// operator every record arrives with a timestamp above the operator's
// watermark: no record is ever late, whenever the periodic watermarks are
// emitted. A window or timer at time t fires once the watermark reaches t,
// and then every record with a timestamp at or below t has arrived and no
// other such record will: what it sees and emits is fixed. A window
// operator emits its results stamped with the window's max timestamp, above
// the watermark it last forwarded, so the same holds downstream of it.
// Sessions need one millisecond more: a record at a session's end
// (touching it) must not arrive after the session fired, so jobs with
// session windows keep their disorder to D − 1 (the watermark is then at
// least 2 ms below every arriving record).
//
// Run more seeds with -flinksim.et-seeds=300; a failing seed logs its job
// and the command that replays it.

var etSeeds = flag.Int("flinksim.et-seeds", 40,
	"seeds of each event-time property test (300 for a long run)")

// etRec is a source record.
type etRec struct {
	Key int
	Ts  int64
	V   int64
}

// etOut is what every branch of a job emits: B is the branch; the other
// fields are the branch's (see etBranch).
type etOut struct {
	B          int
	Key        int
	Start, End int64
	N, Sum, A  int64
}

// etAcc is the accumulator of the window branches.
type etAcc struct {
	Key          int
	N, Sum       int64
	MinTs, MaxTs int64
}

func accOf(r etRec) etAcc { return etAcc{Key: r.Key, N: 1, Sum: r.V, MinTs: r.Ts, MaxTs: r.Ts} }

func mergeAcc(a, b etAcc) etAcc {
	return etAcc{Key: a.Key, N: a.N + b.N, Sum: a.Sum + b.Sum, MinTs: min(a.MinTs, b.MinTs), MaxTs: max(a.MaxTs, b.MaxTs)}
}

// etAggregate is the AggregateFunction of the window branches.
type etAggregate struct{}

func (etAggregate) CreateAccumulator() etAcc {
	return etAcc{MinTs: math.MaxInt64, MaxTs: math.MinInt64}
}
func (etAggregate) Add(r etRec, acc etAcc) etAcc { return mergeAcc(accOf(r), acc) }
func (etAggregate) Result(acc etAcc) etAcc       { return acc }
func (etAggregate) Merge(a, b etAcc) etAcc       { return mergeAcc(a, b) }

type etKind int

const (
	etTumble  etKind = iota // AggregateWindow or AggregateProcessWindow
	etSlide                 // ReduceWindow or ReduceProcessWindow
	etSession               // ProcessWindow
	etCount                 // GlobalWindows with a (purging) count trigger
	etTimers                // Process with event-time timers
)

var etKinds = [...]string{"tumble", "slide", "session", "count", "timers"}

// etBranch is one keyed operator of a job, reading the job's stream.
//
//   - tumble: windows of size (offset off) with allowed lateness; emits per
//     window Key, N, Sum, and the window (process) or its records' min and
//     max timestamps (Start, End; aggregate). With rollup > 0 the results
//     go on, keyed by Key mod 3, to tumbling windows of rollup ms that
//     count them (N) and sum their N (Sum), Start and End their window.
//   - slide: windows of size every slide (offset off), as tumble.
//   - session: sessions of gap, as tumble's process variant, and A its
//     records' max timestamp.
//   - count: a count trigger of count records, purging or not: N is the
//     window's count at each firing.
//   - timers: each record registers a timer at its timestamp + x, and, with
//     end, one at math.MaxInt64. The k-th timer of a key emits Start = its
//     time, N = k, Sum = the key's records at or before it, A = 1 if the
//     watermark has reached it; the end timer emits N = the key's records,
//     Sum = the timers fired before it.
type etBranch struct {
	kind     etKind
	p        int
	process  bool // the process-function variant of tumble and slide
	size     int64
	slide    int64
	off      int64
	gap      int64
	lateness int64
	count    int64
	purge    bool
	x        int64
	end      bool
	rollup   int64
	rollupP  int
}

func (b etBranch) String() string {
	s := fmt.Sprintf("%s(p%d", etKinds[b.kind], b.p)
	switch b.kind {
	case etTumble:
		s += fmt.Sprintf(" size %d off %d lateness %d process %t rollup %d(p%d)", b.size, b.off, b.lateness, b.process, b.rollup, b.rollupP)
	case etSlide:
		s += fmt.Sprintf(" size %d slide %d off %d lateness %d process %t", b.size, b.slide, b.off, b.lateness, b.process)
	case etSession:
		s += fmt.Sprintf(" gap %d lateness %d", b.gap, b.lateness)
	case etCount:
		s += fmt.Sprintf(" count %d purge %t", b.count, b.purge)
	case etTimers:
		s += fmt.Sprintf(" +%d end %t", b.x, b.end)
	}
	return s + ")"
}

// etPre is the stateless operator between the source and the branches.
type etPre int

const (
	preNone      etPre = iota
	preChained         // a Map chained to the source
	preRebalance       // a Map behind a rebalance
	preFilter          // a Filter behind a rebalance
)

var etPres = [...]string{"none", "chained map", "rebalance map", "rebalance filter"}

// etJob is a random event-time job: a source of records with timestamps
// and bounded-out-of-orderness watermarks, an optional stateless operator,
// and one to three branches unioned into one sink.
type etJob struct {
	seed     uint64
	recs     []etRec
	disorder int64 // the generator's; bound is the watermarks'
	bound    int64
	srcP     int
	pre      etPre
	preP     int
	branches []etBranch
	sinkP    int
	batch    int
	interval time.Duration // of the periodic watermarks
	sim      bool
	// firings, when set, counts the firings of the process window
	// functions and timers before and at the final watermark.
	firings *etFirings
}

// etFirings counts firings of windows, timers and rollup windows (by
// etFiring) before the final watermark and at it: jobs whose windows and
// timers all fired at the end of input would test little, and an operator
// that does not forward watermarks shows as rollups that fire only there.
type etFirings struct{ early, final [3]atomic.Int64 }

type etFiring int

const (
	firingWindow etFiring = iota
	firingTimer
	firingRollup
)

var etFiringNames = [...]string{"windows", "timers", "rollups"}

func (f *etFirings) note(what etFiring, watermark int64) {
	switch {
	case f == nil:
	case watermark == flinksim.MaxWatermark:
		f.final[what].Add(1)
	default:
		f.early[what].Add(1)
	}
}

func (j etJob) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d records (disorder %d, watermark bound %d, wm interval %v), src p%d, pre %s(p%d); batch %d, sim %t; sink p%d\n",
		len(j.recs), j.disorder, j.bound, j.interval, j.srcP, etPres[j.pre], j.preP, j.batch, j.sim, j.sinkP)
	for i, br := range j.branches {
		fmt.Fprintf(&b, "  b%d: %v\n", i, br)
	}
	return b.String()
}

// genETJob draws the job of seed.
func genETJob(seed uint64) etJob {
	r := rand.New(rand.NewPCG(seed, 0xe7e7))
	j := etJob{seed: seed, srcP: 1 + r.IntN(4), batch: []int{1, 2, 5, 16, 64, 300}[r.IntN(6)],
		interval: time.Duration([]int{1, 2, 5, 20}[r.IntN(4)]) * time.Millisecond, sim: r.IntN(2) == 0}
	// Small bounds, and jitters of 0 or the bound, put records right
	// above the watermark.
	j.bound = []int64{0, int64(1 + r.IntN(3)), int64(r.IntN(30))}[r.IntN(3)]
	extremes := r.IntN(2) == 0
	j.pre = etPre(r.IntN(4))
	j.preP = j.srcP
	if j.pre >= preRebalance {
		j.preP = 1 + r.IntN(4)
	}
	for range 1 + r.IntN(3) {
		b := etBranch{kind: etKind(r.IntN(5)), p: 1 + r.IntN(4), process: r.IntN(2) == 0}
		if r.IntN(3) == 0 {
			b.lateness = int64(r.IntN(50))
		}
		switch b.kind {
		case etTumble:
			b.size = int64(1 + r.IntN(60))
			b.off = int64(r.IntN(int(b.size)))
			if r.IntN(2) == 0 {
				b.rollup, b.rollupP = b.size*int64(2+r.IntN(4)), 1+r.IntN(4)
			}
		case etSlide:
			b.slide = int64(1 + r.IntN(20))
			b.size = b.slide * int64(1+r.IntN(4))
			if r.IntN(4) == 0 {
				b.size = int64(1 + r.IntN(40)) // need not be a multiple, may leave gaps
			}
			b.off = int64(r.IntN(int(b.slide)))
		case etSession:
			b.gap = int64(1 + r.IntN(30))
		case etCount:
			b.count = int64(1 + r.IntN(12))
			b.purge = r.IntN(2) == 0
		case etTimers:
			b.x = []int64{0, 1, int64(r.IntN(25))}[r.IntN(3)]
			b.end = r.IntN(2) == 0
		}
		j.branches = append(j.branches, b)
	}
	j.disorder = j.bound
	for _, b := range j.branches {
		if b.kind == etSession && j.bound > 0 {
			j.disorder = j.bound - 1
		}
		if b.kind == etSession && j.bound == 0 {
			j.bound = 1 // disorder 0, watermark 2 ms behind
		}
	}
	j.sinkP = 1 + r.IntN(4)

	n := 1 + r.IntN(700)
	keys := 1 + r.IntN(3)
	if r.IntN(2) == 0 {
		keys = 5 + r.IntN(60)
	}
	base := int64(r.IntN(2001)) - 1000 // negative timestamps too
	stepNum, stepDen := int64(r.IntN(6)), int64(1+r.IntN(3))
	if extremes { // timestamps repeat, and records sit right at the bound
		stepNum, stepDen = 1, int64(2+r.IntN(3))
	}
	j.recs = make([]etRec, n)
	for i := range j.recs {
		jitter := r.Int64N(j.disorder + 1)
		if extremes {
			jitter = j.disorder * int64(r.IntN(2))
		}
		j.recs[i] = etRec{Key: r.IntN(keys), Ts: base + int64(i)*stepNum/stepDen + jitter, V: int64(r.IntN(21) - 10)}
	}
	return j
}

// preValue is the pre operator's map of a record's value; preKeep its
// filter.
func preValue(v int64) int64 { return 2*v + 1 }
func preKeep(r etRec) bool   { return (r.V+r.Ts)%4 != 0 }

// input returns the records the branches see, in source order.
func (j etJob) input() []etRec {
	var out []etRec
	for _, r := range j.recs {
		switch j.pre {
		case preChained, preRebalance:
			r.V = preValue(r.V)
		case preFilter:
			if !preKeep(r) {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// build adds the job to env, its output going to sink.
func (j etJob) build(env *flinksim.Environment, sink func(flinksim.Stream[etOut])) {
	par := flinksim.Parallelism
	src := flinksim.Generate(env, "src", int64(len(j.recs)), func(i int64) (etRec, error) { return j.recs[i], nil }, par(j.srcP))
	strategy := flinksim.ForBoundedOutOfOrderness[etRec](time.Duration(j.bound) * time.Millisecond).
		WithTimestampAssigner(func(r etRec, _ int64) int64 { return r.Ts })
	s := flinksim.AssignTimestampsAndWatermarks(src, "stamp", strategy, par(j.srcP))
	mapValue := func(r etRec) (etRec, error) { r.V = preValue(r.V); return r, nil }
	switch j.pre {
	case preChained:
		s = flinksim.Map(s, "pre", mapValue, par(j.preP))
	case preRebalance:
		s = flinksim.Map(flinksim.Rebalance(s), "pre", mapValue, par(j.preP))
	case preFilter:
		s = flinksim.Filter(flinksim.Rebalance(s), "pre", func(r etRec) (bool, error) { return preKeep(r), nil }, par(j.preP))
	}
	var outs []flinksim.Stream[etOut]
	upP := j.srcP
	if j.pre >= preRebalance {
		upP = j.preP
	}
	for i, b := range j.branches {
		outs = append(outs, b.build(s, i, upP, j.firings))
	}
	sink(flinksim.Union(outs[0], outs[1:]...))
}

func recKey(r etRec) int { return r.Key }

// build adds branch i to the job, reading s, of parallelism upP.
func (b etBranch) build(s flinksim.Stream[etRec], i, upP int, firings *etFirings) flinksim.Stream[etOut] {
	name := fmt.Sprintf("b%d-%s", i, etKinds[b.kind])
	par := flinksim.Parallelism(b.p)
	ms := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	lateness := ms(b.lateness)
	fromAcc := func(a etAcc) (etOut, error) {
		return etOut{B: i, Key: a.Key, Start: a.MinTs, End: a.MaxTs, N: a.N, Sum: a.Sum}, nil
	}
	windowOut := func(ctx *flinksim.WindowContext[int], accs []etAcc, out flinksim.Collector[etOut]) error {
		firings.note(firingWindow, ctx.CurrentWatermark())
		w := ctx.Window()
		out.Collect(etOut{B: i, Key: ctx.Key(), Start: w.Start, End: w.End, N: accs[0].N, Sum: accs[0].Sum})
		return nil
	}
	switch b.kind {
	case etTumble:
		ws := flinksim.KeyBy(s, recKey).Window(flinksim.TumblingEventTimeWindows(ms(b.size)).WithOffset(ms(b.off))).AllowedLateness(lateness)
		var out flinksim.Stream[etOut]
		if b.process {
			out = flinksim.AggregateProcessWindow(ws, name, flinksim.AggregateFunction[etRec, etAcc, etAcc](etAggregate{}),
				flinksim.ProcessWindowFunc[int, etAcc, etOut](windowOut), par)
		} else {
			out = flinksim.Map(flinksim.AggregateWindow(ws, name, flinksim.AggregateFunction[etRec, etAcc, etAcc](etAggregate{}), par),
				name+"-out", fromAcc, par)
		}
		if b.rollup == 0 {
			return out
		}
		return flinksim.AggregateProcessWindow(
			flinksim.KeyBy(out, func(o etOut) int { return o.Key % 3 }).Window(flinksim.TumblingEventTimeWindows(ms(b.rollup))),
			name+"-rollup", flinksim.AggregateFunction[etOut, etAcc, etAcc](rollupAggregate{}),
			flinksim.ProcessWindowFunc[int, etAcc, etOut](func(ctx *flinksim.WindowContext[int], accs []etAcc, out flinksim.Collector[etOut]) error {
				firings.note(firingRollup, ctx.CurrentWatermark())
				w := ctx.Window()
				out.Collect(etOut{B: i, Key: ctx.Key(), Start: w.Start, End: w.End, N: accs[0].N, Sum: accs[0].Sum, A: 1})
				return nil
			}), flinksim.Parallelism(b.rollupP))
	case etSlide:
		accs := flinksim.Map(s, name+"-acc", func(r etRec) (etAcc, error) { return accOf(r), nil }, flinksim.Parallelism(upP))
		ws := flinksim.KeyBy(accs, func(a etAcc) int { return a.Key }).
			Window(flinksim.SlidingEventTimeWindows(ms(b.size), ms(b.slide)).WithOffset(ms(b.off))).AllowedLateness(lateness)
		reduce := func(a, b etAcc) (etAcc, error) { return mergeAcc(a, b), nil }
		if b.process {
			return flinksim.ReduceProcessWindow(ws, name, reduce, flinksim.ProcessWindowFunc[int, etAcc, etOut](windowOut), par)
		}
		return flinksim.Map(flinksim.ReduceWindow(ws, name, reduce, par), name+"-out", fromAcc, par)
	case etSession:
		ws := flinksim.KeyBy(s, recKey).Window(flinksim.EventTimeSessionWindows(ms(b.gap))).AllowedLateness(lateness)
		return flinksim.ProcessWindow(ws, name, flinksim.ProcessWindowFunc[int, etRec, etOut](
			func(ctx *flinksim.WindowContext[int], rs []etRec, out flinksim.Collector[etOut]) error {
				firings.note(firingWindow, ctx.CurrentWatermark())
				o := etOut{B: i, Key: ctx.Key(), Start: ctx.Window().Start, End: ctx.Window().End, A: math.MinInt64}
				for _, r := range rs {
					o.N++
					o.Sum += r.V
					o.A = max(o.A, r.Ts)
				}
				out.Collect(o)
				return nil
			}), par)
	case etCount:
		trigger := flinksim.CountTrigger(b.count)
		if b.purge {
			trigger = flinksim.PurgingTrigger(trigger)
		}
		ws := flinksim.KeyBy(s, recKey).Window(flinksim.GlobalWindows()).Trigger(trigger)
		return flinksim.Map(flinksim.AggregateWindow(ws, name, flinksim.AggregateFunction[etRec, etAcc, etAcc](etAggregate{}), par),
			name+"-out", func(a etAcc) (etOut, error) { return etOut{B: i, Key: a.Key, N: a.N}, nil }, par)
	default: // etTimers
		return flinksim.Process(flinksim.KeyBy(s, recKey), name,
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, etRec, etOut], error) {
				return &timerCounter{branch: i, x: b.x, end: b.end, firings: firings,
					byTs:  flinksim.NewMapState[int64, int64](rt, "by-ts"),
					n:     flinksim.NewValueState[int64](rt, "n"),
					fired: flinksim.NewValueState[int64](rt, "fired")}, nil
			}, par)
	}
}

// rollupAggregate counts first-stage results and sums their N.
type rollupAggregate struct{}

func (rollupAggregate) CreateAccumulator() etAcc     { return etAcc{} }
func (rollupAggregate) Add(o etOut, acc etAcc) etAcc { return etAcc{N: acc.N + 1, Sum: acc.Sum + o.N} }
func (rollupAggregate) Result(acc etAcc) etAcc       { return acc }
func (rollupAggregate) Merge(a, b etAcc) etAcc       { return etAcc{N: a.N + b.N, Sum: a.Sum + b.Sum} }

// timerCounter is the timers branch's function.
type timerCounter struct {
	branch   int
	x        int64
	end      bool
	firings  *etFirings
	byTs     flinksim.MapState[int64, int64]
	n, fired flinksim.ValueState[int64]
}

func (f *timerCounter) ProcessElement(ctx *flinksim.KeyedContext[int], r etRec, _ flinksim.Collector[etOut]) error {
	c, _ := f.byTs.Get(r.Ts)
	f.byTs.Put(r.Ts, c+1)
	n, _ := f.n.Value()
	f.n.Update(n + 1)
	ctx.TimerService().RegisterEventTimeTimer(r.Ts + f.x)
	if f.end {
		ctx.TimerService().RegisterEventTimeTimer(math.MaxInt64)
	}
	return nil
}

func (f *timerCounter) OnTimer(ctx *flinksim.OnTimerContext[int], t int64, out flinksim.Collector[etOut]) error {
	if ctx.TimeDomain() != flinksim.EventTime || ctx.Timestamp() != t {
		return fmt.Errorf("timer %d fired as %v with timestamp %d", t, ctx.TimeDomain(), ctx.Timestamp())
	}
	f.firings.note(firingTimer, ctx.TimerService().CurrentWatermark())
	fired, _ := f.fired.Value()
	o := etOut{B: f.branch, Key: ctx.Key(), Start: t}
	if ctx.TimerService().CurrentWatermark() >= t {
		o.A = 1
	}
	if t == math.MaxInt64 {
		o.N, _ = f.n.Value()
		o.Sum = fired
		out.Collect(o)
		return nil
	}
	f.fired.Update(fired + 1)
	o.N = fired + 1
	for ts, c := range f.byTs.All() {
		if ts <= t {
			o.Sum += c
		}
	}
	out.Collect(o)
	return nil
}

// The reference: the job's output computed with plain loops over the
// records, knowing nothing of watermarks, timers or the library.

// floorStart is the start of the window of length period, aligned to the
// epoch shifted by off, that holds ts.
func floorStart(ts, off, period int64) int64 {
	return ts - ((ts-off)%period+period)%period
}

// expected returns the output of every correct run of the job, sorted.
func (j etJob) expected() []etOut {
	byKey := make(map[int][]etRec)
	for _, r := range j.input() {
		byKey[r.Key] = append(byKey[r.Key], r)
	}
	var out []etOut
	for i, b := range j.branches {
		for k, rs := range byKey {
			out = append(out, b.expected(i, k, rs)...)
		}
	}
	return sortET(rollups(j, out))
}

// expected returns branch i's output for the records rs of key k, before
// a rollup.
func (b etBranch) expected(i, k int, rs []etRec) []etOut {
	var out []etOut
	windows := func(starts func(ts int64) []int64, size int64) {
		accs := make(map[int64]etAcc)
		for _, r := range rs {
			for _, s := range starts(r.Ts) {
				if a, ok := accs[s]; ok {
					accs[s] = mergeAcc(a, accOf(r))
				} else {
					accs[s] = accOf(r)
				}
			}
		}
		for s, a := range accs {
			o := etOut{B: i, Key: k, Start: a.MinTs, End: a.MaxTs, N: a.N, Sum: a.Sum}
			if b.process {
				o.Start, o.End = s, s+size
			}
			out = append(out, o)
		}
	}
	switch b.kind {
	case etTumble:
		windows(func(ts int64) []int64 { return []int64{floorStart(ts, b.off, b.size)} }, b.size)
	case etSlide:
		windows(func(ts int64) []int64 {
			var starts []int64
			for s := floorStart(ts, b.off, b.slide); ts-s < b.size; s -= b.slide {
				starts = append(starts, s)
			}
			return starts
		}, b.size)
	case etSession:
		sorted := slices.SortedFunc(slices.Values(rs), func(x, y etRec) int { return cmp.Compare(x.Ts, y.Ts) })
		var cur etOut
		for n, r := range sorted {
			if n > 0 && r.Ts > cur.End {
				out = append(out, cur)
			}
			if n == 0 || r.Ts > cur.End {
				cur = etOut{B: i, Key: k, Start: r.Ts, End: r.Ts + b.gap, A: math.MinInt64}
			}
			cur.End = max(cur.End, r.Ts+b.gap)
			cur.N++
			cur.Sum += r.V
			cur.A = max(cur.A, r.Ts)
		}
		out = append(out, cur)
	case etCount:
		for f := int64(1); f <= int64(len(rs))/b.count; f++ {
			n := f * b.count
			if b.purge {
				n = b.count
			}
			out = append(out, etOut{B: i, Key: k, N: n})
		}
	case etTimers:
		times := make(map[int64]bool)
		for _, r := range rs {
			times[r.Ts+b.x] = true
		}
		for n, t := range slices.Sorted(mapKeys(times)) {
			o := etOut{B: i, Key: k, Start: t, N: int64(n + 1), A: 1}
			for _, r := range rs {
				if r.Ts <= t {
					o.Sum++
				}
			}
			out = append(out, o)
		}
		if b.end {
			out = append(out, etOut{B: i, Key: k, Start: math.MaxInt64, N: int64(len(rs)), Sum: int64(len(times)), A: 1})
		}
	}
	return out
}

// rollups replaces the first-stage results of the branches with a rollup
// by the rollup's results: the first-stage results carry the max
// timestamp of their window (End − 1 for the process variant; for the
// aggregate variant the window is recomputed from the records' minimum).
func rollups(j etJob, out []etOut) []etOut {
	type rk struct {
		b, key int
		start  int64
	}
	agg := make(map[rk]etAcc)
	var kept []etOut
	for _, o := range out {
		b := j.branches[o.B]
		if b.rollup == 0 {
			kept = append(kept, o)
			continue
		}
		start := o.Start
		if !b.process {
			start = floorStart(o.Start, b.off, b.size)
		}
		maxTs := start + b.size - 1
		k := rk{o.B, o.Key % 3, floorStart(maxTs, 0, b.rollup)}
		a := agg[k]
		agg[k] = etAcc{N: a.N + 1, Sum: a.Sum + o.N}
	}
	for k, a := range agg {
		kept = append(kept, etOut{B: k.b, Key: k.key, Start: k.start, End: k.start + j.branches[k.b].rollup, N: a.N, Sum: a.Sum, A: 1})
	}
	return kept
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func sortET(vs []etOut) []etOut {
	vs = slices.Clone(vs)
	slices.SortFunc(vs, func(a, b etOut) int {
		return cmp.Or(cmp.Compare(a.B, b.B), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End),
			cmp.Compare(a.N, b.N), cmp.Compare(a.Sum, b.Sum), cmp.Compare(a.A, b.A))
	})
	return vs
}

// varied returns the job with other parallelisms, batch size, watermark
// interval and executor, drawn from salt: the same records and
// operators, so the same output.
func (j etJob) varied(salt uint64) etJob {
	r := rand.New(rand.NewPCG(j.seed, salt))
	j.branches = slices.Clone(j.branches)
	j.srcP = 1 + r.IntN(4)
	j.preP = j.srcP
	if j.pre >= preRebalance {
		j.preP = 1 + r.IntN(4)
	}
	for i := range j.branches {
		j.branches[i].p = 1 + r.IntN(4)
		j.branches[i].rollupP = 1 + r.IntN(4)
	}
	j.sinkP = 1 + r.IntN(4)
	j.batch = []int{1, 3, 8, 32, 128, 300}[r.IntN(6)]
	j.interval = time.Duration([]int{1, 3, 10}[r.IntN(3)]) * time.Millisecond
	j.sim = r.IntN(2) == 0
	return j
}

// options returns the job's environment options: its batch size,
// watermark interval and executor (the simulation seeded with the job's
// seed).
func (j etJob) options() []flinksim.Option {
	opts := []flinksim.Option{flinksim.WithParallelism(1), flinksim.WithBatchSize(j.batch),
		func(c *flinksim.Config) { c.WatermarkInterval = j.interval }}
	if j.sim {
		opts = append(opts, flinksim.WithSimulation(j.seed, nil))
	}
	return opts
}

// run runs the job without checkpoints and returns its output, sorted.
func (j etJob) run(t *testing.T) []etOut {
	env := flinksim.NewEnvironment(j.options()...)
	var sink *flinksim.CollectSink[etOut]
	j.build(env, func(s flinksim.Stream[etOut]) { sink = flinksim.Collect(s, "sink", flinksim.Parallelism(j.sinkP)) })
	_, err := env.Execute(cpDeadline(t), fmt.Sprintf("et-%d", j.seed))
	require.NoError(t, err)
	return sortET(sink.Values())
}

// requireOutput demands got == want, naming what differs.
func requireOutput(t *testing.T, want, got []etOut, what string) {
	t.Helper()
	if !slices.Equal(want, got) {
		missing, extra := cpMissing(want, got)
		assertSameMultiset(t, want, got, "%s: %d results missing, %d extra", what, missing, extra)
		t.FailNow()
	}
}

// etReplay logs, when t failed, the jobs it ran and the command that
// replays it.
func etReplay(t *testing.T, test string, jobs ...etJob) {
	replayHint(t, test, jobs[0].seed, "flinksim.et-seeds", !slices.ContainsFunc(jobs, func(j etJob) bool { return !j.sim }))
	t.Cleanup(func() {
		if t.Failed() {
			for _, j := range jobs {
				t.Logf("job of seed %d:\n%v", j.seed, j)
			}
		}
	})
}

// TestEventTimeProperty: a random event-time job gives the output of the
// reference, and so does the same job at other parallelisms, batch size,
// watermark interval and executor. Over all seeds, windows and timers
// fire both before the final watermark and at it.
//
// Mutants: see TestEventTimeExactlyOnceProperty; those that need no
// restore fail this test.
func TestEventTimeProperty(t *testing.T) {
	var firings etFirings
	t.Run("seeds", func(t *testing.T) {
		for seed := range uint64(*etSeeds) {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				j := genETJob(seed)
				j.firings = &firings
				v := j.varied(1)
				etReplay(t, "TestEventTimeProperty/seeds", j, v)
				want := j.expected()
				requireOutput(t, want, j.run(t), "first run")
				requireOutput(t, want, v.run(t), "varied run")
			})
		}
	})
	for what, name := range etFiringNames {
		early, final := firings.early[what].Load(), firings.final[what].Load()
		t.Logf("%s fired before the final watermark: %d, at it: %d", name, early, final)
		require.Positive(t, early, "no %s fired before the end of input", name)
		require.Positive(t, final, "no %s fired at the end of input", name)
	}
}

// TestEventTimeReference checks the generator and the reference on fixed
// seeds, so that neither can make the property tests vacuous: every kind
// of branch and of pre operator is drawn, outputs are not empty, records
// come out of order, timers fire at the same time for several records,
// and sessions merge.
func TestEventTimeReference(t *testing.T) {
	kinds := make(map[etKind]int)
	pres := make(map[etPre]int)
	var outOfOrder, sharedTimers, merged, rolled, empty int
	for seed := range uint64(200) {
		j := genETJob(seed)
		for i := 1; i < len(j.recs); i++ {
			if j.recs[i].Ts < j.recs[i-1].Ts {
				outOfOrder++
				break
			}
		}
		highest := int64(math.MinInt64)
		for i, r := range j.recs {
			if i > 0 && highest-r.Ts > j.disorder {
				t.Fatalf("seed %d: record %d is %d ms behind an earlier one, beyond the disorder %d", seed, i, highest-r.Ts, j.disorder)
			}
			highest = max(highest, r.Ts)
		}
		pres[j.pre]++
		out := j.expected()
		if len(out) == 0 {
			empty++
		}
		for i, b := range j.branches {
			kinds[b.kind]++
			n := 0
			for _, o := range out {
				if o.B == i {
					n++
				}
			}
			if b.rollup > 0 && n > 0 {
				rolled++
			}
			if b.kind == etTimers && n < len(j.input()) {
				sharedTimers++
			}
			if b.kind == etSession && n < len(j.input()) {
				merged++
			}
		}
	}
	for k := range etKinds {
		require.Greater(t, kinds[etKind(k)], 40, "branches of kind %s", etKinds[k])
	}
	for p := range etPres {
		require.Greater(t, pres[etPre(p)], 20, "pre %s", etPres[p])
	}
	require.Greater(t, outOfOrder, 100)
	require.Greater(t, sharedTimers, 20)
	require.Greater(t, merged, 20)
	require.Greater(t, rolled, 10)
	require.Less(t, empty, 10)

	// Known answers.
	require.Equal(t, int64(-10), floorStart(-1, 0, 10))
	require.Equal(t, int64(3), floorStart(12, 3, 10))
	require.Equal(t, int64(-7), floorStart(2, 3, 10))
	sess := etBranch{kind: etSession, gap: 5}.expected(0, 7, []etRec{{7, 10, 1}, {7, 0, 2}, {7, 5, 4}, {7, 21, 8}})
	require.ElementsMatch(t, []etOut{{Key: 7, Start: 0, End: 15, N: 3, Sum: 7, A: 10}, {Key: 7, Start: 21, End: 26, N: 1, Sum: 8, A: 21}}, sess)
	tim := etBranch{kind: etTimers, x: 2, end: true}.expected(0, 1, []etRec{{1, 3, 0}, {1, 1, 0}, {1, 3, 0}})
	require.ElementsMatch(t, []etOut{{Key: 1, Start: 3, N: 1, Sum: 3, A: 1}, {Key: 1, Start: 5, N: 2, Sum: 3, A: 1},
		{Key: 1, Start: math.MaxInt64, N: 3, Sum: 2, A: 1}}, tim)
}

// faults draws one to four faults for the job: at a record of any
// operator, or at a snapshot, a restore or a commit of a stateful one.
func (j etJob) faults(r *rand.Rand) []flinksim.Fault {
	type target struct {
		name      string
		par       int
		records   int
		stateless bool
	}
	in := len(j.input())
	targets := []target{{"src", j.srcP, len(j.recs) / j.srcP, false}}
	if j.pre != preNone {
		targets = append(targets, target{"pre", j.preP, len(j.recs) / j.preP, true})
	}
	for i, b := range j.branches {
		name := fmt.Sprintf("b%d-%s", i, etKinds[b.kind])
		targets = append(targets, target{name, b.p, in / b.p, false})
		if b.rollup > 0 {
			targets = append(targets, target{name + "-rollup", b.rollupP, 1, false})
		}
	}
	targets = append(targets, target{"sink", j.sinkP, len(j.expected()) / j.sinkP, false})
	var faults []flinksim.Fault
	for i := range 1 + r.IntN(4) {
		tg := targets[r.IntN(len(targets))]
		f := flinksim.Fault{Operator: tg.name, Subtask: r.IntN(tg.par), Point: flinksim.FaultPoint(1 + r.IntN(4))}
		if tg.stateless || (i == 0 && f.Point == flinksim.FaultRestore) {
			f.Point = flinksim.FaultRecord
		}
		switch f.Point {
		case flinksim.FaultRecord:
			f.After = 1 + r.Int64N(int64(max(tg.records/2, 1)))
		case flinksim.FaultSnapshot, flinksim.FaultCommit:
			f.After = 1 + r.Int64N(3)
		}
		faults = append(faults, f)
	}
	return faults
}

// runEO runs the job with exactly-once checkpoints every interval, into a
// transactional sink, with extra options (faults, savepoints, restores).
func (j etJob) runEO(t *testing.T, ctx context.Context, out *flinksim.TransactionalCollector[etOut], cp flinksim.CheckpointConfig, extra ...flinksim.Option) *flinksim.JobResult {
	t.Helper()
	cp.Mode = flinksim.ExactlyOnce
	opts := append(j.options(), flinksim.WithCheckpointing(cp), flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(10, 0)))
	env := flinksim.NewEnvironment(append(opts, extra...)...)
	j.build(env, func(s flinksim.Stream[etOut]) {
		flinksim.CollectTransactional(s, "sink", out, flinksim.Parallelism(j.sinkP))
	})
	res, err := env.Execute(ctx, fmt.Sprintf("et-eo-%d", j.seed))
	require.NoError(t, err)
	return res
}

// etFaultStats are what the exactly-once runs saw, over all seeds.
type etFaultStats struct{ struck, restarts, dropped atomic.Int64 }

// checkETExactlyOnce runs seed's job with its faults until every fault
// strikes (moving those that did not to points the run reaches, dropping
// them after a few tries: a keyed subtask may own no key), and demands
// the reference's output committed. (The transactions the failed attempts
// left open are the external system's to expire.)
func checkETExactlyOnce(t *testing.T, test string, j etJob, stats *etFaultStats) {
	r := rand.New(rand.NewPCG(j.seed, 0xfa17))
	faults := j.faults(r)
	interval := cpMillis(1 + r.IntN(6))
	if !j.sim {
		interval = time.Millisecond
	}
	etReplay(t, test, j)
	want := j.expected()
	for try := 0; ; try++ {
		inj := flinksim.NewFaultInjector(faults...)
		out := flinksim.NewTransactionalCollector[etOut]()
		res := j.runEO(t, cpDeadline(t), out, flinksim.CheckpointConfig{Interval: interval}, flinksim.WithFaults(inj))
		unstruck := inj.Unstruck()
		if len(unstruck) == 0 || try == 5 {
			t.Logf("faults %v: %d struck, %d restarts, %d checkpoints", faults, inj.Struck(), res.Restarts, res.Checkpoints.NumberOfCompletedCheckpoints)
			stats.struck.Add(int64(inj.Struck()))
			stats.restarts.Add(res.Restarts)
			stats.dropped.Add(int64(len(unstruck)))
			requireOutput(t, want, sortET(out.Committed()), "committed output")
			return
		}
		faults = replan(faults, unstruck)
	}
}

// TestEventTimeExactlyOnceProperty: the random event-time jobs, on the
// simulation with one to four faults each — at a record of any operator,
// at a snapshot, restore or commit of a stateful one — restarting from
// their exactly-once checkpoints, commit exactly the reference's output:
// no window firing or timer output lost or duplicated.
//
// Mutants (each made once in the core; each failed this test or
// TestEventTimeProperty, the default seeds):
//   - state.Timers.Pop firing timers before the watermark reaches them
//     (time > upTo → time >= upTo): the timers at math.MaxInt64 never fire;
//   - timers firing a millisecond late (time > upTo → time > upTo-1);
//   - the task combining its inputs' watermarks with max instead of min;
//   - the final watermark not delivered at the end of input (Task.endData
//     without advanceInputWatermark(MaxWatermark));
//   - ForBoundedOutOfOrderness emitting max − bound instead of
//     max − bound − 1 (records right at the bound become late);
//   - window contents not in snapshots (window SnapshotState returning no
//     keyed state), and lost on restore (windowEntriesCodec.Decode keeping
//     no window);
//   - timers lost on restore (state.Timers.restore not queueing them);
//   - the timer tables not registered at open from restored state
//     (keyedTimers.open skipping them: a restored subtask that registers
//     no new timer never fires its old ones);
//   - keyed state of all but the first old subtask dropped on restore
//     (Backend.Restore reading blobs[:1]: key groups rescaled from other
//     subtasks lose their windows and timers);
//   - session merges dropping the merged accumulator;
//   - timers firing without their time as the current timestamp;
//   - a key's timer registered twice at one time firing twice;
//   - CountTrigger not resetting its count on firing;
//   - the window operator not forwarding watermarks (rollups then fire
//     only at the end of input; caught by the firing counts).
//
// Survives, being invisible to these jobs: the keyed process operator not
// forwarding watermarks (nothing event-time reads the timers branch's
// output); the window operator not stamping its results with the window's
// max timestamp (the firing timer's time is the same, but for count
// triggers, whose results go nowhere event-time).
func TestEventTimeExactlyOnceProperty(t *testing.T) {
	var stats etFaultStats
	t.Run("seeds", func(t *testing.T) {
		for seed := range uint64(*etSeeds) {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				j := genETJob(seed)
				j.sim = true
				checkETExactlyOnce(t, "TestEventTimeExactlyOnceProperty/seeds", j, &stats)
			})
		}
	})
	t.Logf("faults struck: %d, restarts: %d, faults dropped: %d", stats.struck.Load(), stats.restarts.Load(), stats.dropped.Load())
	require.Greater(t, stats.struck.Load(), int64(*etSeeds), "too few faults struck")
}

// TestEventTimeExactlyOncePropertyConcurrent runs some of the jobs with
// faults on the concurrent executor.
func TestEventTimeExactlyOncePropertyConcurrent(t *testing.T) {
	var stats etFaultStats
	for seed := range uint64(max(*etSeeds/4, 1)) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			j := genETJob(seed)
			j.sim = false
			checkETExactlyOnce(t, "TestEventTimeExactlyOncePropertyConcurrent", j, &stats)
		})
	}
	t.Logf("faults struck: %d, restarts: %d, faults dropped: %d", stats.struck.Load(), stats.restarts.Load(), stats.dropped.Load())
}

// TestEventTimeStopAndRescale: the random event-time jobs, stopped with a
// savepoint without draining at a random record of a source subtask — its
// windows and timers still open, in the savepoint — then restored at other
// parallelisms (on either executor) and run to the end, commit exactly the
// reference's output.
func TestEventTimeStopAndRescale(t *testing.T) {
	var midway atomic.Int64
	t.Run("seeds", func(t *testing.T) {
		for seed := range uint64(*etSeeds) {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				r := rand.New(rand.NewPCG(seed, 0x5709))
				j := genETJob(seed)
				j.sim = true
				v := j.varied(2)
				etReplay(t, "TestEventTimeStopAndRescale/seeds", j, v)
				want := j.expected()
				// The last source subtask has the most records.
				sub := j.srcP - 1
				records := len(j.recs) - len(j.recs)*sub/j.srcP
				after := 1 + r.Int64N(int64(max(records/2, 1)))
				t.Logf("stop after record %d of src subtask %d (of %d)", after, sub, records)

				store, _ := cpMemStore(t)
				out := flinksim.NewTransactionalCollector[etOut]()
				res := j.runEO(t, cpDeadline(t), out, flinksim.CheckpointConfig{Store: store, Interval: cpMillis(1 + r.IntN(20))},
					flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "src", Subtask: sub, After: after, Name: "stop", Stop: true}))
				stopped := slices.ContainsFunc(res.Checkpoints.History, func(c flinksim.CheckpointRecord) bool {
					return c.Savepoint == "stop" && c.Status == flinksim.CheckpointCompleted
				})
				require.True(t, stopped, "the stop's savepoint did not complete: %+v", res.Checkpoints.History)
				require.Zero(t, out.Uncommitted(), "pre-committed output left behind by the stop")
				if len(out.Committed()) < len(want) {
					midway.Add(1)
				}

				v.runEO(t, cpDeadline(t), out, flinksim.CheckpointConfig{Store: store, Interval: cpMillis(5)},
					flinksim.WithRestoreFrom("savepoints/stop", false))
				requireOutput(t, want, sortET(out.Committed()), "committed output")
				require.Zero(t, out.Uncommitted(), "records left uncommitted")
			})
		}
	})
	require.Greater(t, midway.Load(), int64(*etSeeds/2), "too few stops left output to the restored job")
}
