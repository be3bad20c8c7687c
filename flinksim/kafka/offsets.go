package kafka

import (
	"fmt"
	"time"
)

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// String returns TOPIC-PARTITION.
func (tp TopicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// Offsets says where a source starts or stops reading each partition, as
// Flink's OffsetsInitializer. Build one with Earliest, Latest, Committed,
// Timestamp or Specific; the zero value is Earliest.
type Offsets struct {
	kind     offsetKind
	at       time.Time
	specific map[TopicPartition]int64
	reset    offsetKind // Committed: where a partition without a committed offset starts
}

type offsetKind uint8

const (
	earliest offsetKind = iota
	latest
	committed
	timestamp
	specific
)

func (k offsetKind) String() string {
	return [...]string{"earliest", "latest", "committed", "timestamp", "specific"}[k]
}

// Earliest starts each partition at its first offset.
func Earliest() Offsets { return Offsets{kind: earliest} }

// Latest starts each partition at its end when the job first starts (or
// stops there, as a stop offset): records written later are read only by
// an unbounded source. With read-committed (the default) the end is the
// last stable offset, before any open transaction.
func Latest() Offsets { return Offsets{kind: latest} }

// Committed starts each partition at the offset the source's group
// committed; a partition without one starts at reset, which must be
// Earliest or Latest.
func Committed(reset Offsets) Offsets { return Offsets{kind: committed, reset: reset.kind} }

// Timestamp starts each partition at the first record whose timestamp is
// at or after t (at the end if there is none).
func Timestamp(t time.Time) Offsets { return Offsets{kind: timestamp, at: t} }

// Specific starts each partition of offsets at the offset given; the
// partitions it does not name start at the earliest offset. As stop
// offsets, the partitions it does not name stop at Latest.
func Specific(offsets map[TopicPartition]int64) Offsets {
	m := make(map[TopicPartition]int64, len(offsets))
	for tp, o := range offsets {
		m[tp] = o
	}
	return Offsets{kind: specific, specific: m}
}

// String names the offsets, as "earliest" or "timestamp 2024-…".
func (o Offsets) String() string {
	switch o.kind {
	case committed:
		return fmt.Sprintf("committed (else %v)", o.reset)
	case timestamp:
		return "timestamp " + o.at.Format(time.RFC3339Nano)
	}
	return o.kind.String()
}

// validate checks offsets used as start (stop false) or stop offsets.
func (o Offsets) validate(stop bool) error {
	if o.kind == committed && o.reset != earliest && o.reset != latest {
		return fmt.Errorf("%w: Committed falls back to %v: only Earliest or Latest", ErrConfig, o.reset)
	}
	if stop && (o.kind == earliest || o.kind == committed) {
		return fmt.Errorf("%w: stop offsets %v (a bounded source stops at Latest, Timestamp or Specific offsets)", ErrConfig, o)
	}
	for tp, off := range o.specific {
		if off < 0 {
			return fmt.Errorf("%w: specific offset %d for %v", ErrConfig, off, tp)
		}
	}
	if o.kind == timestamp && o.at.UnixMilli() < 0 {
		// -1 and -2 mean Latest and Earliest to ListOffsets.
		return fmt.Errorf("%w: timestamp %v is before 1970", ErrConfig, o.at)
	}
	return nil
}
