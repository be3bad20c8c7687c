package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// holdSnapshot fails subtask 0 of the sink at its next snapshot once
// armed, but only after subtasks 1 and 2 pre-committed theirs: their
// transactions are then left open, for no checkpoint will commit them.
type holdSnapshot struct {
	armed     chan struct{} // closed to arm
	mu        sync.Mutex
	committed map[int]bool
	both      chan struct{} // closed when subtasks 1 and 2 pre-committed
	once      sync.Once
}

func (h *holdSnapshot) trace(e flinksim.TraceEvent) {
	if e.Kind != flinksim.TracePreCommit || e.Operator != "kafka-out" || !isClosed(h.armed) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.committed[e.Subtask] = true
	if h.committed[1] && h.committed[2] {
		h.once.Do(func() { close(h.both) })
	}
}

func (h *holdSnapshot) Strike(op string, subtask int, point flinksim.FaultPoint, n int64) error {
	if op != "kafka-out" || subtask != 0 || point != flinksim.FaultSnapshot || !isClosed(h.armed) {
		return nil
	}
	select {
	case <-h.both:
	case <-time.After(20 * time.Second):
		return fmt.Errorf("%w: subtasks 1 and 2 never pre-committed", flinksim.ErrInjected)
	}
	return fmt.Errorf("%w: sink subtask 0 at checkpoint %d", flinksim.ErrInjected, n)
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// openTransactions reports whether topic has records of open
// transactions: its last stable offset is behind its high watermark.
func openTransactions(t *testing.T, brokers []string, topic string, partitions int32) bool {
	t.Helper()
	end := func(isolation int8) map[int32]int64 {
		req := kmsg.NewPtrListOffsetsRequest()
		req.ReplicaID, req.IsolationLevel = -1, isolation
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for p := range partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(context.Background(), client(t, brokers))
		if err != nil {
			t.Fatal(err)
		}
		out := map[int32]int64{}
		for _, p := range resp.Topics[0].Partitions {
			out[p.Partition] = p.Offset
		}
		return out
	}
	hw, stable := end(0), end(1)
	for p := range hw {
		if stable[p] < hw[p] {
			return true
		}
	}
	return false
}

// TestRescaleAbortsLingeringTransactions: a job of parallelism 3 fails
// after two of its sink subtasks pre-committed transactions that no
// checkpoint will commit; restored from an earlier savepoint at
// parallelism 2, it aborts them — the chain of old subtask 2 by new
// subtask 0 — so no transaction stays open to hold read-committed
// consumers back, and the restored job's output becomes visible.
//
// Mutant it kills: abortLingering taking only the subtask's own chain
// (old subtask 2's transaction stays open: the topic keeps open
// transactions and the committed records stop short).
func TestRescaleAbortsLingeringTransactions(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 3)
	createTopic(t, brokers, "out", 3)
	dir := t.TempDir()
	start := func(parallelism int, faults flinksim.Faults, tracer func(flinksim.TraceEvent), opts ...flinksim.Option) *flinksim.JobClient {
		src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Deserializer: deserialize})
		if err != nil {
			t.Fatal(err)
		}
		env := flinksim.NewEnvironment(append([]flinksim.Option{flinksim.WithParallelism(parallelism),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour, SavepointDir: dir}),
			flinksim.WithRestartStrategy(flinksim.NoRestart()), flinksim.WithFaults(faults), flinksim.WithTracer(tracer)}, opts...)...)
		if err := kafka.Sink(counting(flinksim.FromSource(env, "kafka-in", src)), "kafka-out", kafka.SinkConfig[in]{Brokers: brokers,
			Topic: "out", Serializer: serialize, Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "rescale",
			TransactionTimeout: 5 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		j, err := env.Start(context.Background(), "rescale")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Cancel(); <-j.Done() })
		return j
	}
	h := &holdSnapshot{armed: make(chan struct{}), committed: map[int]bool{}, both: make(chan struct{})}
	j1 := start(3, h, h.trace)
	produce(t, brokers, numbered("in", 0, 300, 30)...)
	waitRecords(t, brokers, "out", 300, false)
	sp, err := j1.TriggerSavepoint(context.Background(), "sp")
	if err != nil {
		t.Fatal(err)
	}
	// A savepoint commits nothing; the checkpoint after it commits both.
	if _, err := j1.TriggerCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitRecords(t, brokers, "out", 300, true)
	produce(t, brokers, numbered("in", 300, 300, 30)...)
	waitRecords(t, brokers, "out", 600, false)
	close(h.armed)
	if _, err := j1.TriggerCheckpoint(context.Background()); err == nil {
		t.Fatal("checkpoint 2 completed; the fault did not strike")
	}
	<-j1.Done()
	if !openTransactions(t, brokers, "out", 3) {
		t.Fatal("the failed job left no transaction open: the test tests nothing")
	}

	j2 := start(2, nil, func(flinksim.TraceEvent) {}, flinksim.WithRestoreFrom(sp.Ref, false))
	// Written, committed or not: the savepoint's 300, the failed job's
	// 300 after it, and the restored job's 300.
	waitRecords(t, brokers, "out", 900, false)
	if _, err := j2.TriggerCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The restored job reads the 300 records after the savepoint again:
	// committed, they follow the savepoint's 300.
	waitRecords(t, brokers, "out", 600, true)
	if openTransactions(t, brokers, "out", 3) {
		t.Fatal("transactions still open after the restore")
	}
}
