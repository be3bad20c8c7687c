package flinksim

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// TTLConfig gives keyed state a time to live, as Flink's StateTtlConfig:
// an entry not refreshed for TTL expires. Expiry is per entry — per key for
// ValueState, ReducingState and AggregatingState, per element for
// ListState, per map entry for MapState — and in processing time, read
// from the environment's Clock (so a ManualClock moves it in tests). An
// entry last refreshed at t is expired from t+TTL on.
//
// Expired entries are cleaned up on access (an expired entry a handle
// reads is removed) and in every checkpoint and savepoint, which leave
// them out (Flink's cleanupFullSnapshot; the entries stay in memory until
// accessed). Timestamps are kept in snapshots, so a restored entry expires
// when it would have without the restore. Give it to a New*State function
// with WithTTL.
type TTLConfig struct {
	// TTL is how long an entry lives after the last access that refreshes
	// it. It must be positive.
	TTL time.Duration
	// Update says which accesses refresh an entry; the zero value is
	// OnCreateAndWrite.
	Update TTLUpdateType
	// Visibility says whether an expired entry not cleaned up yet may be
	// read; the zero value is NeverReturnExpired.
	Visibility TTLVisibility
}

// TTLUpdateType says which accesses refresh an entry's time to live, as
// Flink's StateTtlConfig.UpdateType.
type TTLUpdateType int

const (
	// OnCreateAndWrite refreshes an entry when it is written: Update,
	// Add, Put (the default).
	OnCreateAndWrite TTLUpdateType = iota
	// OnReadAndWrite refreshes an entry also when it is read: Value,
	// Get, Contains, All (each entry it yields).
	OnReadAndWrite
)

// String returns the constant's name.
func (u TTLUpdateType) String() string {
	switch u {
	case OnCreateAndWrite:
		return "OnCreateAndWrite"
	case OnReadAndWrite:
		return "OnReadAndWrite"
	}
	return fmt.Sprintf("TTLUpdateType(%d)", int(u))
}

// TTLVisibility says whether an expired entry that is still stored may be
// read, as Flink's StateTtlConfig.StateVisibility.
type TTLVisibility int

const (
	// NeverReturnExpired: an expired entry reads as absent (the default).
	NeverReturnExpired TTLVisibility = iota
	// ReturnExpiredIfNotCleanedUp: the read that finds an expired entry
	// still returns it, and removes it; later reads find nothing. (A
	// restored snapshot holds no entry that had expired when it was
	// taken.)
	ReturnExpiredIfNotCleanedUp
)

// String returns the constant's name.
func (v TTLVisibility) String() string {
	switch v {
	case NeverReturnExpired:
		return "NeverReturnExpired"
	case ReturnExpiredIfNotCleanedUp:
		return "ReturnExpiredIfNotCleanedUp"
	}
	return fmt.Sprintf("TTLVisibility(%d)", int(v))
}

// String describes the configuration, for errors.
func (c TTLConfig) String() string {
	return fmt.Sprintf("TTL %v, %v, %v", c.TTL, c.Update, c.Visibility)
}

// validate returns what is wrong with c, nil if nothing.
func (c TTLConfig) validate() error {
	switch {
	case c.TTL <= 0:
		return fmt.Errorf("TTL %v, want > 0", c.TTL)
	case c.Update != OnCreateAndWrite && c.Update != OnReadAndWrite:
		return fmt.Errorf("unknown update type %v", c.Update)
	case c.Visibility != NeverReturnExpired && c.Visibility != ReturnExpiredIfNotCleanedUp:
		return fmt.Errorf("unknown visibility %v", c.Visibility)
	}
	return nil
}

// WithTTL gives a keyed state the time to live cfg (see TTLConfig):
//
//	seen := flinksim.NewValueState[bool](rt, "seen",
//		flinksim.WithTTL(flinksim.TTLConfig{TTL: 24 * time.Hour}))
//
// A configuration with a TTL that is not positive, or an unknown update
// type or visibility, fails the operator as it opens with
// ErrInvalidConfig, as does WithTTL given twice or to operator state. A
// state restored from a snapshot must be declared with a time to live if
// and only if it had one (else ErrIncompatibleState); its TTL and other
// settings may change. The state is declared again under its name only
// with the same configuration (else ErrStateConflict).
func WithTTL(cfg TTLConfig) StateOption { return StateOption{ttl: &cfg} }

// ttl returns the time-to-live policy of the declaration, nil if it has
// none, and records what is wrong with it.
func (sc *stateCodecs) ttl(clock engine.Clock) *ttlPolicy {
	var cfg *TTLConfig
	for i, o := range sc.opts {
		if o.ttl == nil {
			continue
		}
		sc.used[i] = true
		if cfg != nil {
			sc.errs = append(sc.errs, fmt.Errorf("%w: state %q: WithTTL given twice", ErrInvalidConfig, sc.name))
			continue
		}
		cfg = o.ttl
		if err := cfg.validate(); err != nil {
			sc.errs = append(sc.errs, fmt.Errorf("%w: state %q: %w", ErrInvalidConfig, sc.name, err))
		}
	}
	if cfg == nil {
		return nil
	}
	sc.ttlConfig = cfg.String()
	return &ttlPolicy{cfg: *cfg, clock: clock, ttl: int64(cfg.TTL),
		onRead: cfg.Update == OnReadAndWrite, returnExpired: cfg.Visibility == ReturnExpiredIfNotCleanedUp}
}

// ttlPolicy applies a TTLConfig: timestamps are Unix nanoseconds of the
// job's clock.
type ttlPolicy struct {
	cfg           TTLConfig
	clock         engine.Clock
	ttl           int64
	onRead        bool // OnReadAndWrite
	returnExpired bool // ReturnExpiredIfNotCleanedUp
}

func (p *ttlPolicy) now() int64 { return p.clock.Now().UnixNano() }

// deadline returns the latest timestamp that has expired at now.
func (p *ttlPolicy) deadline(now int64) int64 {
	if now < math.MinInt64+p.ttl {
		return math.MinInt64
	}
	return now - p.ttl
}

// expiry returns the state package's view of a table of values V stored
// as S, for the state's description and its snapshots: unexpired(v,
// deadline) gives the part of v not expired at deadline.
func expiry[V, S any](p *ttlPolicy, unexpired func(v S, deadline int64) (S, bool)) state.Expiry[S] {
	return state.Expiry[S]{Declared: reflect.TypeFor[V](), Config: p.cfg.String(),
		Unexpired: func() func(S) (S, bool) {
			dl := p.deadline(p.now())
			return func(v S) (S, bool) { return unexpired(v, dl) }
		}}
}

// stamped is a value with the time it was last refreshed.
type stamped[T any] struct {
	v  T
	at int64 // Unix nanoseconds
}

func unexpiredStamped[T any](s stamped[T], deadline int64) (stamped[T], bool) {
	return s, s.at > deadline
}

// stampedCodec encodes a stamped value: its timestamp (8 bytes,
// big-endian), then the value.
type stampedCodec[T any] struct{ value Codec[T] }

func (c stampedCodec[T]) Append(dst []byte, s stamped[T]) ([]byte, error) {
	return c.value.Append(binary.BigEndian.AppendUint64(dst, uint64(s.at)), s.v)
}

func (c stampedCodec[T]) Decode(src []byte) (stamped[T], error) {
	if len(src) < 8 {
		return stamped[T]{}, fmt.Errorf("%w: a value with a time to live wants 8 bytes of timestamp, got %d", ErrDecode, len(src))
	}
	v, err := c.value.Decode(src[8:])
	return stamped[T]{v: v, at: int64(binary.BigEndian.Uint64(src))}, err
}

// newTTLTable returns the table constructor of a state with time to live.
func newTTLTable[K comparable, V, S any](rt *KeyedRuntimeContext[K], name string, c Codec[S], p *ttlPolicy,
	unexpired func(v S, deadline int64) (S, bool)) func() *state.Map[K, S] {
	return func() *state.Map[K, S] {
		m := state.NewMap(rt.backend, name, c)
		m.SetExpiry(expiry[V](p, unexpired))
		return m
	}
}

// getStamped returns the current key's value if it has not expired,
// removing it if it has (then returning it only if the visibility says
// so); refresh says whether OnReadAndWrite refreshes it.
func getStamped[K comparable, T any](m *state.Map[K, stamped[T]], p *ttlPolicy, refresh bool) (T, bool) {
	s, ok := m.Get()
	if !ok {
		return s.v, false
	}
	now := p.now()
	if s.at <= p.deadline(now) {
		m.Delete()
		if p.returnExpired {
			return s.v, true
		}
		var zero T
		return zero, false
	}
	if refresh && p.onRead {
		m.Put(stamped[T]{s.v, now})
	}
	return s.v, true
}

func newTTLValueState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, sc *stateCodecs, c Codec[T], p *ttlPolicy) ValueState[T] {
	sc2 := Codec[stamped[T]](stampedCodec[T]{c})
	return ttlValueState[K, T]{register(rt, name, "value", sc, newTTLTable[K, T](rt, name, sc2, p, unexpiredStamped[T])), p}
}

type ttlValueState[K comparable, T any] struct {
	m *state.Map[K, stamped[T]]
	p *ttlPolicy
}

func (s ttlValueState[K, T]) Value() (T, bool) { return getStamped(s.m, s.p, true) }
func (s ttlValueState[K, T]) Update(v T)       { s.m.Put(stamped[T]{v, s.p.now()}) }
func (s ttlValueState[K, T]) Clear()           { s.m.Delete() }

func newTTLReducingState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, sc *stateCodecs, c Codec[T], p *ttlPolicy, reduce func(acc, v T) (T, error)) ReducingState[T] {
	sc2 := Codec[stamped[T]](stampedCodec[T]{c})
	return ttlReducingState[K, T]{register(rt, name, "reducing", sc, newTTLTable[K, T](rt, name, sc2, p, unexpiredStamped[T])), p, reduce}
}

type ttlReducingState[K comparable, T any] struct {
	m      *state.Map[K, stamped[T]]
	p      *ttlPolicy
	reduce func(acc, v T) (T, error)
}

func (s ttlReducingState[K, T]) Get() (T, bool) { return getStamped(s.m, s.p, true) }

func (s ttlReducingState[K, T]) Add(v T) error {
	if acc, ok := getStamped(s.m, s.p, false); ok {
		var err error
		if v, err = s.reduce(acc, v); err != nil {
			return err
		}
	}
	s.m.Put(stamped[T]{v, s.p.now()})
	return nil
}

func (s ttlReducingState[K, T]) Clear() { s.m.Delete() }

func newTTLAggregatingState[IN, ACC, OUT any, K comparable](rt *KeyedRuntimeContext[K], name string, sc *stateCodecs, c Codec[ACC], p *ttlPolicy, agg AggregateFunction[IN, ACC, OUT]) AggregatingState[IN, OUT] {
	sc2 := Codec[stamped[ACC]](stampedCodec[ACC]{c})
	return ttlAggregatingState[K, IN, ACC, OUT]{register(rt, name, "aggregating", sc, newTTLTable[K, ACC](rt, name, sc2, p, unexpiredStamped[ACC])), p, agg}
}

type ttlAggregatingState[K comparable, IN, ACC, OUT any] struct {
	m   *state.Map[K, stamped[ACC]]
	p   *ttlPolicy
	agg AggregateFunction[IN, ACC, OUT]
}

func (s ttlAggregatingState[K, IN, ACC, OUT]) Get() (OUT, bool) {
	acc, ok := getStamped(s.m, s.p, true)
	if !ok {
		var zero OUT
		return zero, false
	}
	return s.agg.Result(acc), true
}

func (s ttlAggregatingState[K, IN, ACC, OUT]) Add(v IN) {
	acc, ok := getStamped(s.m, s.p, false)
	if !ok {
		acc = s.agg.CreateAccumulator()
	}
	s.m.Put(stamped[ACC]{s.agg.Add(v, acc), s.p.now()})
}

func (s ttlAggregatingState[K, IN, ACC, OUT]) Clear() { s.m.Delete() }

func newTTLListState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, sc *stateCodecs, c Codec[T], p *ttlPolicy) ListState[T] {
	lc := Codec[[]stamped[T]](sliceCodec[stamped[T]]{stampedCodec[T]{c}})
	return ttlListState[K, T]{register(rt, name, "list", sc, newTTLTable[K, []T](rt, name, lc, p, unexpiredElements[T])), p}
}

// unexpiredElements returns the elements of l not expired at deadline:
// l itself if none has, else a new slice.
func unexpiredElements[T any](l []stamped[T], deadline int64) ([]stamped[T], bool) {
	i := slices.IndexFunc(l, func(s stamped[T]) bool { return s.at <= deadline })
	if i < 0 {
		return l, len(l) > 0
	}
	live := slices.Clone(l[:i])
	for _, s := range l[i+1:] {
		if s.at > deadline {
			live = append(live, s)
		}
	}
	return live, len(live) > 0
}

type ttlListState[K comparable, T any] struct {
	m *state.Map[K, []stamped[T]]
	p *ttlPolicy
}

// Get returns the unexpired elements (and, if the visibility says so, the
// expired ones, in their places), removing the expired ones and, with
// OnReadAndWrite, refreshing the others.
func (s ttlListState[K, T]) Get() []T {
	l, _ := s.m.Get()
	if len(l) == 0 {
		return nil
	}
	now := s.p.now()
	dl := s.p.deadline(now)
	out := make([]T, 0, len(l))
	kept := l[:0]
	for _, e := range l {
		if e.at <= dl {
			if s.p.returnExpired {
				out = append(out, e.v)
			}
			continue
		}
		out = append(out, e.v)
		if s.p.onRead {
			e.at = now
		}
		kept = append(kept, e)
	}
	clear(l[len(kept):]) // drop the removed elements' references
	switch {
	case len(kept) == 0:
		s.m.Delete()
	case len(kept) < len(l):
		s.m.Put(kept)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (s ttlListState[K, T]) Add(v T) {
	l, _ := s.m.Get()
	s.m.Put(append(l, stamped[T]{v, s.p.now()}))
}

func (s ttlListState[K, T]) AddAll(vs []T) {
	if len(vs) == 0 {
		return
	}
	l, _ := s.m.Get()
	s.m.Put(appendStamped(l, vs, s.p.now()))
}

func (s ttlListState[K, T]) Update(vs []T) {
	if len(vs) == 0 {
		s.m.Delete()
		return
	}
	s.m.Put(appendStamped(make([]stamped[T], 0, len(vs)), vs, s.p.now()))
}

func (s ttlListState[K, T]) Clear() { s.m.Delete() }

func appendStamped[T any](dst []stamped[T], vs []T, at int64) []stamped[T] {
	for _, v := range vs {
		dst = append(dst, stamped[T]{v, at})
	}
	return dst
}

func newTTLMapState[UK comparable, UV any, K comparable](rt *KeyedRuntimeContext[K], name string, sc *stateCodecs, kc Codec[UK], vc Codec[UV], p *ttlPolicy) MapState[UK, UV] {
	c := Codec[*orderedMap[UK, stamped[UV]]](orderedMapCodec[UK, stamped[UV]]{kc, stampedCodec[UV]{vc}})
	return ttlMapState[K, UK, UV]{register(rt, name, "map", sc, newTTLTable[K, *orderedMap[UK, UV]](rt, name, c, p, unexpiredEntries[UK, UV])), p}
}

// unexpiredEntries returns the entries of om not expired at deadline, in
// order: om itself if none has, else a new map.
func unexpiredEntries[UK comparable, UV any](om *orderedMap[UK, stamped[UV]], deadline int64) (*orderedMap[UK, stamped[UV]], bool) {
	if !slices.ContainsFunc(om.values, func(s stamped[UV]) bool { return s.at <= deadline }) {
		return om, len(om.keys) > 0
	}
	live := &orderedMap[UK, stamped[UV]]{index: make(map[UK]int, len(om.keys))}
	for i, k := range om.keys {
		if om.values[i].at > deadline {
			live.put(k, om.values[i])
		}
	}
	return live, len(live.keys) > 0
}

type ttlMapState[K, UK comparable, UV any] struct {
	m *state.Map[K, *orderedMap[UK, stamped[UV]]]
	p *ttlPolicy
}

func (s ttlMapState[K, UK, UV]) Get(k UK) (UV, bool) {
	om, _ := s.m.Get()
	e, ok := om.get(k)
	if !ok {
		return e.v, false
	}
	now := s.p.now()
	if e.at <= s.p.deadline(now) {
		s.remove(om, k)
		if s.p.returnExpired {
			return e.v, true
		}
		var zero UV
		return zero, false
	}
	if s.p.onRead {
		om.put(k, stamped[UV]{e.v, now})
	}
	return e.v, true
}

func (s ttlMapState[K, UK, UV]) Put(k UK, v UV) {
	om, ok := s.m.Get()
	if !ok {
		om = &orderedMap[UK, stamped[UV]]{index: make(map[UK]int)}
		s.m.Put(om)
	}
	om.put(k, stamped[UV]{v, s.p.now()})
}

func (s ttlMapState[K, UK, UV]) Remove(k UK) {
	if om, ok := s.m.Get(); ok {
		s.remove(om, k)
	}
}

// remove removes k from om, the current key's map, and the key's entry
// when om is left empty.
func (s ttlMapState[K, UK, UV]) remove(om *orderedMap[UK, stamped[UV]], k UK) {
	om.remove(k)
	if len(om.keys) == 0 {
		s.m.Delete()
	}
}

func (s ttlMapState[K, UK, UV]) Contains(k UK) bool {
	_, ok := s.Get(k)
	return ok
}

// purge removes the current key's expired entries and returns the entries
// a read sees now (with the expired ones if the visibility says so), in
// order, and the time it read.
func (s ttlMapState[K, UK, UV]) purge() (keys []UK, values []UV, now int64) {
	om, _ := s.m.Get()
	if om == nil {
		return nil, nil, 0
	}
	now = s.p.now()
	dl := s.p.deadline(now)
	var expired []UK
	for i, k := range om.keys {
		e := om.values[i]
		if e.at <= dl {
			expired = append(expired, k)
			if !s.p.returnExpired {
				continue
			}
		}
		keys, values = append(keys, k), append(values, e.v)
	}
	for _, k := range expired {
		s.remove(om, k)
	}
	return keys, values, now
}

// All iterates over the entries that have not expired (see MapState.All),
// removing the expired ones as it begins; with OnReadAndWrite each entry
// it yields is refreshed.
func (s ttlMapState[K, UK, UV]) All() iter.Seq2[UK, UV] {
	return func(yield func(UK, UV) bool) {
		keys, values, now := s.purge()
		for i, k := range keys {
			if s.p.onRead {
				if om, ok := s.m.Get(); ok {
					if j, ok := om.index[k]; ok {
						om.values[j].at = now
					}
				}
			}
			if !yield(k, values[i]) {
				return
			}
		}
	}
}

// Len returns the number of entries All would yield now, removing the
// expired ones.
func (s ttlMapState[K, UK, UV]) Len() int {
	keys, _, _ := s.purge()
	return len(keys)
}

func (s ttlMapState[K, UK, UV]) Clear() { s.m.Delete() }
