// Package state is the heap keyed-state backend: every state is a typed
// table of per-key-group maps, so it can be snapshotted per key group and
// redistributed when the parallelism changes. The current key is set by the
// operator before each record; state handles read and write the entry of
// that key.
package state

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// ErrConflict reports a state registered twice under one name with a
// different kind or type.
var ErrConflict = errors.New("flinksim: state registered twice with different types")

// ErrIncompatible reports snapshot state that cannot be restored into the
// job: state whose bytes the declared codec does not decode, a damaged
// blob (ErrCorruptState), a max parallelism that changed. A restore that
// fails with it cannot succeed by retrying.
var ErrIncompatible = errors.New("flinksim: snapshot state incompatible with the job")

// ErrNoKey reports keyed state used where no key is current (for example
// while the operator opens).
var ErrNoKey = errors.New("flinksim: keyed state used outside a keyed context")

// Codec encodes keys and values for snapshots and key hashing. The public
// flinksim.Codec is an alias of it: Append returns an error, never a
// partial encoding, for a value it cannot encode faithfully.
type Codec[T any] interface {
	Append(dst []byte, v T) ([]byte, error)
	Decode(src []byte) (T, error)
}

// Backend holds the keyed state of one operator subtask.
type Backend[K comparable] struct {
	groups   keygroup.Range
	keyCodec Codec[K]
	// trustKeys: the key codec is the user's, which may read keys of
	// another type; otherwise a snapshot's key type must be K.
	trustKeys bool
	// restored holds snapshot entries of states not registered yet, by
	// state name; Register decodes them into the new table.
	restored map[string][]rawGroup
	// restoredType describes each restored state as its snapshot did
	// ("value state of int64"); Register checks it against the
	// declaration.
	restoredType map[string]string
	key          K
	kg           int    // index of the current key group in the range; -1: none
	gen          uint64 // changes with the current key; tables cache per gen
	tables       []Table
	byName       map[string]Table
	kinds        map[string]string // state kind by name
}

// Table is the erased face of one registered state.
type Table interface {
	Name() string
	// Keys returns the number of keys with an entry.
	Keys() int
	// appendGroup appends the entries of key group kg as a count followed
	// by (key, value) pairs, each length-prefixed, or fails if a key or a
	// value cannot be encoded.
	appendGroup(dst []byte, kg int) ([]byte, error)
	// restore decodes the entries of one key group into the table.
	restore(g rawGroup) error
}

// NewBackend returns a backend for the key groups in r, whose keys are
// encoded with keyCodec in snapshots.
func NewBackend[K comparable](r keygroup.Range, keyCodec Codec[K]) *Backend[K] {
	return &Backend[K]{groups: r, keyCodec: keyCodec, kg: -1, gen: 1, byName: make(map[string]Table), kinds: make(map[string]string)}
}

// TrustKeyCodec says the key codec was chosen by the user: a restore does
// not refuse keys a snapshot recorded as another type.
func (b *Backend[K]) TrustKeyCodec() { b.trustKeys = true }

// keyType is how a snapshot records the key type.
func (b *Backend[K]) keyType() string { return reflect.TypeFor[K]().String() }

// KeyGroups returns the key groups the backend owns.
func (b *Backend[K]) KeyGroups() keygroup.Range { return b.groups }

// SetCurrentKey makes k, of key group kg, the key that state handles use.
func (b *Backend[K]) SetCurrentKey(k K, kg int) {
	b.key = k
	b.kg = kg - b.groups.Start
	b.gen++
}

// ClearCurrentKey leaves the backend without a current key: state handles
// fail with ErrNoKey until the next SetCurrentKey.
func (b *Backend[K]) ClearCurrentKey() {
	var zero K
	b.key, b.kg = zero, -1
	b.gen++
}

// CurrentKeyGroup returns the key group of the current key, if there is
// one.
func (b *Backend[K]) CurrentKeyGroup() (int, bool) {
	if b.kg < 0 {
		return 0, false
	}
	return b.groups.Start + b.kg, true
}

// CurrentKey returns the current key.
func (b *Backend[K]) CurrentKey() K { return b.key }

// HasRestored reports whether the restored snapshot holds state name that
// is not registered yet.
func (b *Backend[K]) HasRestored(name string) bool {
	_, ok := b.restored[name]
	return ok
}

// ForEachKey calls fn for every key that has an entry in some registered
// state table (not timers alone), in key-group order and, within a key
// group, in the order of the keys' encodings, so that runs are
// deterministic. It stops at fn's first error and returns it. fn may
// change the current key's state, but not add keys to other key groups.
func (b *Backend[K]) ForEachKey(fn func(k K, kg int) error) error {
	for i := 0; i < b.groups.Len(); i++ {
		seen := make(map[K]bool)
		var keys []K
		for _, t := range b.tables {
			if l, ok := t.(keyLister[K]); ok {
				for _, k := range l.AppendKeys(nil, i) {
					if !seen[k] {
						seen[k] = true
						keys = append(keys, k)
					}
				}
			}
		}
		if len(keys) == 0 {
			continue
		}
		encoded := make([][]byte, len(keys))
		order := make([]int, len(keys))
		for j, k := range keys {
			enc, err := b.keyCodec.Append(nil, k)
			if err != nil {
				return err
			}
			encoded[j], order[j] = enc, j
		}
		slices.SortFunc(order, func(x, y int) int { return bytes.Compare(encoded[x], encoded[y]) })
		for _, j := range order {
			if err := fn(keys[j], b.groups.Start+i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Tables returns the registered states in registration order.
func (b *Backend[K]) Tables() []Table { return b.tables }

// Register returns the table registered under name, creating it with
// newTable when there is none. kind names the kind of state ("value",
// "reducing", ...): a table of another kind or type under the same name is
// an ErrConflict.
func Register[K comparable, T Table](b *Backend[K], name, kind string, newTable func() T) (T, error) {
	if t, ok := b.byName[name]; ok {
		typed, ok := t.(T)
		if !ok || b.kinds[name] != kind {
			var zero T
			return zero, fmt.Errorf("%w: %q is %s, wanted %s",
				ErrConflict, name, describe(b.kinds[name], t), describe(kind, newTable()))
		}
		return typed, nil
	}
	t := newTable()
	if was, ok := b.restoredType[name]; ok {
		is := describe(kind, t)
		if strings.HasSuffix(was, withTTL) != strings.HasSuffix(is, withTTL) {
			var zero T
			return zero, fmt.Errorf("%w: state %q was %s in the snapshot, is declared %s (a restored state cannot gain or lose its time to live; declare it as it was, or under another name)",
				ErrIncompatible, name, was, is)
		}
		if tc, trusted := any(t).(interface{ trustsCodec() bool }); was != is && !(trusted && tc.trustsCodec()) {
			var zero T
			return zero, fmt.Errorf("%w: state %q was %s in the snapshot, is declared %s (give it a codec that reads the old values, with WithCodec, to change its type)",
				ErrIncompatible, name, was, is)
		}
	}
	for _, g := range b.restored[name] {
		if err := t.restore(g); err != nil {
			var zero T
			return zero, fmt.Errorf("%w: restore state %q: %w", ErrIncompatible, name, err)
		}
	}
	delete(b.restored, name)
	delete(b.restoredType, name)
	b.tables = append(b.tables, t)
	b.byName[name] = t
	b.kinds[name] = kind
	return t, nil
}

// withTTL ends the description of a state with time to live.
const withTTL = " with TTL"

// describe is how a snapshot records a state's kind and value type, and
// whether it has a time to live ("value state of int64 with TTL").
func describe(kind string, t any) string {
	d := kind + " state of " + valueType(t)
	if e, ok := t.(interface{ expires() bool }); ok && e.expires() {
		d += withTTL
	}
	return d
}

// valueType names the value type of a table (*Map[K, V] → V, or the
// declared type of a table with Expiry) for errors.
func valueType(t any) string {
	if vt, ok := t.(interface{ valueType() reflect.Type }); ok {
		return vt.valueType().String()
	}
	return reflect.TypeOf(t).String()
}

// Map is a table of one value of type V per key. Values are held by
// pointer, and the slot of the current key is cached after the first
// access, so the usual read-modify-write of a record costs one hash lookup.
type Map[K comparable, V any] struct {
	name    string
	b       *Backend[K]
	codec   Codec[V]
	trusted bool // the codec is the user's: it may read values of another type
	expiry  *Expiry[V]
	groups  []map[K]*V
	// The cache is valid while gen == b.gen; slot == nil means "absent".
	gen  uint64
	slot *V
}

// NewMap returns an empty table named name on b, whose values are encoded
// with codec in snapshots.
func NewMap[K comparable, V any](b *Backend[K], name string, codec Codec[V]) *Map[K, V] {
	return &Map[K, V]{name: name, b: b, codec: codec, groups: make([]map[K]*V, b.groups.Len())}
}

// Name implements Table.
func (m *Map[K, V]) Name() string { return m.name }

// TrustCodec says the map's codec was chosen by the user, who may have
// changed the state's type and given a codec that reads the old values:
// a restore then does not refuse the changed type.
func (m *Map[K, V]) TrustCodec() { m.trusted = true }

func (m *Map[K, V]) trustsCodec() bool { return m.trusted }

func (m *Map[K, V]) valueType() reflect.Type {
	if m.expiry != nil {
		return m.expiry.Declared
	}
	return reflect.TypeFor[V]()
}

// Expiry makes a table hold state with a time to live. The table's values
// carry their timestamps (the layer above decides what they are and when
// they expire); the table only describes itself as state "with TTL" of
// the declared type, so that a restore refuses to add or remove a time to
// live, and leaves expired values out of snapshots.
type Expiry[V any] struct {
	// Declared is the state's type as declared, for its description.
	Declared reflect.Type
	// Config names the time-to-live configuration: a state declared
	// again under its name must give the same.
	Config string
	// Unexpired is called once per key group a snapshot writes; the
	// function it returns gives the part of a value that has not expired
	// (without changing the value given), or false when none is left and
	// the key is left out.
	Unexpired func() func(v V) (V, bool)
}

// SetExpiry makes m a table of state with time to live (see Expiry).
func (m *Map[K, V]) SetExpiry(e Expiry[V]) { m.expiry = &e }

// ExpiryConfig returns the Config of m's Expiry, "" if it has none.
func (m *Map[K, V]) ExpiryConfig() string {
	if m.expiry == nil {
		return ""
	}
	return m.expiry.Config
}

func (m *Map[K, V]) expires() bool { return m.expiry != nil }

// Keys implements Table.
func (m *Map[K, V]) Keys() int {
	n := 0
	for _, g := range m.groups {
		n += len(g)
	}
	return n
}

// lookup returns the current key's slot (nil if absent), from the cache
// when it is valid.
func (m *Map[K, V]) lookup() *V {
	if m.gen == m.b.gen {
		return m.slot
	}
	if m.b.kg < 0 {
		panic(ErrNoKey)
	}
	m.slot, m.gen = m.groups[m.b.kg][m.b.key], m.b.gen
	return m.slot
}

// Get returns the current key's value.
func (m *Map[K, V]) Get() (V, bool) {
	if p := m.lookup(); p != nil {
		return *p, true
	}
	var zero V
	return zero, false
}

// Put sets the current key's value.
func (m *Map[K, V]) Put(v V) {
	if p := m.lookup(); p != nil {
		*p = v
		return
	}
	g := m.groups[m.b.kg]
	if g == nil {
		g = make(map[K]*V)
		m.groups[m.b.kg] = g
	}
	p := new(V) // not &v: that would move every Put's v to the heap
	*p = v
	g[m.b.key] = p
	m.slot = p
}

// Delete removes the current key's value.
func (m *Map[K, V]) Delete() {
	if m.lookup() != nil {
		delete(m.groups[m.b.kg], m.b.key)
		m.slot = nil
	}
}

// keyLister is a table whose keys ForEachKey visits.
type keyLister[K comparable] interface {
	AppendKeys(dst []K, i int) []K
}

// AppendKeys appends the keys with an entry in the i-th key group of the
// backend's range.
func (m *Map[K, V]) AppendKeys(dst []K, i int) []K {
	for k := range m.groups[i] {
		dst = append(dst, k)
	}
	return dst
}

// Group returns the entries of key group kg (nil if none), for snapshots.
func (m *Map[K, V]) Group(kg int) map[K]*V { return m.groups[kg-m.b.groups.Start] }
