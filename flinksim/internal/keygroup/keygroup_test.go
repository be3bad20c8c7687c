package keygroup

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hash is part of the savepoint format: these values must never change.
func TestHashIsMurmur3(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint32
	}{
		{"", 0},
		{"a", 0x3c2569b2},
		{"abc", 0xb3dd93fa},
		{"hello", 0x248bfa47},
		{"Hello, world!", 0xc0363e43},
		{"The quick brown fox jumps over the lazy dog", 0x2e4ff723},
	} {
		assert.Equalf(t, tc.want, Hash([]byte(tc.in)), "Hash(%q)", tc.in)
	}
}

func TestDefaultMaxParallelism(t *testing.T) {
	for _, tc := range []struct{ p, want int }{
		{1, 128}, {4, 128}, {85, 128}, {86, 256}, {100, 256}, {1000, 2048}, {30000, 32768}, {40000, 32768},
	} {
		assert.Equalf(t, tc.want, DefaultMaxParallelism(tc.p), "p=%d", tc.p)
	}
}

func TestRangesPartitionKeyGroupsAndAgreeWithOperatorIndex(t *testing.T) {
	for _, maxP := range []int{1, 7, 128, 1000} {
		for p := 1; p <= maxP && p <= 40; p++ {
			t.Run(fmt.Sprintf("max%d/p%d", maxP, p), func(t *testing.T) {
				next := 0
				for i := 0; i < p; i++ {
					r := RangeFor(i, p, maxP)
					require.Equal(t, next, r.Start, "ranges must be contiguous")
					require.GreaterOrEqual(t, r.Len(), 1)
					for kg := r.Start; kg <= r.End; kg++ {
						require.Equal(t, i, OperatorIndex(kg, p, maxP), "kg %d", kg)
					}
					next = r.End + 1
				}
				require.Equal(t, maxP, next)
			})
		}
	}
}
