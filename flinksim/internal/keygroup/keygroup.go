// Package keygroup maps keys to key groups and key groups to subtasks, the
// way Flink does: a key belongs to key group hash(key) % maxParallelism, and
// subtask i of an operator with parallelism p owns a contiguous range of key
// groups. Savepoints depend on this mapping, so the hash is a fixed,
// documented function of the key's encoded bytes (murmur3, x86 32-bit, seed
// 0) and never changes between processes or releases.
package keygroup

import (
	"encoding/binary"
	"math/bits"
)

// Limits on max parallelism, as in Flink.
const (
	// LowerBound is the smallest default max parallelism.
	LowerBound = 128
	// UpperBound is the largest max parallelism (key groups are uint16-sized).
	UpperBound = 1 << 15
)

// DefaultMaxParallelism is Flink's rule for an operator whose max parallelism
// is not set: parallelism*1.5 rounded up to a power of two, clamped to
// [LowerBound, UpperBound].
func DefaultMaxParallelism(parallelism int) int {
	n := parallelism + parallelism/2
	if n <= LowerBound {
		return LowerBound
	}
	if n >= UpperBound {
		return UpperBound
	}
	return 1 << bits.Len(uint(n-1))
}

// Hash is murmur3 (x86, 32-bit, seed 0) of b. It is stable by contract.
func Hash(b []byte) uint32 {
	const (
		c1 = 0xcc9e2d51
		c2 = 0x1b873593
	)
	var h uint32
	n := len(b)
	for len(b) >= 4 {
		k := binary.LittleEndian.Uint32(b)
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
		b = b[4:]
	}
	var k uint32
	switch len(b) {
	case 3:
		k ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(b[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// Of returns the key group of a key whose encoded bytes are b.
func Of(b []byte, maxParallelism int) int {
	return int(Hash(b) % uint32(maxParallelism))
}

// OperatorIndex returns the subtask that owns key group kg.
func OperatorIndex(kg, parallelism, maxParallelism int) int {
	return kg * parallelism / maxParallelism
}

// Range is the inclusive range of key groups [Start, End] a subtask owns.
type Range struct {
	Start, End int
}

// Len is the number of key groups in r.
func (r Range) Len() int { return r.End - r.Start + 1 }

// Contains reports whether kg is in r.
func (r Range) Contains(kg int) bool { return kg >= r.Start && kg <= r.End }

// RangeFor returns the key groups owned by subtask index of an operator with
// the given parallelism. The ranges of all subtasks partition
// [0, maxParallelism) and agree with OperatorIndex.
func RangeFor(index, parallelism, maxParallelism int) Range {
	start := (index*maxParallelism + parallelism - 1) / parallelism
	end := ((index+1)*maxParallelism+parallelism-1)/parallelism - 1
	return Range{Start: start, End: end}
}
