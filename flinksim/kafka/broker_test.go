package kafka_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// TestBrokerGoesAway closes the cluster under a running exactly-once job
// and starts another on the same port over the same data directory: the
// job fails (its partition discovery does), restarts until the broker is
// back, and its output holds every result exactly once.
//
// Mutant it kills: a failed discovery logged and retried instead of
// failing the subtask (no restart: the wait for one times out).
func TestBrokerGoesAway(t *testing.T) {
	dir := t.TempDir()
	c1, brokers := cluster(t, kfake.DataDir(dir), kfake.SyncWrites())
	_, portText, _ := net.SplitHostPort(brokers[0])
	port, _ := strconv.Atoi(portText)
	createTopic(t, brokers, "in", 2)
	createTopic(t, brokers, "out", 2)
	produce(t, brokers, numbered("in", 0, 100, 5)...)

	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Deserializer: deserialize,
		RequestTimeout: time.Second, DiscoveryInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 20 * time.Millisecond, Timeout: 3 * time.Second}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1000, 50*time.Millisecond)))
	if err := kafka.Sink(counting(flinksim.FromSource(env, "kafka-in", src)), "kafka-out", kafka.SinkConfig[in]{Brokers: brokers,
		Topic: "out", Serializer: serialize, Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "away",
		TransactionTimeout: 10 * time.Second, RequestTimeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	j, err := env.Start(context.Background(), "away")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { j.Cancel(); <-j.Done() }()
	waitRecords(t, brokers, "out", 100, true)

	c1.Close()
	waitRestarts(t, j, 1)
	c2, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir), kfake.SyncWrites())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	produce(t, brokers, numbered("in", 100, 100, 5)...)
	waitRecords(t, brokers, "out", 200, true)
	if d := diffKeys(expected(readAll(t, brokers, "in", false)), byKey(readAll(t, brokers, "out", false))); d != "" {
		t.Fatal(d)
	}
}

// waitRestarts waits until the job restarted n times; the job sends no
// event for it, so it polls, bounded.
func waitRestarts(t *testing.T, j *flinksim.JobClient, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for j.Restarts() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d restarts, want %d: %v", j.Restarts(), n, j.Exceptions())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
