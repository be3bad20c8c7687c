package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// defaultRequestTimeout bounds every request to the brokers that the task
// waits for (metadata, offsets, transaction ends).
const defaultRequestTimeout = 30 * time.Second

// admin sends the metadata, offset and transaction requests of the
// source and the sink through a franz-go client.
type admin struct {
	ctx     context.Context // cancels every request
	cl      *kgo.Client
	timeout time.Duration
}

func newAdmin(ctx context.Context, brokers []string, timeout time.Duration, opts []kgo.Opt) (*admin, error) {
	// Offset commits and fetches from version 10 on name topics by ID:
	// this client names them, so it stays below.
	versions := kversion.Stable()
	versions.SetMaxKeyVersion(kmsg.OffsetCommit.Int16(), 9)
	versions.SetMaxKeyVersion(kmsg.OffsetFetch.Int16(), 9)
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.MaxVersions(versions)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: new client: %w", ErrConfig, err)
	}
	if timeout <= 0 {
		timeout = defaultRequestTimeout
	}
	return &admin{ctx: ctx, cl: cl, timeout: timeout}, nil
}

func (a *admin) close() { a.cl.Close() }

// coordinatorBusy reports a transaction coordinator's answer that asks the
// client to try again: it is finishing an earlier transaction of the ID
// (a real broker aborts one in the background and says so), loading, or
// moving.
func coordinatorBusy(err error) bool {
	return errors.Is(err, kerr.ConcurrentTransactions) || errors.Is(err, kerr.CoordinatorLoadInProgress) ||
		errors.Is(err, kerr.CoordinatorNotAvailable) || errors.Is(err, kerr.NotCoordinator)
}

// retryBusy calls f until it succeeds, fails otherwise than with a busy
// coordinator, or the request timeout has passed since the first call,
// waiting longer between calls each time (from 10 ms to 1 s), as a
// producer does.
func (a *admin) retryBusy(f func() error) error {
	deadline := time.Now().Add(a.timeout)
	wait := 10 * time.Millisecond
	for {
		err := f()
		if err == nil || !coordinatorBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-a.ctx.Done():
			t.Stop()
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

func (a *admin) request(req kmsg.Request) (kmsg.Response, error) {
	ctx, cancel := context.WithTimeout(a.ctx, a.timeout)
	defer cancel()
	resp, err := a.cl.Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBroker, kmsg.NameForKey(req.Key()), err)
	}
	return resp, nil
}

// partitions returns the number of partitions of each topic named, or of
// every topic pattern matches (internal topics aside). A named topic that
// does not exist is an error wrapping ErrTopicNotFound.
func (a *admin) partitions(topics []string, pattern *regexp.Regexp) (map[string]int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	if pattern == nil {
		for _, t := range topics {
			rt := kmsg.NewMetadataRequestTopic()
			rt.Topic = kmsg.StringPtr(t)
			req.Topics = append(req.Topics, rt)
		}
	}
	r, err := a.request(req)
	if err != nil {
		return nil, err
	}
	resp := r.(*kmsg.MetadataResponse)
	counts := make(map[string]int32)
	for _, t := range resp.Topics {
		if t.Topic == nil {
			continue
		}
		name := *t.Topic
		if pattern != nil && (t.IsInternal || strings.HasPrefix(name, "__") || !pattern.MatchString(name)) {
			continue
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			if err == kerr.UnknownTopicOrPartition {
				return nil, fmt.Errorf("%w: topic %q", ErrTopicNotFound, name)
			}
			return nil, fmt.Errorf("%w: metadata of topic %q: %w", ErrBroker, name, err)
		}
		counts[name] = int32(len(t.Partitions))
	}
	for _, t := range topics {
		if _, ok := counts[t]; !ok && pattern == nil {
			return nil, fmt.Errorf("%w: topic %q", ErrTopicNotFound, t)
		}
	}
	return counts, nil
}

// Timestamps of ListOffsets that ask for the first and the next offset.
const (
	listEarliest int64 = -2
	listLatest   int64 = -1
)

// listOffsets returns, for each partition, the offset of the first record
// at or after ts (listEarliest, listLatest or milliseconds); a timestamp
// after every record gives the end. readCommitted asks for the last
// stable offset instead of the high watermark.
func (a *admin) listOffsets(tps []TopicPartition, ts int64, readCommitted bool) (map[TopicPartition]int64, error) {
	out := make(map[TopicPartition]int64, len(tps))
	if len(tps) == 0 {
		return out, nil
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	if readCommitted {
		req.IsolationLevel = 1
	}
	topics, partitions := byTopic(tps)
	for _, t := range topics {
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = t
		for _, p := range partitions[t] {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, ts
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	r, err := a.request(req)
	if err != nil {
		return nil, err
	}
	var missing []TopicPartition
	for _, t := range r.(*kmsg.ListOffsetsResponse).Topics {
		for _, p := range t.Partitions {
			tp := TopicPartition{t.Topic, p.Partition}
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("%w: list offsets of %v: %w", ErrBroker, tp, err)
			}
			out[tp] = p.Offset
		}
	}
	// A timestamp after every record lists no offset: it reads from the end.
	for _, tp := range tps {
		if o, ok := out[tp]; !ok || o < 0 {
			missing = append(missing, tp)
		}
	}
	if len(missing) > 0 && ts >= 0 {
		ends, err := a.listOffsets(missing, listLatest, readCommitted)
		if err != nil {
			return nil, err
		}
		for tp, o := range ends {
			out[tp] = o
		}
	} else if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no offset listed for %v", ErrBroker, missing)
	}
	return out, nil
}

// committed returns the offsets group committed for tps; a partition
// without one is left out.
func (a *admin) committed(group string, tps []TopicPartition) (map[TopicPartition]int64, error) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	topics, partitions := byTopic(tps)
	for _, t := range topics {
		rt := kmsg.NewOffsetFetchRequestTopic()
		rt.Topic, rt.Partitions = t, partitions[t]
		req.Topics = append(req.Topics, rt)
	}
	r, err := a.request(req)
	if err != nil {
		return nil, err
	}
	resp := r.(*kmsg.OffsetFetchResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err == kerr.GroupIDNotFound {
		return map[TopicPartition]int64{}, nil // a group that never committed
	} else if err != nil {
		return nil, fmt.Errorf("%w: committed offsets of group %q: %w", ErrBroker, group, err)
	}
	out := map[TopicPartition]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("%w: committed offset of %s-%d: %w", ErrBroker, t.Topic, p.Partition, err)
			}
			if p.Offset >= 0 {
				out[TopicPartition{t.Topic, p.Partition}] = p.Offset
			}
		}
	}
	return out, nil
}

// commit commits offsets for group, as a consumer outside any group
// generation does (generation -1).
func (a *admin) commit(group string, offsets map[TopicPartition]int64) error {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	topics, partitions := byTopic(slices.SortedFunc(maps.Keys(offsets), compareTP))
	for _, t := range topics {
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = t
		for _, p := range partitions[t] {
			rp := kmsg.NewOffsetCommitRequestTopicPartition()
			rp.Partition, rp.Offset = p, offsets[TopicPartition{t, p}]
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	r, err := a.request(req)
	if err != nil {
		return err
	}
	for _, t := range r.(*kmsg.OffsetCommitResponse).Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("%w: commit offset of %s-%d for group %q: %w", ErrBroker, t.Topic, p.Partition, group, err)
			}
		}
	}
	return nil
}

// byTopic groups partitions by topic, topics in the order first seen.
func byTopic(tps []TopicPartition) (topics []string, partitions map[string][]int32) {
	partitions = map[string][]int32{}
	for _, tp := range tps {
		if _, ok := partitions[tp.Topic]; !ok {
			topics = append(topics, tp.Topic)
		}
		partitions[tp.Topic] = append(partitions[tp.Topic], tp.Partition)
	}
	return topics, partitions
}

func compareTP(a, b TopicPartition) int {
	if c := strings.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return int(a.Partition) - int(b.Partition)
}
