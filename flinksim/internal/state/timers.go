package state

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"reflect"
	"slices"
)

// ErrKeyGroupOutside reports a timer registered for a key group the subtask
// does not own: the key was routed to the wrong subtask. Register panics
// with it (wrapped), as keyed state panics with ErrNoKey, because a timer
// kept outside the snapshot's key groups would be lost silently.
var ErrKeyGroupOutside = errors.New("flinksim: timer for a key group the subtask does not own")

// maxRestoredSeq bounds the sequence numbers a restore accepts, far above
// any a job reaches, so numbering on from them cannot wrap.
const maxRestoredSeq = 1 << 62

// timerKind is the state kind of a timer table, as snapshots record it
// ("timer state of int64").
const timerKind = "timer"

// Timers is a queue of timers of one time domain, keyed state of a
// Backend: per key group, the set of (key, time) timers, each at most once.
// Timers fire in order of time, and timers of equal time in the order they
// were registered. The queue is an indexed binary min-heap, so Register,
// Delete and Pop cost O(log n), and a deleted timer leaves nothing behind;
// its slot is reused by the next Register. Like the rest of a Backend it
// is not safe for concurrent use.
//
// In a snapshot a timer table is, per key group, one entry per key with a
// timer: the key, encoded with the backend's key codec, and its timers in
// ascending time order, each with the sequence number that orders it among
// timers of equal time. Keys are listed in the firing order of their first
// timer, so a snapshot's bytes depend only on the timers and the order they
// were registered in. A restore orders the timers it reads by (time,
// snapshot sequence number) and keeps the sequence numbers, so restored
// subtasks fire their timers in the order the snapshotting subtasks would
// have, at any parallelism and after any number of rescales.
type Timers[K comparable] struct {
	name string
	b    *Backend[K]
	// slots holds every timer; free lists the slots of removed timers,
	// reused before slots grows.
	slots []timerSlot[K]
	free  []int
	// heap holds slot indices, a binary min-heap by (time, seq); each
	// slot's pos is its index in heap.
	heap []int
	// groups maps each timer of each key group of b (index 0 for the
	// range's first group) to its slot.
	groups []map[timerID[K]]int
	seq    uint64
	// restored lists the slots restore decoded and the sequence number
	// each had in its snapshot, until settle puts them in the heap.
	restored []restoredTimer
}

// timerSlot is one timer.
type timerSlot[K comparable] struct {
	key  K
	time int64
	seq  uint64 // registration order, the tie-break among equal times
	kg   int
	pos  int // index in heap
}

// timerID is the identity of a timer within its key group.
type timerID[K comparable] struct {
	key  K
	time int64
}

type restoredTimer struct {
	slot int
	seq  uint64 // as the snapshot recorded it
}

// Timer is one registered timer, as All yields it.
type Timer[K comparable] struct {
	// Key is the key the timer is registered for.
	Key K
	// KeyGroup is the key group of Key.
	KeyGroup int
	// Time is when the timer fires, in milliseconds.
	Time int64
}

// NewTimers registers (or returns) the timer table named name on b; the
// timers a restored snapshot holds for b's key groups are in it. name is a
// reserved state name chosen by the caller (such as "_timer/event"). Keys
// are encoded with b's key codec. A state of another kind under name, or
// snapshot state under name that is not a timer table, is an error
// (ErrConflict, ErrIncompatible), and so is a corrupt timer table in the
// snapshot (ErrCorruptState).
func NewTimers[K comparable](b *Backend[K], name string) (*Timers[K], error) {
	q, err := Register(b, name, timerKind, func() *Timers[K] {
		return &Timers[K]{name: name, b: b, groups: make([]map[timerID[K]]int, b.groups.Len())}
	})
	if err != nil {
		return nil, err
	}
	q.settle()
	return q, nil
}

// Name implements Table.
func (q *Timers[K]) Name() string { return q.name }

// Keys implements Table. For a timer table an entry is a (key, time)
// timer, so it is the number of timers, Len.
func (q *Timers[K]) Keys() int { return q.Len() }

// valueType is what a snapshot records as the table's value type: a
// timer's value is its time.
func (q *Timers[K]) valueType() reflect.Type { return reflect.TypeFor[int64]() }

// Len returns the number of timers.
func (q *Timers[K]) Len() int { return len(q.heap) }

// Register adds a timer for key k, of key group kg, at time t
// (milliseconds). It reports false, and changes nothing, if the (k, t)
// timer exists already. It panics with ErrKeyGroupOutside if b does not
// own kg.
func (q *Timers[K]) Register(k K, kg int, t int64) bool {
	if !q.b.groups.Contains(kg) {
		panic(fmt.Errorf("%w: key group %d, the subtask owns %d..%d", ErrKeyGroupOutside, kg, q.b.groups.Start, q.b.groups.End))
	}
	g := q.groups[kg-q.b.groups.Start]
	if g == nil {
		g = make(map[timerID[K]]int)
		q.groups[kg-q.b.groups.Start] = g
	}
	id := timerID[K]{k, t}
	if _, ok := g[id]; ok {
		return false
	}
	s := q.alloc(timerSlot[K]{key: k, time: t, seq: q.seq, kg: kg})
	q.seq++
	g[id] = s
	q.push(s)
	return true
}

// Delete removes the (k, t) timer of key group kg, reporting whether there
// was one.
func (q *Timers[K]) Delete(k K, kg int, t int64) bool {
	if !q.b.groups.Contains(kg) {
		return false
	}
	g := q.groups[kg-q.b.groups.Start]
	id := timerID[K]{k, t}
	s, ok := g[id]
	if !ok {
		return false
	}
	delete(g, id)
	q.removeAt(q.slots[s].pos)
	q.release(s)
	return true
}

// Next returns the time of the timer that fires first; ok is false when
// there is none.
func (q *Timers[K]) Next() (t int64, ok bool) {
	if len(q.heap) == 0 {
		return 0, false
	}
	return q.slots[q.heap[0]].time, true
}

// Pop removes and returns the timer that fires first if its time is at or
// before upTo; ok is false when there is no such timer.
func (q *Timers[K]) Pop(upTo int64) (k K, kg int, t int64, ok bool) {
	if len(q.heap) == 0 || q.slots[q.heap[0]].time > upTo {
		return k, 0, 0, false
	}
	s := q.heap[0]
	ts := &q.slots[s]
	k, kg, t = ts.key, ts.kg, ts.time
	delete(q.groups[kg-q.b.groups.Start], timerID[K]{k, t})
	q.removeAt(0)
	q.release(s)
	return k, kg, t, true
}

// All yields the timers in firing order. It sorts a copy of the heap, so
// it costs O(n log n): it is for showing timers, not for firing them.
// The timers must not change while it runs.
func (q *Timers[K]) All() iter.Seq[Timer[K]] {
	return func(yield func(Timer[K]) bool) {
		for _, s := range q.inOrder(slices.Clone(q.heap)) {
			ts := &q.slots[s]
			if !yield(Timer[K]{Key: ts.key, KeyGroup: ts.kg, Time: ts.time}) {
				return
			}
		}
	}
}

// inOrder sorts slot indices in firing order, in place.
func (q *Timers[K]) inOrder(slots []int) []int {
	slices.SortFunc(slots, func(a, b int) int {
		x, y := &q.slots[a], &q.slots[b]
		return cmp.Or(cmp.Compare(x.time, y.time), cmp.Compare(x.seq, y.seq))
	})
	return slots
}

// alloc stores ts in a free slot, or a new one, and returns its index.
func (q *Timers[K]) alloc(ts timerSlot[K]) int {
	if n := len(q.free); n > 0 {
		s := q.free[n-1]
		q.free = q.free[:n-1]
		q.slots[s] = ts
		return s
	}
	q.slots = append(q.slots, ts)
	return len(q.slots) - 1
}

// release frees slot s, dropping its key so the slot holds no reference.
func (q *Timers[K]) release(s int) {
	q.slots[s] = timerSlot[K]{}
	q.free = append(q.free, s)
}

// The heap.

func (q *Timers[K]) less(i, j int) bool {
	a, b := &q.slots[q.heap[i]], &q.slots[q.heap[j]]
	return a.time < b.time || a.time == b.time && a.seq < b.seq
}

func (q *Timers[K]) swap(i, j int) {
	q.heap[i], q.heap[j] = q.heap[j], q.heap[i]
	q.slots[q.heap[i]].pos = i
	q.slots[q.heap[j]].pos = j
}

func (q *Timers[K]) push(s int) {
	q.heap = append(q.heap, s)
	q.slots[s].pos = len(q.heap) - 1
	q.up(len(q.heap) - 1)
}

// removeAt takes the entry at heap index i out of the heap.
func (q *Timers[K]) removeAt(i int) {
	last := len(q.heap) - 1
	if i != last {
		q.swap(i, last)
	}
	q.heap = q.heap[:last]
	if i != last && !q.down(i) {
		q.up(i)
	}
}

func (q *Timers[K]) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !q.less(i, parent) {
			return
		}
		q.swap(i, parent)
		i = parent
	}
}

// down moves the entry at i down to its place, reporting whether it moved.
func (q *Timers[K]) down(i int) bool {
	start, n := i, len(q.heap)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && q.less(r, child) {
			child = r
		}
		if !q.less(child, i) {
			break
		}
		q.swap(i, child)
		i = child
	}
	return i > start
}

// Snapshots.

// appendGroup implements Table: per key with a timer in key group kg, in
// the firing order of the key's first timer, the key and then its timers
// as uvarint n, the first time (varint), and n-1 increments to the next
// time (uvarint, at least 1: a key's times are distinct), each time
// followed by its sequence number (uvarint).
func (q *Timers[K]) appendGroup(dst []byte, kg int) ([]byte, error) {
	g := q.groups[kg-q.b.groups.Start]
	ordered := make([]int, 0, len(g))
	for _, s := range g {
		ordered = append(ordered, s)
	}
	q.inOrder(ordered)
	// Each key's timers, in firing order, and so in ascending time.
	var keys [][]int
	index := make(map[K]int, len(ordered))
	for _, s := range ordered {
		k := q.slots[s].key
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, nil)
		}
		keys[i] = append(keys[i], s)
	}
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	var scratch []byte
	var err error
	for _, slots := range keys {
		if scratch, err = q.b.keyCodec.Append(scratch[:0], q.slots[slots[0]].key); err != nil {
			return nil, fmt.Errorf("encode key: %w", err)
		}
		dst = appendBytes(dst, scratch)
		scratch = binary.AppendUvarint(scratch[:0], uint64(len(slots)))
		for i, s := range slots {
			ts := &q.slots[s]
			if i == 0 {
				scratch = binary.AppendVarint(scratch, ts.time)
			} else {
				scratch = binary.AppendUvarint(scratch, uint64(ts.time-q.slots[slots[i-1]].time))
			}
			scratch = binary.AppendUvarint(scratch, ts.seq)
		}
		dst = appendBytes(dst, scratch)
	}
	return dst, nil
}

// restore implements Table: it decodes the timers of one key group into
// slots and indexes them; settle puts them in the heap. It runs only
// inside Register, before NewTimers settles, for a key group b owns (the
// backend keeps only those).
func (q *Timers[K]) restore(g rawGroup) error {
	i := g.kg - q.b.groups.Start
	if q.groups[i] == nil {
		q.groups[i] = make(map[timerID[K]]int, len(g.entries))
	}
	for _, e := range g.entries {
		k, err := q.b.keyCodec.Decode(e.key)
		if err != nil {
			return fmt.Errorf("timer key in key group %d: %w", g.kg, err)
		}
		d := decoder{buf: e.value}
		n := d.count(2) // a timer takes at least two bytes
		if d.err == nil && n == 0 {
			d.fail("key without timers")
		}
		// A step of 0 repeats a time, which the duplicate check refuses; a
		// step past MaxInt64 is corrupt. MaxInt64-t wraps for a negative t,
		// but as a uint64 it is the true distance to MaxInt64.
		var t int64
		for j := 0; j < n && d.err == nil; j++ {
			if j == 0 {
				t = d.varint()
			} else if step := d.uvarint(); step > uint64(math.MaxInt64-t) {
				d.fail("timer time beyond int64 at offset %d", d.off)
			} else {
				t += int64(step)
			}
			seq := d.uvarint()
			if seq > maxRestoredSeq {
				d.fail("timer sequence number %d beyond %d", seq, uint64(maxRestoredSeq))
			}
			if d.err != nil {
				break
			}
			id := timerID[K]{k, t}
			if _, dup := q.groups[i][id]; dup {
				d.fail("timer (%v, %d) listed twice", k, t)
				break
			}
			s := q.alloc(timerSlot[K]{key: k, time: t, kg: g.kg})
			q.groups[i][id] = s
			q.restored = append(q.restored, restoredTimer{slot: s, seq: seq})
		}
		if d.err == nil && d.off != len(d.buf) {
			d.fail("%d bytes left over after the timers", len(d.buf)-d.off)
		}
		if d.err != nil {
			return fmt.Errorf("timers in key group %d: %w", g.kg, d.err)
		}
	}
	return nil
}

// settle puts the restored timers in the heap. It keeps their snapshot
// sequence numbers, so timers of equal time fire in the order they did
// before, even through several restores at other parallelisms, and new
// timers number on after the largest. Timers of one time and one sequence
// number (from subtasks that numbered independently) are numbered apart in
// the order they were read, so the order is total and deterministic.
func (q *Timers[K]) settle() {
	slices.SortStableFunc(q.restored, func(a, b restoredTimer) int {
		return cmp.Or(cmp.Compare(q.slots[a.slot].time, q.slots[b.slot].time), cmp.Compare(a.seq, b.seq))
	})
	for i, r := range q.restored {
		ts := &q.slots[r.slot]
		ts.seq = r.seq
		if i > 0 {
			if prev := &q.slots[q.restored[i-1].slot]; prev.time == ts.time && prev.seq >= ts.seq {
				ts.seq = prev.seq + 1
			}
		}
		q.seq = max(q.seq, ts.seq+1)
		q.push(r.slot)
	}
	q.restored = nil
}
