package kafka_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// eoJob runs in → counting → out with an exactly-once sink, bounded at
// the end of in, with faults, and returns the finished job's result.
func eoJob(t *testing.T, brokers []string, prefix string, parallelism int, delivery kafka.Delivery, faults flinksim.Faults, interval time.Duration, batch int) *flinksim.JobResult {
	t.Helper()
	stop := kafka.Latest()
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Stop: &stop, Deserializer: deserialize})
	if err != nil {
		t.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(parallelism),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: interval}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(10, 0)), flinksim.WithFaults(faults))
	out := counting(flinksim.FromSource(env, "kafka-in", src))
	if err := kafka.Sink(out, "kafka-out", kafka.SinkConfig[in]{Brokers: brokers, Topic: "out", Serializer: serialize,
		Delivery: delivery, TransactionalIDPrefix: prefix, BatchSize: batch}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := env.Execute(ctx, "eo")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestExactlyOnceEndToEnd runs Kafka → keyed count → Kafka with one to
// three failures per run, injected at random points of random operators
// (reading, counting, snapshotting the sink, committing), over seeds
// (-kafka.eo-seeds for more): a read-committed consumer of out must see
// exactly what a run without failures writes, each result once.
//
// Mutants it kills (each planted once, each failing seed 0): PreCommit
// not flushing before it closes the producer (records missing); the
// reader snapshotting one offset past the last emitted record (a record
// skipped after a restore); abortChain taking every ID for new (epoch
// forced to 0: the failed attempt's open transaction is not aborted, the
// restarted chain's producer joins it, and its records are committed
// twice); Commit ending transactions with commit=false (nothing
// committed).
func TestExactlyOnceEndToEnd(t *testing.T) {
	for seed := range *eoSeeds {
		t.Run("", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 13))
			_, brokers := cluster(t)
			createTopic(t, brokers, "in", 3)
			createTopic(t, brokers, "out", 3)
			const n = 600
			inputs := numbered("in", 0, n, 7)
			produce(t, brokers, inputs...)
			parallelism := 1 + rng.IntN(3)
			var faults []flinksim.Fault
			for range 1 + rng.IntN(3) {
				switch rng.IntN(4) {
				case 0:
					faults = append(faults, flinksim.Fault{Operator: "kafka-in", Subtask: rng.IntN(parallelism), Point: flinksim.FaultRecord, After: 1 + rng.Int64N(n/int64(parallelism))})
				case 1:
					faults = append(faults, flinksim.Fault{Operator: "count", Subtask: rng.IntN(parallelism), Point: flinksim.FaultRecord, After: 1 + rng.Int64N(n/int64(parallelism))})
				case 2:
					faults = append(faults, flinksim.Fault{Operator: "kafka-out", Subtask: rng.IntN(parallelism), Point: flinksim.FaultSnapshot, After: 1 + rng.Int64N(3)})
				default:
					faults = append(faults, flinksim.Fault{Operator: "kafka-out", Subtask: rng.IntN(parallelism), Point: flinksim.FaultCommit, After: 1 + rng.Int64N(3)})
				}
			}
			inj := flinksim.NewFaultInjector(faults...)
			res := eoJob(t, brokers, "eo", parallelism, kafka.ExactlyOnce, inj, 5*time.Millisecond, 0)
			if res.Restarts == 0 {
				t.Logf("seed %d: no fault struck (%v)", seed, inj.Unstruck())
			}
			got := byKey(readAll(t, brokers, "out", false))
			if d := diffKeys(expected(readAll(t, brokers, "in", false)), got); d != "" {
				t.Fatalf("seed %d, parallelism %d, faults %v, %d restarts:\n%s", seed, parallelism, inj.Planned(), res.Restarts, d)
			}
		})
	}
}

// TestExactlyOnceFaultsStrike checks that the property test's kinds of
// fault do strike — while counting, at a sink snapshot, at a commit — and
// the output is still exact.
func TestExactlyOnceFaultsStrike(t *testing.T) {
	_, brokers := cluster(t)
	createTopic(t, brokers, "in", 2)
	createTopic(t, brokers, "out", 2)
	produce(t, brokers, numbered("in", 0, 400, 5)...)
	inj := flinksim.NewFaultInjector(
		flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultRecord, After: 150},
		flinksim.Fault{Operator: "kafka-out", Subtask: 0, Point: flinksim.FaultSnapshot, After: 1},
		flinksim.Fault{Operator: "kafka-out", Subtask: 1, Point: flinksim.FaultCommit, After: 1},
	)
	res := eoJob(t, brokers, "strike", 2, kafka.ExactlyOnce, inj, 5*time.Millisecond, 0)
	if u := inj.Unstruck(); len(u) > 0 || res.Restarts < 1 { // faults striking together cost one restart
		t.Fatalf("unstruck %v, %d restarts", u, res.Restarts)
	}
	if d := diffKeys(expected(readAll(t, brokers, "in", false)), byKey(readAll(t, brokers, "out", false))); d != "" {
		t.Fatal(d)
	}
}
