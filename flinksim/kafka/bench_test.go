package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// benchRecords is the input of one benchmark iteration.
const benchRecords = 20000

// benchRuns names each iteration's output topic.
var benchRuns int

// BenchmarkKafkaToKafka reads benchRecords records from a two-partition
// topic, keeps a count and sum per key (100 keys), and writes one record
// per input to another topic, against kfake: with the at-least-once and
// the exactly-once sink (checkpoints every 100ms, parallelism 2), and,
// beside them, kafka-go alone — a plain Reader → map → Writer loop. Each
// iteration writes to a new output topic.
func BenchmarkKafkaToKafka(b *testing.B) {
	_, brokers := cluster(b)
	createTopic(b, brokers, "in", 2)
	produce(b, brokers, numbered("in", 0, benchRecords, 100)...)
	ends := map[int]int64{}
	for _, r := range readAll(b, brokers, "in", false) {
		ends[int(r.Partition)] = r.Offset + 1
	}
	run := func(b *testing.B, fn func(out string)) {
		b.ReportAllocs()
		var out string
		for b.Loop() {
			b.StopTimer()
			benchRuns++
			out = fmt.Sprintf("out-%d", benchRuns)
			createTopic(b, brokers, out, 2)
			b.StartTimer()
			fn(out)
		}
		b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
		if got := len(readAll(b, brokers, out, false)); got != benchRecords {
			b.Fatalf("%s holds %d committed records, want %d", out, got, benchRecords)
		}
	}
	b.Run("kafka-go", func(b *testing.B) {
		run(b, func(out string) { kafkaGoLoop(b, brokers, out, ends) })
	})
	for _, d := range []kafka.Delivery{kafka.AtLeastOnce, kafka.ExactlyOnce} {
		b.Run(d.String(), func(b *testing.B) {
			run(b, func(out string) { benchJob(b, brokers, out, d, "bench-"+out) })
		})
	}
}

func benchJob(b *testing.B, brokers []string, out string, d kafka.Delivery, prefix string) {
	stop := kafka.Latest()
	src, err := kafka.NewSource(kafka.SourceConfig[in]{Brokers: brokers, Topics: []string{"in"}, Stop: &stop, Deserializer: deserialize})
	if err != nil {
		b.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 100 * time.Millisecond}))
	if err := kafka.Sink(counting(flinksim.FromSource(env, "kafka-in", src)), "kafka-out", kafka.SinkConfig[in]{Brokers: brokers,
		Topic: out, Serializer: serialize, Delivery: d, TransactionalIDPrefix: prefix}); err != nil {
		b.Fatal(err)
	}
	if _, err := env.Execute(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
}

// kafkaGoLoop is the same work with kafka-go alone: read each partition to
// its end, count and sum per key, write in batches of 1000.
func kafkaGoLoop(b *testing.B, brokers []string, out string, ends map[int]int64) {
	ctx := context.Background()
	transport := &kafkago.Transport{}
	defer transport.CloseIdleConnections()
	w := &kafkago.Writer{Addr: kafkago.TCP(brokers...), Topic: out, Balancer: &kafkago.Murmur2Balancer{},
		BatchSize: 1000, BatchTimeout: time.Millisecond, RequiredAcks: kafkago.RequireAll, Transport: transport}
	defer w.Close()
	type acc struct{ n, sum int64 }
	accs := map[string]*acc{}
	batch := make([]kafkago.Message, 0, 1000)
	flush := func() {
		if err := w.WriteMessages(ctx, batch...); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for p, end := range ends {
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: "in", Partition: p, MaxWait: 10 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			v, _ := strconv.ParseInt(string(m.Value), 10, 64)
			a := accs[string(m.Key)]
			if a == nil {
				a = &acc{}
				accs[string(m.Key)] = a
			}
			a.n++
			a.sum += v
			batch = append(batch, kafkago.Message{Key: m.Key, Value: fmt.Appendf(nil, "%d\t%d", a.n, a.sum)})
			if len(batch) == cap(batch) {
				flush()
			}
			if m.Offset+1 >= end {
				break
			}
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	flush()
}
