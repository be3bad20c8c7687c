package usertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// A newcomer's Kafka job, written from the kafka package manual: orders
// in, order totals per customer out, exactly once, on the in-process
// cluster the manual points to, with a failure in the middle. A
// read-committed consumer must see one total per order.
func TestKafkaOrderTotals(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "orders", "totals"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	producer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	want := map[string][]string{}
	total := map[string]int{}
	for i := range 120 {
		customer := fmt.Sprintf("c%d", i%4)
		total[customer] += i
		want[customer] = append(want[customer], fmt.Sprint(total[customer]))
		if err := producer.ProduceSync(context.Background(), &kgo.Record{Key: []byte(customer), Value: fmt.Append(nil, i)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	type order struct {
		Customer string
		Amount   int
	}
	stop := kafka.Latest()
	src, err := kafka.NewSource(kafka.SourceConfig[order]{Brokers: brokers, Topics: []string{"orders"}, Stop: &stop,
		Deserializer: func(r *kafka.Record) (order, error) {
			var o order
			_, err := fmt.Sscan(string(r.Value), &o.Amount)
			o.Customer = string(r.Key)
			return o, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "totals", Subtask: 0, Point: flinksim.FaultRecord, After: 20})
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)), flinksim.WithFaults(faults))
	orders := flinksim.FromSource(env, "orders", src)
	totals := flinksim.Reduce(flinksim.KeyBy(orders, func(o order) string { return o.Customer }), "totals",
		func(acc, o order) (order, error) { return order{o.Customer, acc.Amount + o.Amount}, nil })
	if err := kafka.Sink(totals, "to-kafka", kafka.SinkConfig[order]{Brokers: brokers, Topic: "totals",
		Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "order-totals",
		Serializer: func(o order) (kafka.Message, error) {
			return kafka.Message{Key: []byte(o.Customer), Value: fmt.Append(nil, o.Amount)}, nil
		}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := env.Execute(ctx, "order-totals")
	if err != nil {
		t.Fatal(err)
	}
	if res.Restarts != 1 {
		t.Fatalf("%d restarts, want the 1 injected", res.Restarts)
	}

	consumer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("totals"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	got := map[string][]string{}
	for n := 0; n < 120; {
		fs := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d totals: %v", n, got)
		}
		fs.EachRecord(func(r *kgo.Record) {
			got[string(r.Key)] = append(got[string(r.Key)], string(r.Value))
			n++
		})
	}
	for customer, w := range want {
		if !slices.Equal(got[customer], w) {
			t.Errorf("customer %s: got %s, want %s", customer, strings.Join(got[customer], " "), strings.Join(w, " "))
		}
	}
}
