package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// writeTransactions writes "aborted-1", "aborted-2" in a transaction it
// aborts and "committed" in one it commits, to partition 0 of topic.
func writeTransactions(t *testing.T, brokers []string, topic string) {
	t.Helper()
	cl := client(t, brokers, kgo.TransactionalID("writer"), kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	ctx := context.Background()
	for _, txn := range []struct {
		values []string
		end    kgo.TransactionEndTry
	}{{[]string{"aborted-1", "aborted-2"}, kgo.TryAbort}, {[]string{"committed"}, kgo.TryCommit}} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, v := range txn.values {
			if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		if err := cl.EndTransaction(ctx, txn.end); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKafkaGoReadsAbortedRecords reproduces segmentio/kafka-go issue 1332:
// its Reader, even with IsolationLevel ReadCommitted, returns the records
// of an aborted transaction. This is why the source reads with franz-go.
func TestKafkaGoReadsAbortedRecords(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "txn", 1)
	writeTransactions(t, brokers, "txn")

	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: "txn", Partition: 0,
		IsolationLevel: kafkago.ReadCommitted, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	for !slices.Contains(got, "committed") {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read: %v (so far %q)", err, got)
		}
		got = append(got, string(m.Value))
	}
	if !slices.Contains(got, "aborted-1") {
		t.Fatalf("kafka-go read %q in read-committed mode: issue 1332 no longer reproduces; the package doc says it does", got)
	}
	t.Logf("kafka-go, read committed, read %q", got)
}

// TestSourceSkipsAbortedTransactions: the source, read-committed by
// default, never emits an aborted record; ReadUncommitted emits them.
//
// Mutant it kills: the reader's client left at ReadUncommitted (the
// aborted records are emitted).
func TestSourceSkipsAbortedTransactions(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "txn", 1)
	writeTransactions(t, brokers, "txn")
	for _, uncommitted := range []bool{false, true} {
		stop := kafka.Latest()
		src, err := kafka.NewSource(kafka.SourceConfig[string]{Brokers: brokers, Topics: []string{"txn"}, Stop: &stop,
			ReadUncommitted: uncommitted, Deserializer: func(r *kafka.Record) (string, error) { return string(r.Value), nil }})
		if err != nil {
			t.Fatal(err)
		}
		env := flinksim.NewEnvironment()
		sink := flinksim.Collect(flinksim.FromSource(env, "kafka-in", src), "c")
		if _, err := env.Execute(context.Background(), "txn"); err != nil {
			t.Fatal(err)
		}
		want := []string{"committed"}
		if uncommitted {
			want = []string{"aborted-1", "aborted-2", "committed"}
		}
		if got := sink.Values(); !slices.Equal(got, want) {
			t.Fatalf("uncommitted %v: got %q, want %q", uncommitted, got, want)
		}
	}
}

// TestAtLeastOnceDuplicates: a restart writes again what the
// at-least-once sink wrote after the last completed checkpoint — here,
// with none completed before the failure and every record written at
// once, the 50 counted before it — and loses nothing.
func TestAtLeastOnceDuplicates(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	createTopic(t, brokers, "out", 2)
	produce(t, brokers, numbered("in", 0, 300, 5)...)
	inj := flinksim.NewFaultInjector(flinksim.Fault{Operator: "count", Subtask: 0, Point: flinksim.FaultRecord, After: 50})
	res := eoJob(t, brokers, "", 1, kafka.AtLeastOnce, inj, time.Hour, 1)
	if res.Restarts != 1 {
		t.Fatalf("%d restarts", res.Restarts)
	}
	if dups := noLoss(t, brokers); dups < 50 {
		t.Fatalf("%d duplicates, want at least 50", dups)
	}
}

// noLoss checks that out holds every result of in, and returns how many
// more it holds.
func noLoss(t *testing.T, brokers []string) int {
	t.Helper()
	got := byKey(readAll(t, brokers, "out", false))
	dups := 0
	for k, w := range expected(readAll(t, brokers, "in", false)) {
		for _, v := range w {
			if !slices.Contains(got[k], v) {
				t.Fatalf("key %s: %q lost", k, v)
			}
		}
		dups += len(got[k]) - len(w)
	}
	return dups
}

// armed fails the counting operator at its next batch once armed.
type armed struct{ on atomic.Bool }

func (a *armed) Strike(op string, _ int, point flinksim.FaultPoint, _ int64) error {
	if op == "count" && point == flinksim.FaultRecord && a.on.CompareAndSwap(true, false) {
		return fmt.Errorf("%w: armed", flinksim.ErrInjected)
	}
	return nil
}

// TestAtLeastOnceFlushesAtCheckpoints: records the at-least-once sink
// holds in its batch are written before a checkpoint completes, so a
// failure after it loses nothing. The batch is larger than the input:
// only the checkpoint writes it.
//
// Mutant it kills: Flush writing only at the end of input (the first
// records never reach out before the failure: the wait for them times
// out).
func TestAtLeastOnceFlushesAtCheckpoints(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	createTopic(t, brokers, "out", 2)
	produce(t, brokers, numbered("in", 0, 200, 5)...)
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Deserializer: deserialize})
	if err != nil {
		t.Fatal(err)
	}
	fail := &armed{}
	env := flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)), flinksim.WithFaults(fail))
	if err := kafka.Sink(counting(flinksim.FromSource(env, "kafka-in", src)), "kafka-out", kafka.SinkConfig[in]{Brokers: brokers,
		Topic: "out", Serializer: serialize, Delivery: kafka.AtLeastOnce, BatchSize: 100000}); err != nil {
		t.Fatal(err)
	}
	j, err := env.Start(context.Background(), "alo")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { j.Cancel(); <-j.Done() }()
	waitRecords(t, brokers, "out", 200, false)
	fail.on.Store(true)
	produce(t, brokers, numbered("in", 200, 200, 5)...)
	waitRecords(t, brokers, "out", 400, false)
	if j.Restarts() != 1 {
		t.Fatalf("%d restarts", j.Restarts())
	}
	noLoss(t, brokers)
}

// waitRecords waits until topic holds at least n records (committed
// ones, if committed): the brokers send no event for it, so it polls,
// bounded.
func waitRecords(t *testing.T, brokers []string, topic string, n int, committed bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := len(readAll(t, brokers, topic, !committed))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d records, want %d", topic, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSinkErrors: a message without a topic, and a serializer error, fail
// the job with the cause.
func TestSinkErrors(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "out", 1)
	boom := errors.New("boom")
	for _, tc := range []struct {
		ser  func(in) (kafka.Message, error)
		want error
	}{
		{func(in) (kafka.Message, error) { return kafka.Message{Value: []byte("x")}, nil }, kafka.ErrConfig},
		{func(in) (kafka.Message, error) { return kafka.Message{}, boom }, boom},
	} {
		for _, d := range []kafka.Delivery{kafka.AtLeastOnce, kafka.ExactlyOnce} {
			env := flinksim.NewEnvironment(flinksim.WithRestartStrategy(flinksim.NoRestart()))
			if err := kafka.Sink(flinksim.FromSlice(env, "s", []in{{"k", 1}}), "out",
				kafka.SinkConfig[in]{Brokers: brokers, Serializer: tc.ser, Delivery: d, TransactionalIDPrefix: "e"}); err != nil {
				t.Fatal(err)
			}
			if _, err := env.Execute(context.Background(), "errors"); !errors.Is(err, tc.want) {
				t.Errorf("%v: %v, want %v", d, err, tc.want)
			}
		}
	}
}

// TestDeliveryNone: without failures the NONE sink writes every record
// once, the last batch at the end of input.
//
// Mutant it kills: Flush(true) not writing what is buffered (the records
// after the last full batch are missing).
func TestDeliveryNone(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	createTopic(t, brokers, "out", 2)
	produce(t, brokers, numbered("in", 0, 250, 5)...)
	eoJob(t, brokers, "", 2, kafka.DeliveryNone, nil, time.Hour, 100)
	if d := diffKeys(expected(readAll(t, brokers, "in", false)), byKey(readAll(t, brokers, "out", false))); d != "" {
		t.Fatal(d)
	}
}
