package kafka_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// TestBusyCoordinatorIsRetried: a real broker asked to fence a transaction
// that is still open aborts it in the background and answers
// CONCURRENT_TRANSACTIONS until it is done; kfake never does, so the test
// makes it answer so once. The sink tries again instead of failing its
// start: a job with no restarts allowed writes its output, and the
// lingering record stays invisible.
//
// Mutant killed: initProducer without retryBusy (the job fails with
// CONCURRENT_TRANSACTIONS).
func TestBusyCoordinatorIsRetried(t *testing.T) {
	c, brokers := cluster(t)
	createTopic(t, brokers, "out", 1)
	// A transaction an earlier attempt left open.
	lingering := client(t, brokers, kgo.TransactionalID("busy-0-0"), kgo.DefaultProduceTopic("out"))
	if err := lingering.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := lingering.ProduceSync(context.Background(), &kgo.Record{Value: []byte("lingering")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var busy atomic.Int32
	c.ControlKey(int16(kmsg.InitProducerID), func(req kmsg.Request) (kmsg.Response, error, bool) {
		r := req.(*kmsg.InitProducerIDRequest)
		if r.TransactionalID == nil || *r.TransactionalID != "busy-0-0" || !busy.CompareAndSwap(0, 1) {
			c.KeepControl()
			return nil, nil, false
		}
		resp := r.ResponseKind().(*kmsg.InitProducerIDResponse)
		resp.ErrorCode = kerr.ConcurrentTransactions.Code
		return resp, nil, true
	})

	env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour}),
		flinksim.WithRestartStrategy(flinksim.NoRestart()))
	values := flinksim.FromSlice(env, "values", []string{"a", "b", "c"})
	if err := kafka.Sink(values, "out", kafka.SinkConfig[string]{Brokers: brokers, Topic: "out", Delivery: kafka.ExactlyOnce,
		TransactionalIDPrefix: "busy", Serializer: func(v string) (kafka.Message, error) { return kafka.Message{Value: []byte(v)}, nil }}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := env.Execute(ctx, "busy"); err != nil {
		t.Fatalf("the sink gave up on a busy coordinator: %v", err)
	}
	if busy.Load() != 1 {
		t.Fatal("the coordinator never answered CONCURRENT_TRANSACTIONS: the test tested nothing")
	}
	var got []string
	for _, r := range readAll(t, brokers, "out", false) {
		got = append(got, string(r.Value))
	}
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Fatalf("read committed: %q, want a, b, c", got)
	}
}
