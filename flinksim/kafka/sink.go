package kafka

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Delivery is a Kafka sink's guarantee, as Flink's DeliveryGuarantee.
type Delivery uint8

// Delivery guarantees.
const (
	// DeliveryNone writes records as they come, with nothing done at
	// checkpoints: a failure may lose the records still buffered, and the
	// records written since the last checkpoint are written again.
	DeliveryNone Delivery = iota
	// AtLeastOnce flushes the writer before each checkpoint acknowledges:
	// nothing is lost, and a restart writes the records since the last
	// completed checkpoint again (duplicates).
	AtLeastOnce
	// ExactlyOnce writes each checkpoint's records in Kafka transactions
	// committed when the checkpoint completes: a read-committed consumer
	// sees every record once. Needs exactly-once checkpoints.
	ExactlyOnce
)

// String returns Flink's name of the guarantee: NONE, AT_LEAST_ONCE,
// EXACTLY_ONCE.
func (d Delivery) String() string {
	switch d {
	case DeliveryNone:
		return "NONE"
	case AtLeastOnce:
		return "AT_LEAST_ONCE"
	case ExactlyOnce:
		return "EXACTLY_ONCE"
	}
	return fmt.Sprintf("Delivery(%d)", uint8(d))
}

// Message is a record for a Kafka sink to write, as its Serializer makes
// it.
type Message struct {
	// Topic to write to; "" for SinkConfig.Topic.
	Topic string
	// Partition, if UsePartition is set, is the partition to write to (a
	// partition the topic does not have fails the subtask). Otherwise the
	// sink chooses: the partition of the key's murmur2 hash, as Kafka's
	// default partitioner (so Java producers and this sink agree), or
	// round-robin for records without a key.
	Partition    int32
	UsePartition bool
	Key          []byte
	Value        []byte
	Headers      []Header
	// Timestamp of the record; zero for the time it is written.
	Timestamp time.Time
}

// Default values of SinkConfig.
const (
	// DefaultBatchSize is how many records the at-least-once writer sends
	// at once.
	DefaultBatchSize = 1000
	// DefaultTransactionTimeout is the transaction timeout of an
	// exactly-once sink.
	DefaultTransactionTimeout = time.Minute
)

// SinkConfig configures a Kafka sink; see Sink. Brokers and Serializer
// are required, and so is TransactionalIDPrefix for ExactlyOnce; the zero
// value of every other field means its default.
type SinkConfig[T any] struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topic is the topic of messages whose Serializer sets none.
	Topic string
	// Serializer turns a value into the message to write. An error fails
	// the subtask.
	Serializer func(v T) (Message, error)
	// Delivery is the sink's guarantee (default DeliveryNone, as Flink).
	Delivery Delivery
	// TransactionalIDPrefix names the transactions of an ExactlyOnce
	// sink: PREFIX-SUBTASK-N. It must be unique to the sink among every
	// sink writing to the cluster (two sinks of one job need two), at
	// most 200 bytes, and kept across its restarts and savepoint
	// restores: the transactions an earlier run left open are found by it
	// and aborted. A job that starts without state looks for them from
	// PREFIX-SUBTASK-0 on, through every ID an earlier run of the prefix
	// used (one per subtask and checkpoint with records; at most 100,000,
	// else the start fails with ErrBroker): give a job that starts afresh,
	// not from a snapshot, a new prefix. A restore from a snapshot older
	// than a run at a higher parallelism that crashed looks for the
	// subtasks the old snapshot did not have from where its own subtasks
	// were; a transaction that run left open past there is not found, and
	// holds back read-committed readers until the brokers abort it
	// (TransactionTimeout).
	TransactionalIDPrefix string
	// TransactionTimeout of an ExactlyOnce sink (default
	// DefaultTransactionTimeout): it must exceed the checkpoint interval
	// plus the time a checkpoint takes, and stay within the brokers'
	// transaction.max.timeout.ms. A transaction still open after it is
	// aborted by the brokers, and its records lost.
	TransactionTimeout time.Duration
	// BatchSize is the most records the AtLeastOnce or DeliveryNone
	// writer holds before it writes them (default DefaultBatchSize).
	BatchSize int
	// RequestTimeout bounds each write and transaction request (default
	// 30s).
	RequestTimeout time.Duration
	// Options are more franz-go client options for the exactly-once
	// producer (TLS, SASL, …).
	Options []kgo.Opt
	// Transport, if set, is the kafka-go transport of the AtLeastOnce and
	// DeliveryNone writer (TLS, SASL, …).
	Transport kafkago.RoundTripper
}

func (c *SinkConfig[T]) validate() error {
	switch {
	case len(c.Brokers) == 0:
		return fmt.Errorf("%w: sink without brokers", ErrConfig)
	case c.Serializer == nil:
		return fmt.Errorf("%w: sink without a Serializer", ErrConfig)
	case c.Delivery > ExactlyOnce:
		return fmt.Errorf("%w: delivery %v", ErrConfig, c.Delivery)
	case c.Delivery == ExactlyOnce && c.TransactionalIDPrefix == "":
		return fmt.Errorf("%w: an exactly-once sink needs a TransactionalIDPrefix", ErrConfig)
	case len(c.TransactionalIDPrefix) > maxTransactionalIDPrefix:
		return fmt.Errorf("%w: TransactionalIDPrefix is %d bytes, at most %d", ErrConfig, len(c.TransactionalIDPrefix), maxTransactionalIDPrefix)
	case c.BatchSize < 0 || c.TransactionTimeout < 0 || c.RequestTimeout < 0:
		return fmt.Errorf("%w: negative BatchSize, TransactionTimeout or RequestTimeout", ErrConfig)
	}
	if c.Topic != "" {
		return validTopic(c.Topic)
	}
	return nil
}

// Sink writes s to Kafka, as Flink's KafkaSink, under name: see
// SinkConfig and Delivery. It returns an error wrapping ErrConfig, and
// adds nothing, if cfg cannot work.
func Sink[T any](s flinksim.Stream[T], name string, cfg SinkConfig[T], opts ...flinksim.OperatorOption) error {
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("sink %q: %w", name, err)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.TransactionTimeout == 0 {
		cfg.TransactionTimeout = DefaultTransactionTimeout
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.Delivery == ExactlyOnce {
		flinksim.SinkTwoPhase(s, name, func(rt *flinksim.RuntimeContext) (flinksim.TwoPhaseCommitSink[T, *transaction], error) {
			return openTxnSink(rt, &cfg)
		}, transactionCodec{}, opts...)
		return nil
	}
	flinksim.SinkTo(s, name, func(*flinksim.RuntimeContext) (flinksim.SinkWriter[T], error) {
		return newWriter(&cfg), nil
	}, opts...)
	return nil
}

// message turns v into a message with its topic set.
func message[T any](cfg *SinkConfig[T], v T) (Message, error) {
	m, err := cfg.Serializer(v)
	if err != nil {
		return m, fmt.Errorf("kafka: serialize: %w", err)
	}
	if m.Topic == "" {
		m.Topic = cfg.Topic
	}
	if m.Topic == "" {
		return m, fmt.Errorf("%w: a message without a topic, and no SinkConfig.Topic", ErrConfig)
	}
	return m, nil
}

// partitioner chooses a message's partition: the one it names (want >=
// 0), else its key's murmur2 hash, else round-robin. The clients may call
// it from their own goroutines.
type partitioner struct{ next atomic.Uint64 }

func (p *partitioner) choose(want int32, key []byte, n int) int {
	switch {
	case want >= 0:
		return int(want) // the client fails the record if there is no such partition
	case key != nil:
		return int(murmur2(key)&0x7fffffff) % n
	}
	return int(p.next.Add(1) % uint64(n))
}

// wanted is the partition a message asks for, or -1.
func (m *Message) wanted() int32 {
	if m.UsePartition {
		return m.Partition
	}
	return -1
}

// murmur2 is the hash of Kafka's default partitioner.
func murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n&^3:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// writer is the AtLeastOnce and DeliveryNone sink writer: a kafka-go
// Writer fed in batches of at most BatchSize records.
type writer[T any] struct {
	cfg   *SinkConfig[T]
	w     *kafkago.Writer
	buf   []kafkago.Message
	owned *kafkago.Transport // closed with the writer, when the config has none
}

func newWriter[T any](cfg *SinkConfig[T]) *writer[T] {
	p := &partitioner{}
	transport := cfg.Transport
	var owned *kafkago.Transport
	if transport == nil {
		owned = &kafkago.Transport{}
		transport = owned
	}
	w := &kafkago.Writer{
		Addr: kafkago.TCP(cfg.Brokers...),
		Balancer: kafkago.BalancerFunc(func(msg kafkago.Message, partitions ...int) int {
			return p.choose(int32(msg.Partition), msg.Key, len(partitions))
		}),
		BatchSize:    cfg.BatchSize,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafkago.RequireAll,
		WriteTimeout: cfg.RequestTimeout,
		Transport:    transport,
	}
	return &writer[T]{cfg: cfg, w: w, buf: make([]kafkago.Message, 0, cfg.BatchSize), owned: owned}
}

// Write implements flinksim.SinkWriter.
func (w *writer[T]) Write(v T) error {
	m, err := message(w.cfg, v)
	if err != nil {
		return err
	}
	km := kafkago.Message{Topic: m.Topic, Partition: int(m.wanted()), Key: m.Key, Value: m.Value, Time: m.Timestamp}
	for _, h := range m.Headers {
		km.Headers = append(km.Headers, kafkago.Header{Key: h.Key, Value: h.Value})
	}
	w.buf = append(w.buf, km)
	if len(w.buf) >= w.cfg.BatchSize {
		return w.flush()
	}
	return nil
}

// Flush writes what is buffered: before every checkpoint for
// AtLeastOnce, at the end of input for both.
func (w *writer[T]) Flush(endOfInput bool) error {
	if endOfInput || w.cfg.Delivery == AtLeastOnce {
		return w.flush()
	}
	return nil
}

func (w *writer[T]) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.RequestTimeout)
	defer cancel()
	err := w.w.WriteMessages(ctx, w.buf...)
	clear(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("%w: write: %w", ErrBroker, err)
	}
	return nil
}

// Close implements the writer's Close: it closes the kafka-go writer. What
// is still buffered is not written: a DeliveryNone sink loses it.
func (w *writer[T]) Close() error {
	err := w.w.Close()
	if w.owned != nil {
		w.owned.CloseIdleConnections()
	}
	return err
}
