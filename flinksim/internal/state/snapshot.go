package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// The keyed-state snapshot of one operator subtask is one blob:
//
//	version   byte (2)
//	keys      the key type (uvarint length + bytes), checked on restore
//	tables    uvarint n, then n × (name, type): each uvarint length +
//	          bytes; the type is the state's kind and value type
//	          ("value state of int64", "... with TTL" for a state with a
//	          time to live), checked when it is declared again
//	groups    uvarint first key group, uvarint count c
//	index     c × uint64 big-endian: offset of each group's section,
//	          relative to the start of the data
//	data      per key group, per table: uvarint count, then count ×
//	          (uvarint key length, key, uvarint value length, value)
//
// The index lets a subtask restored at another parallelism read just the
// key groups it owns. The sections follow each other in key-group order:
// the first starts at 0 and each ends where the next starts (the last at
// the end of the blob), and a section decodes to exactly its bytes, so
// nothing is decoded twice. Integrity (checksums) is the snapshot store's
// job; decoding still bounds every length by the bytes present, so it
// allocates no more than the blob's size justifies, and never panics.
//
// A state with a time to live (Expiry) writes, as each value, its codec's
// encoding of the value with its timestamps, and leaves out what has
// expired when the snapshot is taken; a restore keeps the timestamps.

const snapshotVersion = 2

// ErrCorruptState reports a keyed-state blob that cannot be decoded; it
// wraps ErrIncompatible.
var ErrCorruptState = fmt.Errorf("%w: corrupt keyed state", ErrIncompatible)

// Snapshot encodes every registered state and every restored state not yet
// registered (so state survives a restore that does not touch it). If a key
// or a value cannot be encoded it returns the error and no blob: a
// snapshot is never written with entries missing.
func (b *Backend[K]) Snapshot() ([]byte, error) {
	names := make([]string, 0, len(b.tables)+len(b.restored))
	types := make(map[string]string, cap(names))
	for _, t := range b.tables {
		names = append(names, t.Name())
		types[t.Name()] = describe(b.kinds[t.Name()], t)
	}
	for name := range b.restored {
		names = append(names, name)
		types[name] = b.restoredType[name]
	}
	slices.Sort(names)
	hint := 64 + 16*b.groups.Len()
	for _, t := range b.tables {
		hint += 24 * t.Keys() // two length bytes and ~8-byte keys and values
	}
	buf := make([]byte, 1, hint)
	buf[0] = snapshotVersion
	buf = appendBytes(buf, []byte(b.keyType()))
	buf = binary.AppendUvarint(buf, uint64(len(names)))
	for _, n := range names {
		buf = appendBytes(buf, []byte(n))
		buf = appendBytes(buf, []byte(types[n]))
	}
	n := b.groups.Len()
	buf = binary.AppendUvarint(buf, uint64(b.groups.Start))
	buf = binary.AppendUvarint(buf, uint64(n))
	index := len(buf)
	buf = append(buf, make([]byte, 8*n)...)
	data := len(buf)
	for i := 0; i < n; i++ {
		kg := b.groups.Start + i
		binary.BigEndian.PutUint64(buf[index+8*i:], uint64(len(buf)-data))
		for _, name := range names {
			if t, ok := b.byName[name]; ok {
				var err error
				if buf, err = t.appendGroup(buf, kg); err != nil {
					return nil, fmt.Errorf("state %q, key group %d: %w", name, kg, err)
				}
				continue
			}
			buf = appendRestoredGroup(buf, b.restored[name], kg)
		}
	}
	return buf, nil
}

// Restore loads the key groups this backend owns from snapshot blobs of
// the same operator, taken at any parallelism. It must be called before
// any state is registered.
func (b *Backend[K]) Restore(blobs [][]byte) error {
	if len(b.tables) > 0 {
		return errors.New("flinksim: restore after state was registered")
	}
	for i, blob := range blobs {
		if err := b.restoreBlob(blob); err != nil {
			return fmt.Errorf("keyed state %d of %d: %w", i+1, len(blobs), err)
		}
	}
	return nil
}

func (b *Backend[K]) restoreBlob(blob []byte) error {
	d := decoder{buf: blob}
	if v := d.byte(); d.err == nil && v != snapshotVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrCorruptState, v, snapshotVersion)
	}
	if kt := string(d.bytes()); d.err == nil && kt != b.keyType() && !b.trustKeys {
		return fmt.Errorf("%w: keys were %s in the snapshot, are %s (KeyByCodec with a codec that reads the old keys changes their type)",
			ErrIncompatible, kt, b.keyType())
	}
	nt := d.count(1)
	names := make([]string, 0, nt)
	types := make([]string, 0, nt)
	for i := 0; i < nt && d.err == nil; i++ {
		names = append(names, string(d.bytes()))
		types = append(types, string(d.bytes()))
	}
	first := d.uvarint()
	n := d.count(8)
	if d.err != nil {
		return d.err
	}
	if first+uint64(n) > keygroup.UpperBound {
		return fmt.Errorf("%w: key groups %d..%d beyond %d", ErrCorruptState, first, first+uint64(n), keygroup.UpperBound)
	}
	index := d.take(8 * n)
	data := d.buf[d.off:]
	if d.err != nil {
		return d.err
	}
	section := func(i int) uint64 {
		if i == n {
			return uint64(len(data))
		}
		return binary.BigEndian.Uint64(index[8*i:])
	}
	if n > 0 && section(0) != 0 {
		return fmt.Errorf("%w: first key group at offset %d, not 0", ErrCorruptState, section(0))
	}
	for i := 0; i < n; i++ {
		kg := int(first) + i
		start, end := section(i), section(i+1)
		if end < start || end > uint64(len(data)) {
			return fmt.Errorf("%w: key group %d spans [%d, %d) of %d bytes", ErrCorruptState, kg, start, end, len(data))
		}
		if !b.groups.Contains(kg) {
			continue
		}
		gd := decoder{buf: data[start:end]}
		for ni, name := range names {
			g := rawGroup{kg: kg}
			cnt := gd.count(2)
			for j := 0; j < cnt && gd.err == nil; j++ {
				k, v := gd.bytes(), gd.bytes()
				g.entries = append(g.entries, rawEntry{k, v})
			}
			if gd.err != nil {
				return fmt.Errorf("key group %d, state %q: %w", kg, name, gd.err)
			}
			if len(g.entries) == 0 {
				continue
			}
			if t, ok := b.byName[name]; ok {
				if err := t.restore(g); err != nil {
					return err
				}
				continue
			}
			if b.restored == nil {
				b.restored = make(map[string][]rawGroup)
				b.restoredType = make(map[string]string)
			}
			b.restored[name] = append(b.restored[name], g)
			b.restoredType[name] = types[ni]
		}
		if gd.off != len(gd.buf) {
			return fmt.Errorf("%w: key group %d has %d bytes left over", ErrCorruptState, kg, len(gd.buf)-gd.off)
		}
	}
	return nil
}

// rawGroup is the still-encoded entries of one state in one key group.
type rawGroup struct {
	kg      int
	entries []rawEntry
}

type rawEntry struct{ key, value []byte }

func appendRestoredGroup(dst []byte, groups []rawGroup, kg int) []byte {
	for _, g := range groups {
		if g.kg == kg {
			dst = binary.AppendUvarint(dst, uint64(len(g.entries)))
			for _, e := range g.entries {
				dst = appendBytes(appendBytes(dst, e.key), e.value)
			}
			return dst
		}
	}
	return binary.AppendUvarint(dst, 0)
}

func (m *Map[K, V]) appendGroup(dst []byte, kg int) ([]byte, error) {
	g := m.groups[kg-m.b.groups.Start]
	if m.expiry != nil {
		return m.appendUnexpired(dst, g)
	}
	dst = binary.AppendUvarint(dst, uint64(len(g)))
	var scratch []byte
	var err error
	for k, p := range g { // appendEntry inlined: this loop is every checkpoint's
		if scratch, err = m.b.keyCodec.Append(scratch[:0], k); err != nil {
			return nil, fmt.Errorf("encode key: %w", err)
		}
		dst = appendBytes(dst, scratch)
		if scratch, err = m.codec.Append(scratch[:0], *p); err != nil {
			return nil, fmt.Errorf("encode value of a %T key: %w", k, err)
		}
		dst = appendBytes(dst, scratch)
	}
	return dst, nil
}

// appendUnexpired is appendGroup for a table with Expiry: it writes the
// unexpired part of each value, and leaves out the keys with none.
func (m *Map[K, V]) appendUnexpired(dst []byte, g map[K]*V) ([]byte, error) {
	unexpired := m.expiry.Unexpired()
	type entry struct {
		k K
		v V
	}
	live := make([]entry, 0, len(g))
	for k, p := range g {
		if v, ok := unexpired(*p); ok {
			live = append(live, entry{k, v})
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(live)))
	var scratch []byte
	var err error
	for _, e := range live {
		if dst, scratch, err = m.appendEntry(dst, scratch, e.k, e.v); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// appendEntry appends k and v, each length-prefixed, using scratch to
// encode them.
func (m *Map[K, V]) appendEntry(dst, scratch []byte, k K, v V) ([]byte, []byte, error) {
	scratch, err := m.b.keyCodec.Append(scratch[:0], k)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	dst = appendBytes(dst, scratch)
	if scratch, err = m.codec.Append(scratch[:0], v); err != nil {
		return nil, nil, fmt.Errorf("encode value of a %T key: %w", k, err)
	}
	return appendBytes(dst, scratch), scratch, nil
}

func (m *Map[K, V]) restore(g rawGroup) error {
	if !m.b.groups.Contains(g.kg) {
		return nil
	}
	i := g.kg - m.b.groups.Start
	if m.groups[i] == nil {
		m.groups[i] = make(map[K]*V, len(g.entries))
	}
	slab := make([]V, len(g.entries)) // one allocation for the group's values
	for j, e := range g.entries {
		k, err := m.b.keyCodec.Decode(e.key)
		if err != nil {
			return fmt.Errorf("key in key group %d: %w", g.kg, err)
		}
		v, err := m.codec.Decode(e.value)
		if err != nil {
			return fmt.Errorf("value in key group %d: %w", g.kg, err)
		}
		slab[j] = v
		m.groups[i][k] = &slab[j]
	}
	m.gen = 0 // the cached slot may be stale
	return nil
}

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// decoder reads a blob; the first error sticks and every later read
// returns zero values.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrCorruptState}, args...)...)
	}
}

func (d *decoder) byte() byte {
	b := d.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint at offset %d", d.off)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint at offset %d", d.off)
		return 0
	}
	d.off += n
	return v
}

// count reads a count of items that take at least minSize bytes each,
// refusing counts the remaining bytes cannot hold.
func (d *decoder) count(minSize int) int {
	v := d.uvarint()
	if rest := uint64(len(d.buf) - d.off); v > rest/uint64(minSize) {
		d.fail("count %d at offset %d exceeds the %d bytes left", v, d.off, rest)
		return 0
	}
	return int(v)
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.fail("want %d bytes at offset %d, have %d", n, d.off, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.buf)-d.off) {
		d.fail("length %d at offset %d exceeds the %d bytes left", n, d.off, len(d.buf)-d.off)
		return nil
	}
	return d.take(int(n))
}
