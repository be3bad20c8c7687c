package kafka_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

// A bounded job from topic "words" to topic "upper", exactly once, on an
// in-process Kafka cluster, read back read-committed.
func Example() {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "words", "upper"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	producer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic("words"))
	if err != nil {
		log.Fatal(err)
	}
	defer producer.Close()
	for _, w := range []string{"to", "be", "or", "not"} {
		if err := producer.ProduceSync(context.Background(), &kgo.Record{Value: []byte(w)}).FirstErr(); err != nil {
			log.Fatal(err)
		}
	}

	stop := kafka.Latest() // bounded: read up to the end found at start
	src, err := kafka.NewSource(kafka.SourceConfig[string]{
		Brokers: brokers, Topics: []string{"words"}, Stop: &stop,
		Deserializer: func(r *kafka.Record) (string, error) { return string(r.Value), nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	env := flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{}))
	words := flinksim.FromSource(env, "words", src)
	upper := flinksim.Map(words, "upper", func(w string) (string, error) { return strings.ToUpper(w), nil })
	if err := kafka.Sink(upper, "to-kafka", kafka.SinkConfig[string]{
		Brokers: brokers, Topic: "upper", Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "example",
		Serializer: func(w string) (kafka.Message, error) { return kafka.Message{Value: []byte(w)}, nil },
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := env.Execute(context.Background(), "upper"); err != nil {
		log.Fatal(err)
	}

	consumer, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("upper"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	for n := 0; n < 4; {
		consumer.PollFetches(context.Background()).EachRecord(func(r *kgo.Record) {
			fmt.Println(string(r.Value))
			n++
		})
	}
	// Output:
	// TO
	// BE
	// OR
	// NOT
}
