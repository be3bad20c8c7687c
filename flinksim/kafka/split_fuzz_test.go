package kafka

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/flinksim/go-flinksim/flinksim"
)

// FuzzSplitCodec: any bytes decode to a split that encodes back to the
// same bytes, or to an error wrapping ErrSplit and flinksim.ErrDecode —
// never a panic or a huge allocation.
func FuzzSplitCodec(f *testing.F) {
	c := SplitCodec{}
	for _, s := range []Split{
		{Topic: "in", Partition: 3, Offset: 42, StopOffset: NoStopOffset},
		{Topic: "t.x-1", Partition: 0, Offset: EarliestOffset, StopOffset: 100},
		{Discovery: true, Known: map[string]int32{"a": 1, "b": 7}},
		{Discovery: true, Known: map[string]int32{}},
	} {
		b, err := c.Append(nil, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1, 1, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrSplit) || !errors.Is(err, flinksim.ErrDecode) {
				t.Fatalf("error %v wraps neither ErrSplit nor ErrDecode", err)
			}
			return
		}
		again, err := c.Append(nil, s)
		if err != nil {
			t.Fatalf("decoded %v does not encode: %v", s, err)
		}
		back, err := c.Decode(again)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("%v encodes to %x, which decodes to %v, %v", s, again, back, err)
		}
	})
}

// FuzzTransactionCodec: the same for the exactly-once sink's
// transactions.
func FuzzTransactionCodec(f *testing.F) {
	c := transactionCodec{}
	for _, tx := range []*transaction{{}, {ID: "p-0-7", ProducerID: 99, Epoch: 3}} {
		b, _ := c.Append(nil, tx)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, flinksim.ErrDecode) {
				t.Fatalf("error %v does not wrap ErrDecode", err)
			}
			return
		}
		again, err := c.Append(nil, tx)
		if err != nil || string(again) != string(b) {
			t.Fatalf("%v encodes to %x, not %x (%v)", tx, again, b, err)
		}
	})
}

// TestSplitCodecTopicBound: a discovery split names at most 65,535 topics,
// the most its count can say; one more is refused when the checkpoint is
// written, not found unreadable at the restore.
//
// Mutant killed: the bound checked with > (65,536 topics written as 0).
func TestSplitCodecTopicBound(t *testing.T) {
	c := SplitCodec{}
	known := make(map[string]int32, maxKnownTopics)
	for i := range maxKnownTopics - 1 {
		known[fmt.Sprintf("t%d", i)] = 1
	}
	b, err := c.Append(nil, Split{Discovery: true, Known: known})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.Decode(b); err != nil || len(s.Known) != maxKnownTopics-1 {
		t.Fatalf("65,535 topics: %d back, %v", len(s.Known), err)
	}
	known["one-more"] = 1
	if _, err := c.Append(nil, Split{Discovery: true, Known: known}); !errors.Is(err, ErrSplit) {
		t.Fatalf("65,536 topics: %v, want ErrSplit", err)
	}
}
