package kafka_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// runBounded reads cfg's topics to their stop offsets and returns the
// values, sorted.
func runBounded(t *testing.T, cfg kafka.SourceConfig[in], parallelism int) []int64 {
	t.Helper()
	if cfg.Stop == nil {
		stop := kafka.Latest()
		cfg.Stop = &stop
	}
	cfg.Deserializer = deserialize
	src, err := kafka.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(parallelism))
	sink := flinksim.Collect(flinksim.FromSource(env, "kafka-in", src), "collect")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := env.Execute(ctx, "bounded"); err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range sink.Values() {
		out = append(out, r.V)
	}
	slices.Sort(out)
	return out
}

func span(from, to int64) []int64 {
	var out []int64
	for v := from; v < to; v++ {
		out = append(out, v)
	}
	return out
}

// TestStartOffsets reads a bounded topic from each kind of start offset.
//
// Mutants it kills: Timestamp listing the latest offset instead (reads
// nothing); Specific ignoring the map (reads everything); Committed
// ignoring the group's offsets (reads everything); the bounded stop
// offset one past the end (the job never finishes: Execute times out).
func TestStartOffsets(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 1)
	base := time.UnixMilli(1_700_000_000_000)
	var recs []*kgo.Record
	for i, r := range numbered("in", 0, 20, 3) {
		r.Partition, r.Timestamp = 0, base.Add(time.Duration(i)*time.Second)
		recs = append(recs, r)
	}
	produce(t, brokers, recs...)
	commit := kmsg.NewPtrOffsetCommitRequest()
	commit.Group, commit.Generation = "g", -1
	ct := kmsg.NewOffsetCommitRequestTopic()
	ct.Topic = "in"
	cp := kmsg.NewOffsetCommitRequestTopicPartition()
	cp.Partition, cp.Offset = 0, 12
	ct.Partitions = append(ct.Partitions, cp)
	commit.Topics = append(commit.Topics, ct)
	versions := kversion.Stable()
	versions.SetMaxKeyVersion(kmsg.OffsetCommit.Int16(), 9)
	if resp, err := commit.RequestWith(context.Background(), client(t, brokers, kgo.MaxVersions(versions))); err != nil || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("commit: %v %+v", err, resp)
	}
	for _, tc := range []struct {
		name  string
		start kafka.Offsets
		group string
		want  []int64
	}{
		{"earliest", kafka.Earliest(), "", span(0, 20)},
		{"latest", kafka.Latest(), "", nil},
		{"timestamp", kafka.Timestamp(base.Add(7 * time.Second)), "", span(7, 20)},
		{"specific", kafka.Specific(map[kafka.TopicPartition]int64{{Topic: "in", Partition: 0}: 15}), "", span(15, 20)},
		{"committed", kafka.Committed(kafka.Earliest()), "g", span(12, 20)},
		{"committed-none", kafka.Committed(kafka.Latest()), "other", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runBounded(t, kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Start: tc.start, GroupID: tc.group, DisableOffsetCommits: true}, 1)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("specific-stop", func(t *testing.T) {
		stop := kafka.Specific(map[kafka.TopicPartition]int64{{Topic: "in", Partition: 0}: 5})
		got := runBounded(t, kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Stop: &stop}, 2)
		if !slices.Equal(got, span(0, 5)) {
			t.Fatalf("got %v", got)
		}
	})
}

// TestConfigErrors: configurations that cannot work are refused up front,
// and a missing topic fails the start.
func TestConfigErrors(t *testing.T) {
	de := deserialize
	for _, cfg := range []kafka.SourceConfig[in]{
		{Topics: []string{"in"}, Deserializer: de},
		{Brokers: []string{"x:1"}, Deserializer: de},
		{Brokers: []string{"x:1"}, Topics: []string{"in"}},
		{Brokers: []string{"x:1"}, Topics: []string{"bad topic"}, Deserializer: de},
		{Brokers: []string{"x:1"}, Topics: []string{"in"}, Deserializer: de, Start: kafka.Committed(kafka.Earliest())},
		{Brokers: []string{"x:1"}, Topics: []string{"in"}, Deserializer: de, Stop: new(kafka.Earliest())},
		// Before 1970: -1 and -2 ms would mean Latest and Earliest.
		{Brokers: []string{"x:1"}, Topics: []string{"in"}, Deserializer: de, Start: kafka.Timestamp(time.UnixMilli(-1))},
	} {
		if _, err := kafka.NewSource(cfg); !errors.Is(err, kafka.ErrConfig) {
			t.Errorf("NewSource(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
	env := flinksim.NewEnvironment()
	if err := kafka.Sink(flinksim.FromSlice(env, "s", []in{}), "out", kafka.SinkConfig[in]{Brokers: []string{"x:1"}, Serializer: serialize, Delivery: kafka.ExactlyOnce}); !errors.Is(err, kafka.ErrConfig) {
		t.Errorf("exactly-once sink without a prefix: %v", err)
	}
	if err := kafka.Sink(flinksim.FromSlice(env, "s2", []in{}), "out2", kafka.SinkConfig[in]{Brokers: []string{"x:1"}, Serializer: serialize,
		Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: strings.Repeat("p", 201)}); !errors.Is(err, kafka.ErrConfig) {
		t.Errorf("exactly-once sink with a 201-byte prefix: %v", err)
	}

	_, brokers := cluster(t)
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"missing"}, Deserializer: de})
	if err != nil {
		t.Fatal(err)
	}
	env = flinksim.NewEnvironment(flinksim.WithRestartStrategy(flinksim.NoRestart()))
	flinksim.Collect(flinksim.FromSource(env, "kafka-in", src), "c")
	if _, err := env.Execute(context.Background(), "missing"); !errors.Is(err, kafka.ErrTopicNotFound) {
		t.Fatalf("job on a missing topic: %v, want ErrTopicNotFound", err)
	}
}

// watcher is a sink that records values and signals when it holds n.
type watcher struct {
	mu     sync.Mutex
	vs     []int64
	want   int
	reach  chan struct{}
	closed bool
}

func newWatcher(want int) *watcher { return &watcher{want: want, reach: make(chan struct{})} }

func (w *watcher) add(r in) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.vs = append(w.vs, r.V)
	if len(w.vs) >= w.want && !w.closed {
		w.closed = true
		close(w.reach)
	}
	return nil
}

func (w *watcher) wait(t *testing.T, j *flinksim.JobClient) []int64 {
	t.Helper()
	select {
	case <-w.reach:
	case <-j.Done():
		t.Fatalf("job ended: %v", j.Err())
	case <-time.After(30 * time.Second):
		t.Fatalf("waited for %d records, have %d", w.want, len(w.values()))
	}
	return w.values()
}

func (w *watcher) values() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.vs)
	slices.Sort(out)
	return out
}

func unbounded(t *testing.T, brokers []string, w *watcher, parallelism int, savepoints string, opts ...flinksim.Option) *flinksim.JobClient {
	t.Helper()
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, TopicPattern: regexpMust("^in"), Deserializer: deserialize,
		DiscoveryInterval: 20 * time.Millisecond, GroupID: "watch"})
	if err != nil {
		t.Fatal(err)
	}
	env := flinksim.NewEnvironment(append([]flinksim.Option{flinksim.WithParallelism(parallelism),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 10 * time.Millisecond, SavepointDir: savepoints})}, opts...)...)
	flinksim.Sink(flinksim.FromSource(env, "kafka-in", src), "watch", w.add, flinksim.Parallelism(1))
	j, err := env.Start(context.Background(), "unbounded")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Cancel(); <-j.Done() })
	return j
}

// TestSavepointRestoreOtherParallelism stops a job reading three
// partitions and a partition added while it ran, with a savepoint, and
// restores it at another parallelism: together the two runs read every
// record once. Offsets of completed checkpoints reach the group.
//
// Mutants it kills: adopt ignoring discovered partitions (the records of
// the added partition and topic never arrive: the wait times out); the
// discovery split left out of the snapshot (the restored job finds no
// partition added after the restore: the wait times out); AddSplits
// resetting restored splits to EarliestOffset (duplicates).
func TestSavepointRestoreOtherParallelism(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 3)
	produce(t, brokers, numbered("in", 0, 30, 7)...)
	w1 := newWatcher(30)
	dir := t.TempDir()
	j1 := unbounded(t, brokers, w1, 2, dir)
	w1.wait(t, j1)

	// Partitions and topics added while the job runs are found and read.
	addPartitions(t, brokers, "in", 5)
	createTopic(t, brokers, "in2", 1)
	var more []*kgo.Record
	for i, r := range numbered("in", 30, 20, 7) {
		r.Partition = int32(3 + i%2)
		more = append(more, r)
	}
	produceTo(t, brokers, more...)
	produce(t, brokers, numbered("in2", 50, 10, 3)...)
	w1.mu.Lock()
	w1.want, w1.closed, w1.reach = 60, false, make(chan struct{})
	w1.mu.Unlock()
	w1.wait(t, j1)
	waitCommitted(t, brokers, "watch", "in", 3)

	sp, err := j1.StopWithSavepoint(context.Background(), "sp", false)
	if err != nil {
		t.Fatal(err)
	}
	first := w1.values()
	produce(t, brokers, numbered("in", 60, 40, 7)...)
	w2 := newWatcher(40)
	j2 := unbounded(t, brokers, w2, 3, dir, flinksim.WithRestoreFrom(sp.Ref, false))
	w2.wait(t, j2)
	// The restored job discovers on: a partition added now is read too.
	addPartitions(t, brokers, "in", 6)
	w2.mu.Lock()
	w2.want, w2.closed, w2.reach = 45, false, make(chan struct{})
	w2.mu.Unlock()
	var last []*kgo.Record
	for _, r := range numbered("in", 100, 5, 7) {
		r.Partition = 5
		last = append(last, r)
	}
	produceTo(t, brokers, last...)
	second := w2.wait(t, j2)
	all := append(first, second...)
	slices.Sort(all)
	if !slices.Equal(all, span(0, 105)) || len(second) != 45 {
		t.Fatalf("first run %d, second %d: %v", len(first), len(second), all)
	}
}

// produceTo writes records to the partitions they name.
func produceTo(t *testing.T, brokers []string, recs ...*kgo.Record) {
	t.Helper()
	cl := client(t, brokers, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// waitCommitted waits until group has committed offsets for partitions
// partitions of topic: there is no event for it, so it polls, bounded.
func waitCommitted(t *testing.T, brokers []string, group, topic string, partitions int) {
	t.Helper()
	cl := client(t, brokers)
	deadline := time.Now().Add(20 * time.Second)
	for {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Group = group
		rt := kmsg.NewOffsetFetchRequestTopic()
		rt.Topic = topic
		for p := range partitions {
			rt.Partitions = append(rt.Partitions, int32(p))
		}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(context.Background(), cl)
		n := 0
		if err == nil {
			for _, tp := range resp.Topics {
				for _, p := range tp.Partitions {
					if p.Offset > 0 {
						n++
					}
				}
			}
		}
		if n == partitions {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("group %s committed %d of %d partitions (%v)", group, n, partitions, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
