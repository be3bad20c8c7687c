package kafka_test

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/kafka"
)

var eoSeeds = flag.Int("kafka.eo-seeds", 4, "seeds of the exactly-once property test")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cluster starts an in-process Kafka cluster, closed when the test ends.
func cluster(t testing.TB, opts ...kfake.Opt) (*kfake.Cluster, []string) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, c.ListenAddrs()
}

// client returns a franz-go client of brokers, closed when the test ends.
func client(t testing.TB, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func createTopic(t testing.TB, brokers []string, topic string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), client(t, brokers))
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("create topic %s: error code %d", topic, code)
	}
}

func addPartitions(t testing.TB, brokers []string, topic string, total int32) {
	t.Helper()
	req := kmsg.NewPtrCreatePartitionsRequest()
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = topic, total
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), client(t, brokers))
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("add partitions to %s: error code %d", topic, code)
	}
}

// produce writes records synchronously.
func produce(t testing.TB, brokers []string, recs ...*kgo.Record) {
	t.Helper()
	if err := client(t, brokers).ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// numbered returns n records for topic, i from first on: key k<i mod
// keys>, value i.
func numbered(topic string, first, n, keys int) []*kgo.Record {
	recs := make([]*kgo.Record, n)
	for i := range n {
		v := first + i
		recs[i] = &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", v%keys), Value: strconv.AppendInt(nil, int64(v), 10)}
	}
	return recs
}

// readAll reads topic from the start to its current end, read committed
// unless uncommitted: the records in partition order, then offset order.
func readAll(t testing.TB, brokers []string, topic string, uncommitted bool) []*kgo.Record {
	t.Helper()
	isolation := kgo.ReadCommitted()
	if uncommitted {
		isolation = kgo.ReadUncommitted()
	}
	admin := client(t, brokers)
	req := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, mt)
	meta, err := req.RequestWith(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	lo := kmsg.NewPtrListOffsetsRequest()
	lo.ReplicaID = -1
	if !uncommitted {
		lo.IsolationLevel = 1
	}
	lt := kmsg.NewListOffsetsRequestTopic()
	lt.Topic = topic
	for p := range meta.Topics[0].Partitions {
		lp := kmsg.NewListOffsetsRequestTopicPartition()
		lp.Partition, lp.Timestamp = int32(p), -1
		lt.Partitions = append(lt.Partitions, lp)
	}
	lo.Topics = append(lo.Topics, lt)
	ends, err := lo.RequestWith(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	end := map[int32]int64{}
	for _, p := range ends.Topics[0].Partitions {
		if p.Offset > 0 {
			end[p.Partition] = p.Offset
		}
	}
	if len(end) == 0 {
		return nil
	}
	parts := map[int32]kgo.Offset{}
	for p := range end {
		parts[p] = kgo.NewOffset().AtStart()
	}
	cl := client(t, brokers, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}),
		kgo.FetchIsolationLevel(isolation), kgo.KeepControlRecords())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(end) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %s: %v; still to read %v", topic, err, end)
		}
		if err := fs.Err(); err != nil {
			t.Fatalf("read %s: %v", topic, err)
		}
		for _, r := range fs.Records() {
			if r.Offset+1 >= end[r.Partition] {
				delete(end, r.Partition)
			}
			if !r.Attrs.IsControl() {
				out = append(out, r)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *kgo.Record) int {
		if a.Partition != b.Partition {
			return int(a.Partition - b.Partition)
		}
		return int(a.Offset - b.Offset)
	})
	return out
}

// in is a record of the test jobs' input.
type in struct {
	Key string
	V   int64
}

func deserialize(r *kafka.Record) (in, error) {
	v, err := strconv.ParseInt(string(r.Value), 10, 64)
	return in{string(r.Key), v}, err
}

// counting adds the job of the end-to-end tests: each record updates its
// key's running count and sum, and one record KEY, "COUNT\tSUM" goes out.
func counting(src flinksim.Stream[in]) flinksim.Stream[in] {
	byKey := flinksim.KeyBy(src, func(r in) string { return r.Key })
	return flinksim.Process(byKey, "count", func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, in, in], error) {
		type acc struct{ N, Sum int64 }
		st := flinksim.NewValueState[acc](rt, "acc")
		return flinksim.ProcessFunc[string, in, in](func(_ *flinksim.KeyedContext[string], r in, out flinksim.Collector[in]) error {
			a, _ := st.Value()
			a.N++
			a.Sum += r.V
			st.Update(a)
			out.Collect(in{r.Key, a.N<<32 | a.Sum})
			return nil
		}), nil
	})
}

func serialize(r in) (kafka.Message, error) {
	return kafka.Message{Key: []byte(r.Key), Value: fmt.Appendf(nil, "%d\t%d", r.V>>32, r.V&(1<<32-1))}, nil
}

// expected returns what counting writes for inputs, per key in order.
func expected(inputs []*kgo.Record) map[string][]string {
	type acc struct{ n, sum int64 }
	accs := map[string]*acc{}
	out := map[string][]string{}
	for _, r := range inputs {
		v, _ := strconv.ParseInt(string(r.Value), 10, 64)
		k := string(r.Key)
		if accs[k] == nil {
			accs[k] = &acc{}
		}
		a := accs[k]
		a.n++
		a.sum += v
		out[k] = append(out[k], fmt.Sprintf("%d\t%d", a.n, a.sum))
	}
	return out
}

// byKey groups the values of recs by key, in order.
func byKey(recs []*kgo.Record) map[string][]string {
	out := map[string][]string{}
	for _, r := range recs {
		out[string(r.Key)] = append(out[string(r.Key)], string(r.Value))
	}
	return out
}

// diffKeys describes how got differs from want, or returns "".
func diffKeys(want, got map[string][]string) string {
	var b strings.Builder
	for k, w := range want {
		if !slices.Equal(w, got[k]) {
			fmt.Fprintf(&b, "key %s: got %d values %q…, want %d %q…\n", k, len(got[k]), head(got[k]), len(w), head(w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "unexpected key %s\n", k)
		}
	}
	return b.String()
}

func head(vs []string) []string { return vs[:min(len(vs), 4)] }

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }
