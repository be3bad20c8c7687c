// Package kafka reads and writes Apache Kafka topics from flinksim jobs,
// as Flink's KafkaSource and KafkaSink: a source whose partition offsets
// live in checkpoints and savepoints, and a sink that writes at least
// once or, with Kafka transactions, exactly once. It is a package of its
// own so that the flinksim core does not depend on Kafka clients.
//
// # A job from Kafka to Kafka
//
//	stop := kafka.Latest() // omit for an unbounded job
//	src, err := kafka.NewSource(kafka.SourceConfig[string]{
//		Brokers: brokers, Topics: []string{"in"}, Stop: &stop,
//		Deserializer: func(r *kafka.Record) (string, error) { return string(r.Value), nil },
//	})
//	...
//	env := flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Second}))
//	lines := flinksim.FromSource(env, "in", src)
//	err = kafka.Sink(lines, "out", kafka.SinkConfig[string]{
//		Brokers: brokers, Topic: "out", Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "my-job",
//		Serializer: func(s string) (kafka.Message, error) { return kafka.Message{Value: []byte(s)}, nil },
//	})
//
// The package example runs this against an in-process cluster, and
// examples/kafka is a whole program.
//
// # The source
//
// The source assigns partitions itself; it joins no consumer group. Each
// partition is a Split (flinksim's user-defined source model): when a job
// first starts, the source lists the partitions of its Topics (or of
// every topic its TopicPattern matches) and resolves the start offset of
// each — Earliest (the default), Latest, Committed (the group's, with a
// fallback), Timestamp or Specific. flinksim deals the splits out to the
// subtasks. Every checkpoint and savepoint records each split with the
// offset after the last record emitted, so a job restored from one — at
// any parallelism: the splits are dealt out again — skips no record and
// reads none twice. With Stop set the source is
// bounded: each partition stops at the offset Stop resolved to at the
// first start, and the job finishes when all have.
//
// An unbounded source also has one discovery split. The subtask holding
// it lists the partitions every DiscoveryInterval and reads the new ones
// from their earliest offset; the split records how many partitions of
// each topic were given out, so a restored job neither loses nor repeats
// them. Until the next restore the new partitions are read by that one
// subtask (flinksim deals splits out only when a job starts); a restore
// spreads them like the others. A listing that fails fails the subtask,
// as in Flink, so a job whose brokers are gone fails over and restarts
// until they are back.
//
// With a GroupID the source commits the offsets of every completed
// checkpoint to the group, without waiting, so that lag monitors see
// them. These commits are for monitoring only: the source reads from its
// checkpoints, never from the group, unless Committed start offsets say
// so for a job that starts without state.
//
// The Deserializer gets each record's key, value, headers and timestamp.
// A reader never blocks its task: a goroutine of its own fetches, and
// hands over at most one batch at a time (the buffers are bounded), then
// calls flinksim.ReaderContext.Available.
//
// # Reading transactional topics
//
// The source reads read-committed by default: records of open
// transactions wait until they commit, and records of aborted
// transactions are never emitted, so a job reading the output of an
// exactly-once job sees each record once. It fetches with franz-go
// (github.com/twmb/franz-go) for this: segmentio/kafka-go's Reader, even
// with IsolationLevel ReadCommitted, returns the records of aborted
// transactions (kafka-go issue 1332; TestKafkaGoReadsAbortedRecords
// reproduces it, and sees the transaction markers returned as empty
// records too). ReadUncommitted reads everything, aborted records
// included.
//
// # Event time
//
// Each record's Kafka timestamp (Record.Timestamp, in milliseconds) is its
// event timestamp, with flinksim.FromSource too: a timestamp assigner may
// replace it. Run the source with flinksim.FromSourceWithWatermarks for
// watermarks per partition, as Flink's KafkaSource has them:
//
//	strategy := flinksim.ForBoundedOutOfOrderness[string](5 * time.Second).WithIdleness(time.Minute)
//	lines := flinksim.FromSourceWithWatermarks(env, "in", src, strategy)
//
// Every partition a subtask reads has a watermark generator of its own,
// and the subtask's watermark is the minimum over its partitions: one
// that lags holds the watermark back for all. So does a partition with no
// record yet, from the start (as in Flink, whose split outputs exist from
// when the splits are added), until the strategy's idleness timeout marks
// it idle; without WithIdleness an empty partition holds the watermark
// back for good. A bounded partition read to its stop offset releases its
// generator and holds nothing back any more; at the end of input the
// watermark is flinksim.MaxWatermark. A subtask that reads no partition
// holds the watermark back downstream until idleness marks it idle.
// Generators start afresh after a restore: watermarks are not in
// checkpoints, as in Flink.
//
// # The sink
//
// The Serializer makes each record's Message: topic (or SinkConfig.Topic),
// key, value, headers, timestamp, and optionally its partition; by default
// the partition is the key's murmur2 hash, as Kafka's own partitioner
// chooses, and round-robin without a key. Delivery is one of:
//
//   - DeliveryNone: written in batches with nothing done at checkpoints;
//     a failure may lose what was buffered.
//   - AtLeastOnce: a segmentio/kafka-go Writer, flushed before each
//     checkpoint acknowledges; a restart writes the records since the
//     last completed checkpoint again.
//   - ExactlyOnce: Kafka transactions committed when the checkpoint that
//     covers them completes (flinksim.SinkTwoPhase); a read-committed
//     consumer sees every record once. It needs exactly-once checkpoints
//     (the default mode) and a TransactionalIDPrefix.
//
// kafka-go has no transactional producer, so ExactlyOnce produces with
// franz-go's kgo client. Each subtask writes a chain of transactional IDs,
// PREFIX-SUBTASK-N, one transaction each; at a checkpoint the producer is
// flushed and closed with the transaction open, its producer ID and epoch
// kept in the checkpoint; when the checkpoint completes, an EndTxn
// request with them commits it — the same request a restored job sends,
// from another process if need be, for the transactions of the
// checkpoint it restores. Each checkpoint also records where each chain
// stands, so a restored job aborts, chain by chain, the transactions that
// earlier attempts opened after it: read-committed consumers are never
// held up by them. Keep the prefix across restarts and savepoint
// restores of a job, and unique to it. A transaction not committed within
// TransactionTimeout is aborted by the brokers and its records lost, so
// the timeout must exceed the checkpoint interval plus a checkpoint's
// duration; restoring a checkpoint older than that loses the records of
// its transactions (flinksim.ErrTransactionGone is logged, the restore
// goes on), as in Flink.
//
// # Testing
//
// github.com/twmb/franz-go/pkg/kfake is an in-process Kafka cluster that
// both clients talk to over loopback: the package's tests, its example
// and examples/kafka run against it, with no Docker and no external
// Kafka.
//
// # Errors
//
// NewSource and Sink refuse configurations that cannot work with errors
// wrapping ErrConfig. A missing topic fails the job's start with
// ErrTopicNotFound; failed requests wrap ErrBroker; corrupt split bytes in
// a checkpoint wrap ErrSplit and flinksim.ErrDecode.
package kafka
