package flinksim

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzSplitDecode feeds arbitrary bytes, as a damaged checkpoint would
// hold, to the split codecs of the built-in sources: decoding must not
// panic, must report ErrDecode when it fails, and what decodes must be a
// valid split (0 <= Next <= End) that encodes to the same bytes.
// Run with: go test ./flinksim -run '^$' -fuzz FuzzSplitDecode
func FuzzSplitDecode(f *testing.F) {
	b, _ := rangeSplitCodec{}.Append(nil, rangeSplit{Next: 3, End: 10, Skip: true})
	f.Add(b)
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 17))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := rangeSplitCodec{}.Decode(b)
		switch {
		case err != nil && !errors.Is(err, ErrDecode):
			t.Fatalf("range split: error %v does not match ErrDecode", err)
		case err == nil && (s.Next < 0 || s.End < s.Next):
			t.Fatalf("range split %x decodes to the invalid %+v", b, s)
		case err == nil:
			again, _ := rangeSplitCodec{}.Append(nil, s)
			if !bytes.Equal(again, b) {
				t.Fatalf("range split %x re-encodes as %x", b, again)
			}
		}
		if _, err := (chanSplitCodec{}).Decode(b); (err == nil) != (len(b) == 0) || (err != nil && !errors.Is(err, ErrDecode)) {
			t.Fatalf("channel split %x: %v", b, err)
		}
	})
}
