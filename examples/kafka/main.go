// Command kafka runs a keyed job from one Kafka topic to another with
// exactly-once checkpoints.
//
//	go run ./examples/kafka [--brokers HOST:PORT] [--in TOPIC] [--out TOPIC] [--bounded]
//		[--fail-after N] [--parallelism N] [--checkpoint-interval D]
//
// Each input record has a key and, as its value, a decimal integer; it
// updates its key's running count and sum, and one record goes to the out
// topic for it, with the same key and the value "COUNT<TAB>SUM", written
// exactly once in Kafka transactions committed at each checkpoint.
//
// Without --brokers it starts an in-process Kafka cluster, writes a demo
// stream to the in topic, runs the job bounded, reads the out topic
// read-committed and checks that every input record is reflected in it
// exactly once, and says so. With --brokers it runs against that cluster,
// until interrupted (Ctrl-C, SIGTERM) or, with --bounded, until it has
// read the in topic up to the end offsets found when it started; it then
// exits with status 0. --fail-after N fails the counting operator once
// after N records, to watch the job restart from its last checkpoint with
// nothing lost or repeated (N counts the records of one subtask of the
// counting operator). Checkpoints are kept in memory: a job restarted
// within the process resumes exactly; a new process starts from the offsets
// the group "flinksim-kafka-example" committed at the last checkpoint.
//
// With --help it prints its usage and exits with status 0; on any error
// it prints one line and exits with status 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "kafka:", err)
		os.Exit(2)
	}
}

type options struct {
	brokers     string
	in, out     string
	bounded     bool
	failAfter   int64
	parallelism int
	interval    time.Duration
}

// demoRecords is the size of the demo stream.
const demoRecords = 2000

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("kafka", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.brokers, "brokers", "", "a Kafka broker, `HOST:PORT` (default: start an in-process cluster and check the result)")
	fs.StringVar(&o.in, "in", "in", "the input `topic`")
	fs.StringVar(&o.out, "out", "out", "the output `topic`")
	fs.BoolVar(&o.bounded, "bounded", false, "stop at the end offsets found at start")
	fs.Int64Var(&o.failAfter, "fail-after", 0, "fail once after `N` records (0: never)")
	fs.IntVar(&o.parallelism, "parallelism", 2, "the job's parallelism")
	fs.DurationVar(&o.interval, "checkpoint-interval", 100*time.Millisecond, "the checkpoint `interval`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.parallelism < 1 || o.interval <= 0 || o.failAfter < 0 {
		return errors.New("--parallelism and --checkpoint-interval must be positive, --fail-after not negative")
	}
	if o.brokers != "" {
		restarts, err := runJob(ctx, []string{o.brokers}, o)
		if err == nil {
			fmt.Fprintf(stdout, "kafka: job done, %d restarts\n", restarts)
		}
		return err
	}
	return demo(ctx, o, stdout)
}

// demo runs the job bounded on an in-process cluster and checks its output.
func demo(ctx context.Context, o options, stdout io.Writer) error {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, o.in, o.out))
	if err != nil {
		return err
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(o.in))
	if err != nil {
		return err
	}
	defer cl.Close()
	recs := make([]*kgo.Record, demoRecords)
	for i := range recs {
		recs[i] = &kgo.Record{Key: fmt.Appendf(nil, "user-%d", i%13), Value: strconv.AppendInt(nil, int64(i), 10)}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return err
	}
	o.bounded = true
	restarts, err := runJob(ctx, brokers, o)
	if err != nil {
		return err
	}
	want := map[string][]string{}
	acc := map[string][2]int64{}
	for _, r := range recs {
		v, _ := strconv.ParseInt(string(r.Value), 10, 64)
		a := acc[string(r.Key)]
		a[0]++
		a[1] += v
		acc[string(r.Key)] = a
		want[string(r.Key)] = append(want[string(r.Key)], fmt.Sprintf("%d\t%d", a[0], a[1]))
	}
	got, err := readCommitted(ctx, brokers, o.out, len(recs))
	if err != nil {
		return err
	}
	for k, w := range want {
		g := got[k]
		if len(g) != len(w) {
			return fmt.Errorf("key %s: %d records in %s, want %d", k, len(g), o.out, len(w))
		}
		for i := range w {
			if g[i] != w[i] {
				return fmt.Errorf("key %s: record %d is %q, want %q", k, i, g[i], w[i])
			}
		}
	}
	fmt.Fprintf(stdout, "kafka: every one of the %d input records is reflected exactly once in %q, read committed (%d restarts)\n",
		len(recs), o.out, restarts)
	return nil
}

// readCommitted reads n records of topic, read-committed, by key in order.
func readCommitted(ctx context.Context, brokers []string, topic string, n int) (map[string][]string, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	got := map[string][]string{}
	for read := 0; read < n; {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %d of %d records: %w", topic, read, n, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			got[string(r.Key)] = append(got[string(r.Key)], string(r.Value))
			read++
		})
	}
	return got, nil
}

type input struct {
	Key string
	V   int64
}

type output struct {
	Key      string
	Count, N int64
}

// failOnce fails the first subtask of the counting operator that has
// counted after records, once.
type failOnce struct {
	after  int64
	struck atomic.Bool
}

func (f *failOnce) Strike(op string, subtask int, point flinksim.FaultPoint, n int64) error {
	if op == "count" && point == flinksim.FaultRecord && n >= f.after && f.struck.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: count subtask %d after %d records", flinksim.ErrInjected, subtask, n)
	}
	return nil
}

// runJob runs the job and returns how often it restarted.
func runJob(ctx context.Context, brokers []string, o options) (int64, error) {
	cfg := kafka.SourceConfig[input]{Brokers: brokers, Topics: []string{o.in}, GroupID: "flinksim-kafka-example",
		Start: kafka.Committed(kafka.Earliest()),
		Deserializer: func(r *kafka.Record) (input, error) {
			v, err := strconv.ParseInt(string(r.Value), 10, 64)
			return input{string(r.Key), v}, err
		}}
	if o.bounded {
		stop := kafka.Latest()
		cfg.Stop = &stop
	}
	src, err := kafka.NewSource(cfg)
	if err != nil {
		return 0, err
	}
	opts := []flinksim.Option{flinksim.WithParallelism(o.parallelism),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: o.interval}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(10, 100*time.Millisecond))}
	if o.failAfter > 0 {
		opts = append(opts, flinksim.WithFaults(&failOnce{after: o.failAfter}))
	}
	env := flinksim.NewEnvironment(opts...)
	byKey := flinksim.KeyBy(flinksim.FromSource(env, "from-kafka", src), func(r input) string { return r.Key })
	counts := flinksim.Process(byKey, "count", func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, input, output], error) {
		type acc struct{ Count, Sum int64 }
		st := flinksim.NewValueState[acc](rt, "count-and-sum")
		return flinksim.ProcessFunc[string, input, output](func(_ *flinksim.KeyedContext[string], r input, out flinksim.Collector[output]) error {
			a, _ := st.Value()
			a.Count++
			a.Sum += r.V
			st.Update(a)
			out.Collect(output{r.Key, a.Count, a.Sum})
			return nil
		}), nil
	})
	if err := kafka.Sink(counts, "to-kafka", kafka.SinkConfig[output]{Brokers: brokers, Topic: o.out,
		Delivery: kafka.ExactlyOnce, TransactionalIDPrefix: "flinksim-kafka-example",
		Serializer: func(r output) (kafka.Message, error) {
			return kafka.Message{Key: []byte(r.Key), Value: fmt.Appendf(nil, "%d\t%d", r.Count, r.N)}, nil
		}}); err != nil {
		return 0, err
	}
	j, err := env.Start(ctx, "kafka")
	if err != nil {
		return 0, err
	}
	<-j.Done()
	if ctx.Err() != nil && !o.bounded {
		return j.Restarts(), nil // interrupted: a service's normal end
	}
	return j.Restarts(), j.Err()
}
