package flinksim

import (
	"errors"
	"slices"
	"testing"
)

// FuzzStateContainerDecode feeds arbitrary bytes to the codecs of
// ListState and MapState values, which wrap an element codec: decoding
// must not panic, must not allocate beyond what the input holds (counts
// are checked against the bytes left), and what decodes must encode to
// bytes that decode to the same value (uvarints may be overlong, so the
// bytes themselves may differ).
// Run with: go test ./flinksim -run '^$' -fuzz FuzzStateContainerDecode
func FuzzStateContainerDecode(f *testing.F) {
	list := sliceCodec[string]{CodecFor[string]()}
	m := orderedMapCodec[string, int64]{CodecFor[string](), CodecFor[int64]()}
	b, _ := list.Append(nil, []string{"a", "", "bc"})
	f.Add(b)
	om := &orderedMap[string, int64]{index: map[string]int{}}
	om.put("x", 1)
	om.put("y", -2)
	b, _ = m.Append(nil, om)
	f.Add(b)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}) // a count of 2^32
	f.Fuzz(func(t *testing.T, b []byte) {
		if vs, err := list.Decode(b); err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("list: error %v does not match ErrDecode", err)
			}
		} else if again, err := list.Append(nil, vs); err != nil {
			t.Fatalf("list: %x decodes to %q, which does not encode: %v", b, vs, err)
		} else if vs2, err := list.Decode(again); err != nil || !slices.Equal(vs, vs2) {
			t.Fatalf("list: %q re-decodes as %q, %v", vs, vs2, err)
		}
		if om, err := m.Decode(b); err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("map: error %v does not match ErrDecode", err)
			}
		} else if again, err := m.Append(nil, om); err != nil {
			t.Fatalf("map: %x decodes to %v, which does not encode: %v", b, om, err)
		} else if om2, err := m.Decode(again); err != nil || !slices.Equal(om.keys, om2.keys) || !slices.Equal(om.values, om2.values) {
			t.Fatalf("map: %v re-decodes as %v, %v", om.keys, om2, err)
		}
	})
}
