package kafka

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Special values of Split.Offset and Split.StopOffset.
const (
	// EarliestOffset as a Split.Offset means the partition's first
	// offset, whatever it is when the reader gets there: splits of
	// partitions found by discovery, and of sources that start at
	// Earliest, begin with it until a record is read.
	EarliestOffset int64 = -2
	// NoStopOffset as a Split.StopOffset means the split is unbounded.
	NoStopOffset int64 = -1
)

// maxTopicLen is Kafka's limit on a topic name.
const maxTopicLen = 249

// maxKnownTopics bounds the topics a discovery split may name when it is
// decoded: a checkpoint that claims more is refused, not allocated.
const maxKnownTopics = 1 << 16

// Split is what a Kafka source reads, as Flink's KafkaPartitionSplit: one
// partition of a topic from Offset (the next offset to read) up to
// StopOffset, or the source's one discovery split, which holds how many
// partitions of each topic have been given out (Known) and finds new ones.
// Checkpoints and savepoints record every unfinished split with its
// Offset; a restore deals them out again at any parallelism.
type Split struct {
	// Topic and Partition name the partition ("" and 0 for the discovery
	// split).
	Topic     string
	Partition int32
	// Offset is the next offset to read, or EarliestOffset.
	Offset int64
	// StopOffset, in bounded mode, is the offset the split stops before;
	// NoStopOffset otherwise.
	StopOffset int64
	// Discovery marks the discovery split.
	Discovery bool
	// Known is, for the discovery split, the number of partitions of each
	// topic given out so far; partitions numbered from it on are new.
	Known map[string]int32
}

// Done reports whether a partition split has been read to its stop offset.
func (s Split) Done() bool {
	return !s.Discovery && s.StopOffset != NoStopOffset && s.Offset >= s.StopOffset
}

// String describes the split, as "in-3@42" (topic in, partition 3,
// next offset 42), "in-3@earliest..100" (bounded) or "discovery{in:4}".
func (s Split) String() string {
	if s.Discovery {
		parts := make([]string, 0, len(s.Known))
		for _, t := range slices.Sorted(maps.Keys(s.Known)) {
			parts = append(parts, fmt.Sprintf("%s:%d", t, s.Known[t]))
		}
		return "discovery{" + strings.Join(parts, " ") + "}"
	}
	off := fmt.Sprint(s.Offset)
	if s.Offset == EarliestOffset {
		off = "earliest"
	}
	if s.StopOffset == NoStopOffset {
		return fmt.Sprintf("%s-%d@%s", s.Topic, s.Partition, off)
	}
	return fmt.Sprintf("%s-%d@%s..%d", s.Topic, s.Partition, off, s.StopOffset)
}

// clone returns a copy that shares nothing with s.
func (s Split) clone() Split {
	s.Known = maps.Clone(s.Known)
	return s
}

// SplitCodec encodes splits into checkpoints. The format, version 1:
// a version byte (1), a kind byte (0: partition, 1: discovery); a
// partition split then has its topic (uint16 length, bytes), partition
// (int32), offset and stop offset (int64, big endian); a discovery split
// has a uint16 count of topics, each a topic and an int32 count. Decode
// refuses anything else with an error wrapping ErrSplit and
// flinksim.ErrDecode.
type SplitCodec struct{}

var _ flinksim.Codec[Split] = SplitCodec{}

const splitVersion = 1

// Append implements flinksim.Codec.
func (SplitCodec) Append(dst []byte, s Split) ([]byte, error) {
	dst = append(dst, splitVersion)
	if s.Discovery {
		if len(s.Known) >= maxKnownTopics { // the count is a uint16
			return dst, fmt.Errorf("%w: discovery split of %d topics", ErrSplit, len(s.Known))
		}
		dst = append(dst, 1)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(s.Known)))
		for _, t := range slices.Sorted(maps.Keys(s.Known)) {
			var err error
			if dst, err = appendTopic(dst, t); err != nil {
				return dst, err
			}
			dst = binary.BigEndian.AppendUint32(dst, uint32(s.Known[t]))
		}
		return dst, nil
	}
	dst = append(dst, 0)
	dst, err := appendTopic(dst, s.Topic)
	if err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(s.Partition))
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.Offset))
	return binary.BigEndian.AppendUint64(dst, uint64(s.StopOffset)), nil
}

func appendTopic(dst []byte, t string) ([]byte, error) {
	if t == "" || len(t) > maxTopicLen {
		return dst, fmt.Errorf("%w: topic name of %d bytes", ErrSplit, len(t))
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(t)))
	return append(dst, t...), nil
}

// Decode implements flinksim.Codec.
func (SplitCodec) Decode(b []byte) (Split, error) {
	s, rest, err := decodeSplit(b)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%d trailing bytes", len(rest))
	}
	if err != nil {
		return Split{}, fmt.Errorf("%w: %w: %w", flinksim.ErrDecode, ErrSplit, err)
	}
	return s, nil
}

func decodeSplit(b []byte) (Split, []byte, error) {
	if len(b) < 2 {
		return Split{}, nil, fmt.Errorf("%d bytes", len(b))
	}
	if b[0] != splitVersion {
		return Split{}, nil, fmt.Errorf("version %d", b[0])
	}
	kind, b := b[1], b[2:]
	switch kind {
	case 0:
		t, b, err := decodeTopic(b)
		if err != nil {
			return Split{}, nil, err
		}
		if len(b) < 20 {
			return Split{}, nil, fmt.Errorf("partition split of topic %q cut short", t)
		}
		s := Split{Topic: t, Partition: int32(binary.BigEndian.Uint32(b)),
			Offset: int64(binary.BigEndian.Uint64(b[4:])), StopOffset: int64(binary.BigEndian.Uint64(b[12:]))}
		if s.Partition < 0 || s.Offset < EarliestOffset || s.Offset == -1 || s.StopOffset < NoStopOffset {
			return Split{}, nil, fmt.Errorf("partition split %v", s)
		}
		return s, b[20:], nil
	case 1:
		if len(b) < 2 {
			return Split{}, nil, fmt.Errorf("discovery split cut short")
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		// Each topic takes at least 7 bytes: refuse a count the bytes
		// cannot hold before allocating for it.
		if n*7 > len(b) {
			return Split{}, nil, fmt.Errorf("discovery split of %d topics in %d bytes", n, len(b))
		}
		s := Split{Discovery: true, Known: make(map[string]int32, n)}
		for range n {
			t, rest, err := decodeTopic(b)
			if err != nil {
				return Split{}, nil, err
			}
			if len(rest) < 4 {
				return Split{}, nil, fmt.Errorf("discovery split cut short at topic %q", t)
			}
			c := int32(binary.BigEndian.Uint32(rest))
			if _, dup := s.Known[t]; dup || c < 0 {
				return Split{}, nil, fmt.Errorf("discovery split: topic %q twice or with %d partitions", t, c)
			}
			s.Known[t] = c
			b = rest[4:]
		}
		return s, b, nil
	}
	return Split{}, nil, fmt.Errorf("split kind %d", kind)
}

func decodeTopic(b []byte) (string, []byte, error) {
	if len(b) < 2 {
		return "", nil, fmt.Errorf("topic cut short")
	}
	n := int(binary.BigEndian.Uint16(b))
	if n == 0 || n > maxTopicLen || len(b) < 2+n {
		return "", nil, fmt.Errorf("topic of %d bytes in %d", n, len(b)-2)
	}
	return string(b[2 : 2+n]), b[2+n:], nil
}
