package kafka

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Record is a Kafka record as a Deserializer sees it. Its slices belong to
// the record: a deserializer may keep them.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}

// Header is a record header.
type Header struct {
	Key   string
	Value []byte
}

// Default values of SourceConfig.
const (
	// DefaultDiscoveryInterval is how often an unbounded source looks for
	// new partitions unless told otherwise.
	DefaultDiscoveryInterval = 5 * time.Minute
	// DefaultMaxPollRecords is how many records a reader fetches at most
	// at once.
	DefaultMaxPollRecords = 500
)

// SourceConfig configures a Kafka source; see NewSource. Brokers, one of
// Topics and TopicPattern, and Deserializer are required; the zero value
// of every other field means its default.
type SourceConfig[T any] struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string
	// Topics to read; or TopicPattern, which reads every topic whose name
	// it matches (internal topics aside), and, unless discovery is off,
	// topics created later that match it.
	Topics       []string
	TopicPattern *regexp.Regexp
	// Start is where a job that starts without state reads each
	// partition from (default Earliest). A restored job reads from the
	// offsets its snapshot recorded instead.
	Start Offsets
	// Stop, if set, makes the source bounded: each partition is read up
	// to the offset Stop resolves to when the job first starts (Latest,
	// Timestamp or Specific), and the job finishes once every partition
	// got there. Bounded sources discover no partitions. A partition is
	// there once a record (or transaction marker) at or past its stop
	// offset is read, or the record just before it: read-committed, when
	// the last records before the stop offset belong to an aborted
	// transaction and a later one is still open, the partition waits for
	// that one to end (at most its transaction timeout), as the aborted
	// records are never delivered.
	Stop *Offsets
	// GroupID is the consumer group whose committed offsets Committed
	// starts from, and to which the source commits the offsets of each
	// completed checkpoint (for monitoring, as Flink does: the source
	// does not rely on them; the checkpoints hold its offsets). Partitions
	// are assigned by the source, never by the group.
	GroupID string
	// DisableOffsetCommits keeps a source with a GroupID from committing.
	DisableOffsetCommits bool
	// DiscoveryInterval is how often an unbounded source looks for new
	// partitions of its topics (and new topics of its pattern); default
	// DefaultDiscoveryInterval, negative for never. New partitions are
	// read from their earliest offset.
	DiscoveryInterval time.Duration
	// ReadUncommitted reads records of open and aborted transactions too.
	// By default the source reads committed records only.
	ReadUncommitted bool
	// Deserializer turns a record into the stream's value. An error fails
	// the subtask (and the job restarts from its last checkpoint).
	Deserializer func(r *Record) (T, error)
	// MaxPollRecords is the most records a reader fetches at once
	// (default DefaultMaxPollRecords).
	MaxPollRecords int
	// RequestTimeout bounds each metadata and offset request (default
	// 30s).
	RequestTimeout time.Duration
	// Options are more franz-go client options (TLS, SASL, …), applied
	// after the package's own.
	Options []kgo.Opt
}

// Source is a Kafka source, as Flink's KafkaSource: it implements
// flinksim.Source with Split splits. Run it with flinksim.FromSource.
type Source[T any] struct {
	cfg SourceConfig[T]
}

var _ flinksim.Source[int, Split] = (*Source[int])(nil)

// NewSource returns a source for cfg, or an error wrapping ErrConfig if
// cfg cannot work. It does not connect: the brokers are first asked when
// the job starts.
func NewSource[T any](cfg SourceConfig[T]) (*Source[T], error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Topics = slices.Clone(cfg.Topics)
	if cfg.DiscoveryInterval == 0 {
		cfg.DiscoveryInterval = DefaultDiscoveryInterval
	}
	if cfg.MaxPollRecords == 0 {
		cfg.MaxPollRecords = DefaultMaxPollRecords
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	return &Source[T]{cfg: cfg}, nil
}

func (c *SourceConfig[T]) validate() error {
	switch {
	case len(c.Brokers) == 0:
		return fmt.Errorf("%w: source without brokers", ErrConfig)
	case (len(c.Topics) == 0) == (c.TopicPattern == nil):
		return fmt.Errorf("%w: a source reads Topics or a TopicPattern, one of them", ErrConfig)
	case c.Deserializer == nil:
		return fmt.Errorf("%w: source without a Deserializer", ErrConfig)
	case c.MaxPollRecords < 0 || c.RequestTimeout < 0:
		return fmt.Errorf("%w: negative MaxPollRecords or RequestTimeout", ErrConfig)
	case c.Start.kind == committed && c.GroupID == "":
		return fmt.Errorf("%w: Committed start offsets need a GroupID", ErrConfig)
	}
	for _, t := range c.Topics {
		if err := validTopic(t); err != nil {
			return err
		}
	}
	if err := c.Start.validate(false); err != nil {
		return err
	}
	if c.Stop != nil {
		if err := c.Stop.validate(true); err != nil {
			return err
		}
	}
	return nil
}

var topicChars = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

func validTopic(t string) error {
	if len(t) == 0 || len(t) > maxTopicLen || !topicChars.MatchString(t) {
		return fmt.Errorf("%w: topic name %q", ErrConfig, t)
	}
	return nil
}

// SplitCodec implements flinksim.Source.
func (s *Source[T]) SplitCodec() flinksim.Codec[Split] { return SplitCodec{} }

// Splits implements flinksim.Source: one split per partition of the
// source's topics, at its start offset (and, bounded, its stop offset),
// and for an unbounded source with discovery on, the discovery split.
// Partitions that a bounded source has nothing to read from are left out.
func (s *Source[T]) Splits(int) ([]Split, error) {
	a, err := newAdmin(context.Background(), s.cfg.Brokers, s.cfg.RequestTimeout, s.cfg.Options)
	if err != nil {
		return nil, err
	}
	defer a.close()
	counts, err := a.partitions(s.cfg.Topics, s.cfg.TopicPattern)
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	var tps []TopicPartition
	for t, n := range counts {
		for p := range n {
			tps = append(tps, TopicPartition{t, p})
		}
	}
	slices.SortFunc(tps, compareTP)
	bounded := s.cfg.Stop != nil
	starts, err := s.resolve(a, s.cfg.Start, tps, bounded, false)
	if err != nil {
		return nil, fmt.Errorf("start offsets: %w", err)
	}
	var stops map[TopicPartition]int64
	if bounded {
		if stops, err = s.resolve(a, *s.cfg.Stop, tps, true, true); err != nil {
			return nil, fmt.Errorf("stop offsets: %w", err)
		}
	}
	splits := make([]Split, 0, len(tps)+1)
	for _, tp := range tps {
		sp := Split{Topic: tp.Topic, Partition: tp.Partition, Offset: starts[tp], StopOffset: NoStopOffset}
		if bounded {
			sp.StopOffset = stops[tp]
			if sp.Done() {
				continue
			}
		}
		splits = append(splits, sp)
	}
	if !bounded && s.cfg.DiscoveryInterval > 0 {
		splits = append(splits, Split{Discovery: true, Known: counts})
	}
	return splits, nil
}

// resolve turns offsets into an offset per partition. Earliest stays
// EarliestOffset unless exact is set; partitions that Specific stop
// offsets do not name stop at the latest offset.
func (s *Source[T]) resolve(a *admin, o Offsets, tps []TopicPartition, exact, stop bool) (map[TopicPartition]int64, error) {
	readCommitted := !s.cfg.ReadUncommitted
	out := make(map[TopicPartition]int64, len(tps))
	var rest []TopicPartition // partitions left to the fallback
	fallback := earliest
	switch o.kind {
	case earliest:
		rest = tps
	case latest:
		return a.listOffsets(tps, listLatest, readCommitted)
	case timestamp:
		return a.listOffsets(tps, o.at.UnixMilli(), readCommitted)
	case committed:
		got, err := a.committed(s.cfg.GroupID, tps)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, got)
		fallback = o.reset
	case specific:
		known := make(map[TopicPartition]bool, len(tps))
		for _, tp := range tps {
			known[tp] = true
		}
		for tp, off := range o.specific {
			if !known[tp] {
				return nil, fmt.Errorf("%w: specific offset for %v", ErrTopicNotFound, tp)
			}
			out[tp] = off
		}
		if stop {
			fallback = latest
		}
	}
	if o.kind != earliest {
		for _, tp := range tps {
			if _, ok := out[tp]; !ok {
				rest = append(rest, tp)
			}
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	if fallback == earliest && !exact {
		for _, tp := range rest {
			out[tp] = EarliestOffset
		}
		return out, nil
	}
	ts := listEarliest
	if fallback == latest {
		ts = listLatest
	}
	got, err := a.listOffsets(rest, ts, readCommitted)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, got)
	return out, nil
}

// NewReader implements flinksim.Source.
func (s *Source[T]) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[T, Split], error) {
	return newReader(s, ctx)
}
