package flinksim_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

type (
	zone struct {
		Code uint8
		Hot  bool
	}
	stableKey struct {
		Country string
		ID      int32
		Weight  float32
		Zone    zone
		Coords  [2]float64
		Tag     [3]byte
		Name    myString
	}
)

// TestStableCodecGolden pins the encoding of struct keys: it feeds the
// key-group hash and is stored in savepoints, so it must never change.
// The bytes are the fields in declaration order with the fixed encodings,
// strings length-prefixed.
//
// Mutants tried: encoding fields in reverse order, dropping the string
// length prefix (the golden bytes differ); CodecFor not choosing the
// stable codec for structs (gob bytes differ).
func TestStableCodecGolden(t *testing.T) {
	k := stableKey{Country: "fr", ID: -2, Weight: 1.5, Zone: zone{Code: 7, Hot: true}, Coords: [2]float64{1, -0.5}, Tag: [3]byte{'a', 'b', 'c'}, Name: "n"}
	c := flinksim.CodecFor[stableKey]()
	b := enc(t, c, k)
	want := "02" + "6672" + // "fr"
		"fffffffffffffffe" + // int32 -2 as int64
		"3fc00000" + // float32 1.5
		"0000000000000007" + "01" + // Zone{7, true}
		"3ff0000000000000" + "bfe0000000000000" + // [1, -0.5]
		"616263" + // [3]byte
		"01" + "6e" // myString "n"
	assert.Equal(t, want, hex.EncodeToString(b))
	got, err := c.Decode(b)
	require.NoError(t, err)
	assert.Equal(t, k, got)
	// Its key group is fixed too: murmur3 of those bytes.
	assert.Equal(t, keygroup.Of(b, 128), keygroup.Of(mustHex(t, want), 128))

	// A struct{} is a stable type that encodes as nothing.
	assert.Empty(t, enc(t, flinksim.CodecFor[struct{}](), struct{}{}))
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestStableCodecDecodeMalformed: truncated input, trailing bytes, a bad
// bool byte, an out-of-range integer and a string length beyond the input
// are ErrDecode, not panics.
func TestStableCodecDecodeMalformed(t *testing.T) {
	c := flinksim.CodecFor[stableKey]()
	good := enc(t, c, stableKey{Country: "fr"})
	for name, b := range map[string][]byte{
		"empty":         nil,
		"truncated":     good[:len(good)-1],
		"trailing":      append(append([]byte(nil), good...), 0),
		"long string":   append([]byte{0x7f}, good[1:]...),
		"bad bool":      func() []byte { b := append([]byte(nil), good...); b[1+2+8+4+8] = 2; return b }(),
		"int overflow":  func() []byte { b := append([]byte(nil), good...); b[1+2] = 0x7f; return b }(),
		"uint overflow": func() []byte { b := append([]byte(nil), good...); b[1+2+8+4] = 1; return b }(),
	} {
		_, err := c.Decode(b)
		assert.ErrorIs(t, err, flinksim.ErrDecode, name)
	}
}

// TestStructKeyPlacement: KeyBy on a struct key places each key on the
// subtask its stable encoding's key group says, on both executors, and
// counts per key as a plain loop does.
//
// Mutants tried: CodecFor choosing gob for stable structs (KeyBy refuses
// the key as unstable).
func TestStructKeyPlacement(t *testing.T) {
	const p = 3
	keys := []stableKey{{Country: "fr", ID: 1}, {Country: "de", ID: 1}, {Country: "fr", ID: 2, Zone: zone{Hot: true}}, {Country: "", Tag: [3]byte{1}}}
	var in []stableKey
	for i := range 60 {
		in = append(in, keys[i%len(keys)])
	}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(p))
		type placed struct {
			Key     stableKey
			Subtask int
			N       int64
		}
		out := flinksim.Collect(flinksim.Process(flinksim.KeyBy(flinksim.FromSlice(env, "src", in), func(k stableKey) stableKey { return k }), "count",
			func(rt *flinksim.KeyedRuntimeContext[stableKey]) (flinksim.KeyedProcessFunction[stableKey, stableKey, placed], error) {
				n := flinksim.NewValueState[int64](rt, "n")
				return flinksim.ProcessFunc[stableKey, stableKey, placed](func(ctx *flinksim.KeyedContext[stableKey], k stableKey, c flinksim.Collector[placed]) error {
					v, _ := n.Value()
					n.Update(v + 1)
					c.Collect(placed{ctx.Key(), rt.Subtask(), v + 1})
					return nil
				}), nil
			}), "out")
		_, err := env.Execute(t.Context(), t.Name())
		require.NoError(t, err)
		final := map[stableKey]int64{}
		for _, r := range out.Values() {
			want := keygroup.OperatorIndex(keygroup.Of(enc(t, flinksim.CodecFor[stableKey](), r.Key), 128), p, 128)
			assert.Equal(t, want, r.Subtask, "key %+v", r.Key)
			final[r.Key] = max(final[r.Key], r.N)
		}
		for _, k := range keys {
			assert.Equal(t, int64(15), final[k], "key %+v", k)
		}
	})
}
