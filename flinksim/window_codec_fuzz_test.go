package flinksim

import (
	"errors"
	"testing"
)

// FuzzWindowEntriesDecode feeds arbitrary bytes — corrupt window state —
// to the codec of a key's open windows: decoding must fail with ErrDecode
// or succeed, never panic nor allocate beyond what the input holds, and
// what decodes must encode to bytes that decode to the same windows.
// Run with: go test ./flinksim -run '^$' -fuzz FuzzWindowEntriesDecode
//
// Mutant: the count check accepting negative counts fails this target
// on its seeds alone.
func FuzzWindowEntriesDecode(f *testing.F) {
	c := testWindowEntriesCodec()
	for _, b := range windowEntriesSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("error %v does not match ErrDecode", err)
			}
			return
		}
		again, err := c.Append(nil, es)
		if err != nil {
			t.Fatalf("%x decodes to %v, which does not encode: %v", b, es, err)
		}
		es2, err := c.Decode(again)
		if err != nil || len(es2) != len(es) {
			t.Fatalf("%v re-decodes as %v, %v", es, es2, err)
		}
		for i := range es {
			a, b := es[i], es2[i]
			if a.window != b.window || a.filled != b.filled || a.count != b.count || len(a.acc) != len(b.acc) {
				t.Fatalf("window %d: %+v re-decodes as %+v", i, a, b)
			}
			if a.count < 0 || !a.window.IsGlobal() && a.window.Start >= a.window.End {
				t.Fatalf("window %d decoded invalid: %+v", i, a)
			}
		}
	})
}

func testWindowEntriesCodec() windowEntriesCodec[[]int64] {
	return windowEntriesCodec[[]int64]{acc: sliceCodec[int64]{CodecFor[int64]()}}
}

// windowEntriesSeeds returns an encoding of two windows, then corrupt
// bytes, each of which must not decode.
func windowEntriesSeeds(tb testing.TB) [][]byte {
	ok, err := testWindowEntriesCodec().Append(nil, []windowEntry[[]int64]{
		{window: Window{Start: -10, End: 10}, acc: []int64{1, -2}, filled: true, count: 2},
		{window: GlobalWindow(), acc: nil, count: 0},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return [][]byte{
		ok,
		append(append([]byte{}, ok...), 0), // a trailing byte
		{1, 0, 2, 4, 0, 1, 0},              // flags 4
		{1, 0, 2, 0, 1, 1, 0},              // count -1
		{1, 2, 2, 0, 0, 1, 0},              // the empty window [1, 1)
		{0xff, 0xff, 0xff, 0xff, 0x0f},     // a count of 2^32
		{1, 0, 2, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2}, // an accumulator's length past the end
		{1, 0x80}, // a truncated bound
	}
}

// TestWindowEntriesDecodeRejectsCorruption: every corrupt seed of the
// fuzz target fails to decode with ErrDecode; the good one decodes.
//
// Mutants, each fails this test: the flags check accepting any byte; the
// trailing-bytes check removed; the empty-window check removed.
func TestWindowEntriesDecodeRejectsCorruption(t *testing.T) {
	seeds := windowEntriesSeeds(t)
	c := testWindowEntriesCodec()
	es, err := c.Decode(seeds[0])
	if err != nil || len(es) != 2 || es[0].window != (Window{Start: -10, End: 10}) || !es[1].window.IsGlobal() || es[0].count != 2 {
		t.Fatalf("good seed decodes to %+v, %v", es, err)
	}
	for i, b := range seeds[1:] {
		if es, err := c.Decode(b); !errors.Is(err, ErrDecode) {
			t.Errorf("corrupt seed %d (%x) decodes to %+v, %v", i+1, b, es, err)
		}
	}
}
