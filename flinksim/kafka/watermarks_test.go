package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// The watermark tests run on a ManualClock: the periodic watermark emits
// run only when a test advances it, once it has seen the records it
// waits for, so what each emit sees is known.
const (
	wmInterval = 5 * time.Millisecond
	wmIdleness = 20 * time.Millisecond
)

// stamped is a record the probe saw, with its event timestamp.
type stamped struct {
	V  int64
	Ts int64
}

// fired is an event-time timer that fired, with the watermark then.
type fired struct {
	At, Watermark int64
}

// wmProbe is what the probe job reports, as it happens.
type wmProbe struct {
	records chan stamped
	timers  chan fired
}

// probeFn registers an event-time timer at each of timers with its first
// record (all are of key "k") and reports records and timers to its probe.
type probeFn struct {
	p          wmProbe
	timers     []int64
	registered bool
}

func (f *probeFn) ProcessElement(ctx *flinksim.KeyedContext[string], r in, _ flinksim.Collector[int]) error {
	if !f.registered {
		f.registered = true
		for _, at := range f.timers {
			ctx.TimerService().RegisterEventTimeTimer(at)
		}
	}
	f.p.records <- stamped{r.V, ctx.Timestamp()}
	return nil
}

func (f *probeFn) OnTimer(ctx *flinksim.OnTimerContext[string], at int64, _ flinksim.Collector[int]) error {
	f.p.timers <- fired{at, ctx.TimerService().CurrentWatermark()}
	return nil
}

// startProbeJob starts topic "in" → source (parallelism 1, watermarks
// from strategy) → the probe (which emits nothing) → a sink, on a
// ManualClock.
func startProbeJob(t *testing.T, brokers []string, strategy flinksim.WatermarkStrategy[in], stop *kafka.Offsets, timers ...int64) (*flinksim.JobClient, *flinksim.ManualClock, wmProbe) {
	t.Helper()
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Stop: stop, Deserializer: deserialize})
	if err != nil {
		t.Fatal(err)
	}
	clock := flinksim.NewManualClock(time.UnixMilli(1_000_000))
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clock),
		func(c *flinksim.Config) { c.WatermarkInterval = wmInterval })
	p := wmProbe{records: make(chan stamped, 64), timers: make(chan fired, 64)}
	keyed := flinksim.KeyBy(flinksim.FromSourceWithWatermarks(env, "kafka-in", src, strategy), func(in) string { return "k" })
	flinksim.Collect(flinksim.Process(keyed, "probe", func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, in, int], error) {
		return &probeFn{p: p, timers: timers}, nil
	}), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	job, err := env.Start(ctx, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { job.Cancel(); <-job.Done() })
	return job, clock, p
}

// produceAt writes a record of value v to partition p of "in" with
// event timestamp ts (ms).
func produceAt(t *testing.T, cl *kgo.Client, p int32, v, ts int64) {
	t.Helper()
	r := &kgo.Record{Topic: "in", Partition: p, Key: []byte("k"), Value: strconv.AppendInt(nil, v, 10), Timestamp: time.UnixMilli(ts)}
	if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// awaitRecords waits for the probe to see n records and returns them.
func (p wmProbe) awaitRecords(t *testing.T, n int) []stamped {
	t.Helper()
	out := make([]stamped, 0, n)
	deadline := time.After(20 * time.Second)
	for len(out) < n {
		select {
		case r := <-p.records:
			out = append(out, r)
		case <-deadline:
			t.Fatalf("the probe saw %v, want %d records", out, n)
		}
	}
	return out
}

// awaitTimer waits for the next timer to fire.
func (p wmProbe) awaitTimer(t *testing.T) fired {
	t.Helper()
	select {
	case f := <-p.timers:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no timer fired")
	}
	return fired{}
}

// TestPartitionWatermarks: with FromSourceWithWatermarks each partition
// has a watermark generator of its own and the subtask's watermark is the
// minimum over its partitions, so a lagging partition holds it back, as
// in Flink's KafkaSource; record timestamps are the event timestamps.
//
// Mutants: PollNext emitting through the reader's main output
// (ro.CollectAt: the partitions' own outputs never see a record and hold
// the watermark, no timer fires); sourceOutput.combine taking max
// instead of min over the splits; p.out.Collect(v) without the record's
// timestamp (the records' timestamps are NoTimestamp) — each fails this
// test.
func TestPartitionWatermarks(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := range int64(3) {
		produceAt(t, cl, 0, i, 1000+i)
	}
	produceAt(t, cl, 1, 3, 100) // partition 1 lags
	_, clock, p := startProbeJob(t, brokers, flinksim.ForMonotonousTimestamps[in](), nil, 99, 500)

	got := p.awaitRecords(t, 4)
	slices.SortFunc(got, func(a, b stamped) int { return int(a.V - b.V) })
	if want := []stamped{{0, 1000}, {1, 1001}, {2, 1002}, {3, 100}}; !slices.Equal(got, want) {
		t.Fatalf("records %v, want %v (the Kafka timestamps)", got, want)
	}
	clock.Advance(wmInterval)
	if f := p.awaitTimer(t); f != (fired{99, 99}) {
		t.Fatalf("first timer %+v, want the one at 99 under watermark 99: partition 1 holds it back", f)
	}
	produceAt(t, cl, 1, 4, 2000) // partition 1 overtakes partition 0
	p.awaitRecords(t, 1)
	clock.Advance(wmInterval)
	if f := p.awaitTimer(t); f != (fired{500, 1001}) {
		t.Fatalf("second timer %+v, want the one at 500 under watermark 1001: now partition 0 holds it back", f)
	}
}

// TestEmptyPartitionHoldsWatermark: a partition that has no record yet
// holds the watermark back (its output exists from the start, as Flink
// creates split outputs when splits are added); WithIdleness is what lets
// it go (TestIdlePartition).
//
// Mutants: the split outputs created at a partition's first record
// instead of at the start of PollNext (the fresh loop removed, and
// p.out = ro.Split(p.id) when nil before CollectAt: the emit before
// partition 1's record sees partition 0 alone, and the timer at 99 fires
// under watermark 1001) — fails this test, 5 runs of 5.
func TestEmptyPartitionHoldsWatermark(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := range int64(3) {
		produceAt(t, cl, 0, i, 1000+i)
	}
	_, clock, p := startProbeJob(t, brokers, flinksim.ForMonotonousTimestamps[in](), nil, 99, 500)
	p.awaitRecords(t, 3)
	clock.Advance(wmIdleness) // an emit that sees partition 0 only
	produceAt(t, cl, 1, 3, 100)
	p.awaitRecords(t, 1)
	clock.Advance(wmInterval)
	if f := p.awaitTimer(t); f != (fired{99, 99}) {
		t.Fatalf("first timer %+v, want the one at 99 under watermark 99: the empty partition held the watermark", f)
	}
}

// TestIdlePartition: WithIdleness lets a partition that has had no
// record for the timeout stop holding the watermark back.
//
// Mutants: splitOutput.MarkIdle not marking the split idle (the empty
// partition holds the watermark at its minimum: no timer fires) — fails
// this test.
func TestIdlePartition(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := range int64(3) {
		produceAt(t, cl, 0, i, 1000+i)
	}
	_, clock, p := startProbeJob(t, brokers, flinksim.ForMonotonousTimestamps[in]().WithIdleness(wmIdleness), nil, 500)
	p.awaitRecords(t, 3)
	clock.Advance(wmIdleness) // partition 1 idle since the start, partition 0 active
	if f := p.awaitTimer(t); f != (fired{500, 1001}) {
		t.Fatalf("timer %+v, want the one at 500 under partition 0's watermark 1001", f)
	}
}

// TestBoundedPartitionReleases: a bounded partition read to its stop
// offset releases its output, so its watermark holds the others back no
// more, while the job goes on reading them.
//
// Mutants: finish not calling ro.ReleaseSplit (partition 0 holds the
// watermark at 100: the timer at 50 fires under it) — fails this test.
func TestBoundedPartitionReleases(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	produceAt(t, cl, 0, 0, 100)
	produceAt(t, cl, 0, 1, 101)
	produceAt(t, cl, 1, 2, 1000)
	produceAt(t, cl, 1, 3, 1001)
	stop := kafka.Specific(map[kafka.TopicPartition]int64{{Topic: "in", Partition: 0}: 2, {Topic: "in", Partition: 1}: 4})
	job, clock, p := startProbeJob(t, brokers, flinksim.ForMonotonousTimestamps[in](), &stop, 50, 500)
	p.awaitRecords(t, 4) // partition 0 is read to its end
	clock.Advance(wmInterval)
	for _, want := range []fired{{50, 1000}, {500, 1000}} {
		if f := p.awaitTimer(t); f != want {
			t.Fatalf("timer %+v, want %+v: the finished partition 0 must not hold the watermark", f, want)
		}
	}
	select {
	case <-job.Done():
		t.Fatal("the job ended before partition 1 reached its stop offset")
	default:
	}
	produceAt(t, cl, 1, 4, 1002)
	produceAt(t, cl, 1, 5, 1003)
	<-job.Done()
	if err := job.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestRecordTimestamps: without a watermark strategy (FromSource) the
// records still carry their Kafka timestamps as event timestamps.
//
// Mutants: p.out.Collect(v) instead of CollectAt with the record's
// timestamp — fails this test.
func TestRecordTimestamps(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	want := map[int64]int64{}
	for i := range int64(6) {
		ts := 1_700_000_000_000 + 7*i
		produceAt(t, cl, int32(i%2), i, ts)
		want[i] = ts
	}
	stop := kafka.Latest()
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Stop: &stop, Deserializer: deserialize})
	if err != nil {
		t.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	keyed := flinksim.KeyBy(flinksim.FromSource(env, "kafka-in", src), func(r in) string { return fmt.Sprint(r.V) })
	stamps := flinksim.Process(keyed, "stamp", func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, in, stamped], error) {
		return flinksim.ProcessFunc[string, in, stamped](func(ctx *flinksim.KeyedContext[string], r in, out flinksim.Collector[stamped]) error {
			out.Collect(stamped{r.V, ctx.Timestamp()})
			return nil
		}), nil
	})
	sink := flinksim.Collect(stamps, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := env.Execute(ctx, t.Name()); err != nil {
		t.Fatal(err)
	}
	got := map[int64]int64{}
	for _, s := range sink.Values() {
		got[s.V] = s.Ts
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("timestamps %v, want %v", got, want)
	}
}
