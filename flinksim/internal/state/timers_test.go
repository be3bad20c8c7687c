package state

import (
	"cmp"
	"container/heap"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

const timerName = "_timer/event"

var allGroups = keygroup.Range{Start: 0, End: maxP - 1}

// newTimers returns an empty timer table on a backend over r.
func newTimers(t testing.TB, r keygroup.Range) *Timers[string] {
	t.Helper()
	q, err := NewTimers(NewBackend[string](r, stringCodec{}), timerName)
	require.NoError(t, err)
	return q
}

// restoreTimers restores blobs into a backend over r and returns its
// timer table.
func restoreTimers(t testing.TB, r keygroup.Range, blobs ...[]byte) *Timers[string] {
	t.Helper()
	b := NewBackend[string](r, stringCodec{})
	require.NoError(t, b.Restore(blobs))
	q, err := NewTimers(b, timerName)
	require.NoError(t, err)
	return q
}

// reg registers (k, t) in k's key group.
func reg(q *Timers[string], k string, t int64) bool { return q.Register(k, kgOf(k), t) }

// popAll pops every timer, in firing order.
func popAll(q *Timers[string]) []Timer[string] {
	var out []Timer[string]
	for {
		k, kg, t, ok := q.Pop(math.MaxInt64)
		if !ok {
			return out
		}
		out = append(out, Timer[string]{k, kg, t})
	}
}

// TestTimersDedup: a (key, time) timer is held once; the same time for
// another key, or another time for the same key, is another timer.
//
// Mutants: Register without the existence check (true twice, Len 4);
// each fails this test.
func TestTimersDedup(t *testing.T) {
	q := newTimers(t, allGroups)
	assert.True(t, reg(q, "a", 10))
	assert.False(t, reg(q, "a", 10))
	assert.True(t, reg(q, "a", 11))
	assert.True(t, reg(q, "b", 10))
	assert.Equal(t, 3, q.Len())
	assert.Equal(t, []Timer[string]{{"a", kgOf("a"), 10}, {"b", kgOf("b"), 10}, {"a", kgOf("a"), 11}}, popAll(q))
	assert.True(t, reg(q, "a", 10), "a popped timer can be registered again")
}

// TestTimersOrder: timers fire by time, and timers of equal time in the
// order they were registered, whatever their keys and key groups.
//
// Mutants: less comparing seq the other way (b5 after a5); less ignoring
// seq (ties in heap order); each fails this test.
func TestTimersOrder(t *testing.T) {
	q := newTimers(t, allGroups)
	var want []Timer[string]
	for i := range 40 { // 40 keys, all at time 5, in many key groups
		k := "k" + strconv.Itoa(39-i)
		reg(q, k, 5)
		want = append(want, Timer[string]{k, kgOf(k), 5})
	}
	reg(q, "late", 7)
	reg(q, "early", 3)
	want = append([]Timer[string]{{"early", kgOf("early"), 3}}, append(want, Timer[string]{"late", kgOf("late"), 7})...)
	assert.Equal(t, want, slices.Collect(q.All()), "All")
	assert.Equal(t, want, popAll(q), "Pop")
}

// TestTimersPopUpTo: Pop returns only timers at or before upTo, and Next
// the earliest time.
//
// Mutants: Pop comparing with >= (the timer at exactly upTo stays); Pop
// not checking upTo; Next returning the last heap entry; each fails this
// test.
func TestTimersPopUpTo(t *testing.T) {
	q := newTimers(t, allGroups)
	_, ok := q.Next()
	assert.False(t, ok)
	_, _, _, ok = q.Pop(math.MaxInt64)
	assert.False(t, ok, "empty")
	for _, tm := range []int64{30, 10, 20, -5} {
		reg(q, "k", tm)
	}
	next, ok := q.Next()
	assert.True(t, ok)
	assert.Equal(t, int64(-5), next)
	_, _, _, ok = q.Pop(-6)
	assert.False(t, ok, "nothing at or before -6")
	for _, want := range []int64{-5, 10} {
		k, kg, tm, ok := q.Pop(10)
		require.True(t, ok)
		assert.Equal(t, "k", k)
		assert.Equal(t, kgOf("k"), kg)
		assert.Equal(t, want, tm)
	}
	_, _, _, ok = q.Pop(19)
	assert.False(t, ok)
	next, _ = q.Next()
	assert.Equal(t, int64(20), next)
	assert.Equal(t, 2, q.Len())
}

// TestTimersDelete: Delete removes one timer, wherever it sits in the
// heap, and reports whether there was one.
//
// Mutants: Delete removing the heap root instead of the timer's position;
// Delete not removing the index entry (the timer can't be registered
// again); each fails this test.
func TestTimersDelete(t *testing.T) {
	q := newTimers(t, allGroups)
	for _, tm := range []int64{5, 1, 9, 3, 7} {
		reg(q, "k", tm)
	}
	assert.True(t, q.Delete("k", kgOf("k"), 7))
	assert.False(t, q.Delete("k", kgOf("k"), 7), "deleted already")
	assert.False(t, q.Delete("other", kgOf("other"), 5), "another key's")
	assert.False(t, q.Delete("k", kgOf("k"), 4), "no such time")
	assert.True(t, q.Delete("k", kgOf("k"), 1), "the earliest")
	assert.Equal(t, 3, q.Len())
	assert.True(t, reg(q, "k", 7), "a deleted timer can be registered again")
	var times []int64
	for _, tm := range popAll(q) {
		times = append(times, tm.Time)
	}
	assert.Equal(t, []int64{3, 5, 7, 9}, times)
}

// refTimers is the dumb reference: a slice kept sorted by (time, seq).
type refTimers struct {
	timers []refTimer
	seq    int
}

type refTimer struct {
	key  string
	time int64
	seq  int
}

func (r *refTimers) find(k string, t int64) int {
	return slices.IndexFunc(r.timers, func(x refTimer) bool { return x.key == k && x.time == t })
}

func (r *refTimers) register(k string, t int64) bool {
	if r.find(k, t) >= 0 {
		return false
	}
	r.timers = append(r.timers, refTimer{k, t, r.seq})
	r.seq++
	slices.SortFunc(r.timers, func(a, b refTimer) int {
		if a.time != b.time {
			return int(a.time - b.time)
		}
		return a.seq - b.seq
	})
	return true
}

func (r *refTimers) delete(k string, t int64) bool {
	i := r.find(k, t)
	if i >= 0 {
		r.timers = slices.Delete(r.timers, i, i+1)
	}
	return i >= 0
}

// TestTimersMatchReference: random registrations, deletions and pops
// (seeded) agree with a sorted slice at every step.
//
// Mutants: removeAt without the up step (a moved last entry smaller than
// its new parent stays low); down never choosing the right child; swap not
// updating pos; each fails this test.
func TestTimersMatchReference(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		q := newTimers(t, allGroups)
		var ref refTimers
		for step := range 2000 {
			k := "k" + strconv.Itoa(rng.IntN(8))
			tm := int64(rng.IntN(50))
			switch op := rng.IntN(10); {
			case op < 5:
				require.Equal(t, ref.register(k, tm), reg(q, k, tm), "seed %d step %d: register(%s, %d)", seed, step, k, tm)
			case op < 8:
				require.Equal(t, ref.delete(k, tm), q.Delete(k, kgOf(k), tm), "seed %d step %d: delete(%s, %d)", seed, step, k, tm)
			default:
				k, _, tm, ok := q.Pop(tm)
				want := len(ref.timers) > 0 && ref.timers[0].time <= tm
				require.Equal(t, want, ok, "seed %d step %d: pop", seed, step)
				if ok {
					require.Equal(t, ref.timers[0].key, k)
					require.Equal(t, ref.timers[0].time, tm)
					ref.timers = ref.timers[1:]
				}
			}
			require.Equal(t, len(ref.timers), q.Len())
			if next, ok := q.Next(); ok {
				require.Equal(t, ref.timers[0].time, next)
			}
		}
		var want []refTimer
		for _, x := range slices.Collect(q.All()) {
			want = append(want, refTimer{x.Key, x.Time, 0})
		}
		for i := range ref.timers {
			ref.timers[i].seq = 0
		}
		require.Equal(t, ref.timers, want, "seed %d: All", seed)
	}
}

// TestTimersKeyGroupOutside: a timer for a key group the subtask does not
// own is refused loudly (it would be left out of every snapshot); the
// range's own ends are accepted; Delete of such a timer finds nothing.
//
// Mutants: Register without the range check (an index panic, not
// ErrKeyGroupOutside, for 9; for 21 too); each fails this test.
func TestTimersKeyGroupOutside(t *testing.T) {
	q := newTimers(t, keygroup.Range{Start: 10, End: 20})
	assert.True(t, q.Register("a", 10, 1))
	assert.True(t, q.Register("a", 20, 1))
	for _, kg := range []int{9, 21, -1} {
		func() {
			defer func() {
				err, _ := recover().(error)
				assert.ErrorIs(t, err, ErrKeyGroupOutside, "key group %d", kg)
			}()
			q.Register("a", kg, 1)
		}()
		assert.False(t, q.Delete("a", kg, 1))
	}
	assert.Equal(t, 2, q.Len())
}

// boundaryKeys returns, for each first and last key group of the ranges
// of parallelism 1 to 3 at maxP, a key of that group.
func boundaryKeys(t *testing.T) []string {
	want := map[int]bool{}
	for p := 1; p <= 3; p++ {
		for i := range p {
			r := keygroup.RangeFor(i, p, maxP)
			want[r.Start], want[r.End] = true, true
		}
	}
	var keys []string
	for i := 0; len(want) > 0; i++ {
		require.Less(t, i, 1<<20, "no keys for key groups %v", want)
		k := "b" + strconv.Itoa(i)
		if want[kgOf(k)] {
			delete(want, kgOf(k))
			keys = append(keys, k)
		}
	}
	return keys
}

// rescaleTimers registers timers on a subtask owning every key group: keys
// at the range boundaries of parallelism 1-3 and 300 others, several
// timers a key, many of one time across key groups, some deleted.
func rescaleTimers(t *testing.T) *Timers[string] {
	q := newTimers(t, allGroups)
	keys := boundaryKeys(t)
	for i := range 300 {
		keys = append(keys, "k"+strconv.Itoa(i))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 3000 {
		k := keys[rng.IntN(len(keys))]
		tm := int64(rng.IntN(40)) - 10
		reg(q, k, tm)
		if i%5 == 0 {
			q.Delete(k, kgOf(k), tm)
		}
	}
	for _, k := range keys {
		reg(q, k, 100) // each boundary key surely has a timer
	}
	return q
}

// TestTimersRestoreAtOtherParallelism: a snapshot of one subtask restored
// at 1, 2 and 3 subtasks gives each subtask exactly the timers of its key
// groups (keys at the ranges' first and last key groups included), their
// union is the original, and each subtask fires in the original's order.
// Restoring the restored subtasks' snapshots into one subtask gives the
// original order back.
//
// Mutants: appendGroup writing keys' timers unsorted (Go map order: a
// negative step, refused or wrapped); settle ignoring the snapshot's
// sequence numbers (ties ordered by key group); settle not numbering afresh
// (restored timers tie with new ones); each fails this test.
func TestTimersRestoreAtOtherParallelism(t *testing.T) {
	q := rescaleTimers(t)
	boundary := boundaryKeys(t)
	original := slices.Collect(q.All())
	require.Greater(t, len(original), 1000)
	blob := snap(t, q.b)
	for p := 1; p <= 3; p++ {
		var blobs [][]byte
		var union []Timer[string]
		for i := range p {
			r := keygroup.RangeFor(i, p, maxP)
			sub := restoreTimers(t, r, blob)
			got := slices.Collect(sub.All())
			var want []Timer[string]
			for _, tm := range original {
				if r.Contains(tm.KeyGroup) {
					want = append(want, tm)
				}
			}
			require.Equal(t, want, got, "parallelism %d, subtask %d (key groups %d..%d)", p, i, r.Start, r.End)
			for _, k := range boundary {
				if kg := kgOf(k); kg == r.Start || kg == r.End {
					assert.Contains(t, got, Timer[string]{k, kg, 100}, "the key at key group %d", kg)
				}
			}
			union = append(union, got...)
			// New timers fire after restored ones of the same time.
			for _, tm := range want {
				assert.True(t, sub.Register("new", tm.KeyGroup, tm.Time))
				next := slices.Collect(sub.All())
				last := slices.IndexFunc(next, func(x Timer[string]) bool { return x.Key == "new" })
				assert.Equal(t, tm.Time, next[last].Time)
				assert.Equal(t, last+1 == len(next) || next[last+1].Time > tm.Time, true, "the new timer fires after the restored ones of time %d", tm.Time)
				sub.Delete("new", tm.KeyGroup, tm.Time)
				break
			}
			blobs = append(blobs, snap(t, sub.b))
		}
		byIdentity := func(a, b Timer[string]) int {
			return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Time, b.Time))
		}
		assert.Equal(t, slices.SortedFunc(slices.Values(original), byIdentity), slices.SortedFunc(slices.Values(union), byIdentity), "parallelism %d: the union", p)
		back := restoreTimers(t, allGroups, blobs...)
		assert.Equal(t, original, popAll(back), "parallelism %d back to 1", p)
	}
}

// TestTimersSnapshotDeterministic: the same timers registered in the same
// order snapshot to the same bytes (never in map order).
//
// Mutants: appendGroup without sorting the group's timers; each fails
// this test (and the restore test above).
func TestTimersSnapshotDeterministic(t *testing.T) {
	first := snap(t, rescaleTimers(t).b)
	for range 5 {
		assert.Equal(t, first, snap(t, rescaleTimers(t).b))
	}
}

// TestTimersTypeChecked: a timer table and another state cannot share a
// name, in one backend (ErrConflict) or across a restore
// (ErrIncompatible).
//
// Mutants: valueType removed (the description names the table's Go
// type); NewTimers registering as kind "value" (a value state of int64
// restores as timers); each fails this test.
func TestTimersTypeChecked(t *testing.T) {
	valueOf := func(b *Backend[string]) (*Map[string, int64], error) {
		return Register(b, timerName, "value", func() *Map[string, int64] { return NewMap(b, timerName, Codec[int64](int64Codec{})) })
	}
	b := NewBackend[string](allGroups, stringCodec{})
	_, err := NewTimers(b, timerName)
	require.NoError(t, err)
	_, err = valueOf(b)
	assert.ErrorIs(t, err, ErrConflict)

	b = NewBackend[string](allGroups, stringCodec{})
	_, err = valueOf(b)
	require.NoError(t, err)
	_, err = NewTimers(b, timerName)
	assert.ErrorIs(t, err, ErrConflict)

	q := newTimers(t, allGroups)
	reg(q, "a", 1)
	b = NewBackend[string](allGroups, stringCodec{})
	require.NoError(t, b.Restore([][]byte{snap(t, q.b)}))
	_, err = valueOf(b)
	assert.ErrorIs(t, err, ErrIncompatible)
	assert.ErrorContains(t, err, "was timer state of int64 in the snapshot, is declared value state of int64")

	b = NewBackend[string](allGroups, stringCodec{})
	m, err := valueOf(b)
	require.NoError(t, err)
	b.SetCurrentKey("a", kgOf("a"))
	m.Put(1)
	c := NewBackend[string](allGroups, stringCodec{})
	require.NoError(t, c.Restore([][]byte{snap(t, b)}))
	_, err = NewTimers(c, timerName)
	assert.ErrorIs(t, err, ErrIncompatible)
	assert.ErrorContains(t, err, "was value state of int64 in the snapshot, is declared timer state of int64")
}

// timerBlob is a keyed-state blob of one key group, kg, holding one timer
// table whose key group section is the given (key, value) entries.
func timerBlob(kg int, entries ...rawEntry) []byte {
	blob := []byte{snapshotVersion}
	blob = appendBytes(blob, []byte("string"))
	blob = binary.AppendUvarint(blob, 1)
	blob = appendBytes(blob, []byte(timerName))
	blob = appendBytes(blob, []byte("timer state of int64"))
	blob = binary.AppendUvarint(blob, uint64(kg))
	blob = binary.AppendUvarint(blob, 1)
	blob = binary.BigEndian.AppendUint64(blob, 0)
	blob = binary.AppendUvarint(blob, uint64(len(entries)))
	for _, e := range entries {
		blob = appendBytes(appendBytes(blob, e.key), e.value)
	}
	return blob
}

// timesValue encodes a key's timers: n, then (time or step, seq) pairs.
func timesValue(n uint64, pairs ...int64) []byte {
	v := binary.AppendUvarint(nil, n)
	for i := 0; i < len(pairs); i += 2 {
		if i == 0 {
			v = binary.AppendVarint(v, pairs[i])
		} else {
			v = binary.AppendUvarint(v, uint64(pairs[i]))
		}
		v = binary.AppendUvarint(v, uint64(pairs[i+1]))
	}
	return v
}

// TestTimersRestoreCorrupt: a timer table that does not decode exactly is
// refused with ErrCorruptState when it registers, naming the key group.
//
// Mutants: no duplicate check (a repeated time or key restores twice);
// no overflow check (a time past MaxInt64 wraps to a negative one); no
// check for bytes left over; no check for a key without timers; no bound
// on sequence numbers; each fails this test. (The count's bound by the
// bytes left survives: nothing is allocated by the count, and a short
// value fails as truncated either way.)
func TestTimersRestoreCorrupt(t *testing.T) {
	kg := kgOf("a")
	good := timerBlob(kg, rawEntry{[]byte("a"), timesValue(2, 5, 0, 3, 1)})
	q := restoreTimers(t, allGroups, good)
	assert.Equal(t, []Timer[string]{{"a", kg, 5}, {"a", kg, 8}}, slices.Collect(q.All()))
	for name, value := range map[string][]byte{
		"repeated time": timesValue(2, 5, 0, 0, 1),
		"past MaxInt64": timesValue(2, math.MaxInt64-1, 0, 2, 1),
		"left over":     append(timesValue(1, 5, 0), 0),
		"no timers":     timesValue(0),
		"huge count":    timesValue(1<<40, 5, 0),
		"truncated":     timesValue(2, 5, 0),
		"empty":         nil,
		"seq past 2^62": timesValue(1, 5, maxRestoredSeq+1),
	} {
		b := NewBackend[string](allGroups, stringCodec{})
		require.NoError(t, b.Restore([][]byte{timerBlob(kg, rawEntry{[]byte("a"), value})}), name)
		_, err := NewTimers(b, timerName)
		assert.ErrorIs(t, err, ErrCorruptState, name)
		assert.ErrorContains(t, err, "key group "+strconv.Itoa(kg), name)
	}
	b := NewBackend[string](allGroups, stringCodec{})
	twice := rawEntry{[]byte("a"), timesValue(1, 5, 0)}
	require.NoError(t, b.Restore([][]byte{timerBlob(kg, twice, twice)}))
	_, err := NewTimers(b, timerName)
	assert.ErrorIs(t, err, ErrCorruptState, "a key listed twice with one time")
	// The same timer in two blobs (two subtasks claiming one key group).
	b = NewBackend[string](allGroups, stringCodec{})
	require.NoError(t, b.Restore([][]byte{good, good}))
	_, err = NewTimers(b, timerName)
	assert.ErrorIs(t, err, ErrCorruptState, "one timer in two blobs")
}

// TestTimersRegisterDeleteBounded: registering and deleting (or popping) a
// timer per record, for many records, beside a few long-lived timers,
// keeps the slots, the heap and the free list at the peak number of
// timers, and allocates nothing once warm.
//
// Mutants: release not returning the slot to the free list (slots grow
// per record); release not clearing the slot (a freed slot holds its key);
// Delete, or Pop, not deleting the index entry (the map grows, and
// allocates); each fails this test.
func TestTimersRegisterDeleteBounded(t *testing.T) {
	q := newTimers(t, allGroups)
	for i := range 10 {
		reg(q, "long"+strconv.Itoa(i), math.MaxInt64-int64(i))
	}
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	i := 0
	step := func() {
		k := keys[i%len(keys)]
		kg := kgOf(k)
		tm := int64(i)
		q.Register(k, kg, tm)
		q.Register(k, kg, tm+1)
		q.Delete(k, kg, tm)
		q.Pop(tm + 1)
		i++
	}
	for range 1000 {
		step()
	}
	assert.Zero(t, testing.AllocsPerRun(20000, step), "allocations per record")
	assert.Equal(t, 10, q.Len())
	assert.LessOrEqual(t, len(q.slots), 12)
	assert.LessOrEqual(t, cap(q.heap), 16)
	assert.Equal(t, len(q.slots)-q.Len(), len(q.free))
	for _, s := range q.free {
		assert.Equal(t, timerSlot[string]{}, q.slots[s], "a free slot keeps no key")
	}
	entries := 0
	for _, g := range q.groups {
		entries += len(g)
	}
	assert.Equal(t, 10, entries)
}

// FuzzRestoreTimers feeds arbitrary key-group sections of a timer table to
// a restore: it must not panic, and what restores must fire in time order,
// snapshot, and restore again to the same timers in the same order.
// Run with: go test ./flinksim/internal/state -run '^$' -fuzz FuzzRestoreTimers
func FuzzRestoreTimers(f *testing.F) {
	q := newTimers(f, allGroups)
	kg := kgOf("a")
	for i, k := range []string{"a", "b", "a", "c"} {
		q.Register(k, kg, int64(i%3))
	}
	f.Add(snap(f, q.b))
	f.Add(timerBlob(kg, rawEntry{[]byte("a"), timesValue(2, -5, 0, 3, 1)}))
	f.Add(timerBlob(kg, rawEntry{[]byte("a"), timesValue(1<<40, 5, 0)}))
	f.Fuzz(func(t *testing.T, blob []byte) {
		b := NewBackend[string](keygroup.Range{Start: 3, End: 70}, stringCodec{})
		if err := b.Restore([][]byte{blob}); err != nil {
			return
		}
		q, err := NewTimers(b, timerName)
		if err != nil {
			return
		}
		timers := slices.Collect(q.All())
		if !slices.IsSortedFunc(timers, func(a, b Timer[string]) int { return int(min(max(a.Time-b.Time, -1), 1)) }) {
			t.Fatalf("All not in time order: %v", timers)
		}
		again, err := b.Snapshot()
		if err != nil {
			t.Fatalf("snapshot of restored timers: %v", err)
		}
		if got := slices.Collect(restoreTimers(t, b.KeyGroups(), again).All()); !slices.Equal(timers, got) {
			t.Fatalf("restored %v, then %v", timers, got)
		}
		if popped := popAll(q); !slices.Equal(timers, popped) {
			t.Fatalf("All %v, Pop %v", timers, popped)
		}
	})
}

// int64Heap is the baseline: container/heap of int64.
type int64Heap []int64

func (h int64Heap) Len() int           { return len(h) }
func (h int64Heap) Less(i, j int) bool { return h[i] < h[j] }
func (h int64Heap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *int64Heap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *int64Heap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// BenchmarkTimersRegisterPop: one register and one pop per op, 1024
// timers pending, against a container/heap of int64 doing the same.
func BenchmarkTimersRegisterPop(b *testing.B) {
	const pending = 1024
	keys := make([]string, pending)
	kgs := make([]int, pending)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
		kgs[i] = kgOf(keys[i])
	}
	// Times arrive out of order within a window, as event times do.
	at := func(i int) int64 { return int64(i + (i*7919)%pending) }
	b.Run("timers", func(b *testing.B) {
		q := newTimers(b, allGroups)
		for i := range pending {
			q.Register(keys[i], kgs[i], at(i))
		}
		b.ReportAllocs()
		i := pending
		for b.Loop() {
			j := i % pending
			q.Register(keys[j], kgs[j], at(i))
			q.Pop(math.MaxInt64)
			i++
		}
	})
	b.Run("container-heap-int64", func(b *testing.B) {
		h := &int64Heap{}
		for i := range pending {
			heap.Push(h, at(i))
		}
		b.ReportAllocs()
		i := pending
		for b.Loop() {
			heap.Push(h, at(i))
			heap.Pop(h)
			i++
		}
	})
}
