package flinksim_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

type (
	myString string
	myInt    int32
	myInt8   int8
	myUint   uint16
	myInt64  int64
	myBool   bool
	myFloat  float64
	myBytes  []byte
)

type point struct {
	X, Y  int
	Label string
	Tags  []string
}

// roundTrip checks that every value survives Append then Decode, that
// Append appends (keeps dst), and that equal values encode equally.
func roundTrip[T any](t *testing.T, vs ...T) {
	t.Helper()
	c := flinksim.CodecFor[T]()
	require.NotNil(t, c)
	for _, v := range vs {
		b := enc(t, c, v)
		got, err := c.Decode(b)
		if assert.NoError(t, err, "%T %v", v, v) {
			assert.Equal(t, v, got, "%T", v)
		}
		prefixed := encTo(t, c, []byte("prefix"), v)
		assert.Equal(t, append([]byte("prefix"), b...), prefixed, "%T %v: Append must append", v, v)
		assert.Equal(t, b, enc(t, c, v), "%T %v: deterministic", v, v)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	roundTrip(t, "", "a", "héllo, 世界", string([]byte{0, 0xff, '\n'}))
	roundTrip(t, []byte{0, 1, 2, 0xff})
	roundTrip(t, true, false)
	roundTrip(t, 0, 1, -1, math.MaxInt, math.MinInt)
	roundTrip[int8](t, 0, math.MaxInt8, math.MinInt8)
	roundTrip[int16](t, 0, math.MaxInt16, math.MinInt16)
	roundTrip[int32](t, 0, math.MaxInt32, math.MinInt32)
	roundTrip[int64](t, 0, math.MaxInt64, math.MinInt64)
	roundTrip[uint](t, 0, math.MaxUint)
	roundTrip[uint8](t, 0, math.MaxUint8)
	roundTrip[uint16](t, 0, math.MaxUint16)
	roundTrip[uint32](t, 0, math.MaxUint32)
	roundTrip[uint64](t, 0, math.MaxUint64)
	roundTrip(t, 0.0, math.Copysign(0, -1), 1.5, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1))
	roundTrip[float32](t, 0, 1.5, math.MaxFloat32, float32(math.Inf(-1)))
	roundTrip[myString](t, "", "named")
	roundTrip[myInt](t, 0, math.MaxInt32, math.MinInt32)
	roundTrip[myInt8](t, -128, 127)
	roundTrip[myUint](t, 0, math.MaxUint16)
	roundTrip[myInt64](t, math.MinInt64, math.MaxInt64)
	roundTrip[myBool](t, true, false)
	roundTrip[myFloat](t, 2.5)
	roundTrip[myBytes](t, myBytes("x"))
	roundTrip(t, point{X: 1, Y: -2, Label: "p", Tags: []string{"a", "b"}}, point{})
	roundTrip(t, map[string]int{"a": 1})
	roundTrip(t, []int{1, 2, 3})

	t.Run("NaN", func(t *testing.T) {
		c := flinksim.CodecFor[float64]()
		got, err := c.Decode(enc(t, c, math.NaN()))
		require.NoError(t, err)
		assert.True(t, math.IsNaN(got))
		c32 := flinksim.CodecFor[float32]()
		got32, err := c32.Decode(enc(t, c32, float32(math.NaN())))
		require.NoError(t, err)
		assert.True(t, math.IsNaN(float64(got32)))
	})
	t.Run("negative zero", func(t *testing.T) {
		c := flinksim.CodecFor[float64]()
		got, err := c.Decode(enc(t, c, math.Copysign(0, -1)))
		require.NoError(t, err)
		assert.True(t, math.Signbit(got))
	})
	t.Run("GobCodec", func(t *testing.T) {
		var c flinksim.Codec[point] = flinksim.GobCodec[point]{}
		p := point{X: 3, Y: 4, Label: "gob", Tags: []string{"x"}}
		got, err := c.Decode(enc(t, c, p))
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.IsType(t, flinksim.GobCodec[point]{}, flinksim.CodecFor[point]())
	})
	t.Run("empty bytes", func(t *testing.T) {
		c := flinksim.CodecFor[[]byte]()
		got, err := c.Decode(enc(t, c, []byte{}))
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("BytesCodec decodes a copy", func(t *testing.T) {
		src := []byte("abc")
		got, err := flinksim.BytesCodec{}.Decode(src)
		require.NoError(t, err)
		src[0] = 'x'
		assert.Equal(t, []byte("abc"), got)
	})
}

// TestCodecEncodings pins the encodings: keys are hashed from these bytes,
// so a change moves keys to other key groups and breaks savepoints.
func TestCodecEncodings(t *testing.T) {
	be := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	assert.Equal(t, []byte("abc"), enc(t, flinksim.CodecFor[string](), "abc"))
	assert.Equal(t, []byte{1}, enc(t, flinksim.CodecFor[bool](), true))
	assert.Equal(t, []byte{0}, enc(t, flinksim.CodecFor[bool](), false))
	assert.Equal(t, be(5), enc(t, flinksim.CodecFor[int](), 5))
	assert.Equal(t, be(math.MaxUint64), enc(t, flinksim.CodecFor[int64](), -1))
	assert.Equal(t, be(math.MaxUint64), enc(t, flinksim.CodecFor[int8](), -1), "sign-extended")
	assert.Equal(t, be(200), enc(t, flinksim.CodecFor[uint8](), 200))
	assert.Equal(t, be(math.Float64bits(1.5)), enc(t, flinksim.CodecFor[float64](), 1.5))
	assert.Equal(t, binary.BigEndian.AppendUint32(nil, math.Float32bits(1.5)), enc(t, flinksim.CodecFor[float32](), 1.5))
	// Every integer type of one value encodes alike, so a key hashes to
	// the same key group whatever its integer type.
	for _, b := range [][]byte{
		enc(t, flinksim.CodecFor[int8](), 7), enc(t, flinksim.CodecFor[int32](), 7),
		enc(t, flinksim.CodecFor[uint16](), 7), enc(t, flinksim.CodecFor[myInt](), 7),
		enc(t, flinksim.CodecFor[myUint](), 7), enc(t, flinksim.CodecFor[uint64](), 7),
	} {
		assert.Equal(t, be(7), b)
	}
	assert.Equal(t, []byte("named"), enc(t, flinksim.CodecFor[myString](), "named"))
}

// TestCodecNamedTypesEncodeLikeUnderlying: CodecFor documents the fast
// encoding for "types whose underlying type is one of those".
func TestCodecNamedTypesEncodeLikeUnderlying(t *testing.T) {
	assert.Equal(t, []byte{1}, enc(t, flinksim.CodecFor[myBool](), true))
	assert.Equal(t, enc(t, flinksim.CodecFor[float64](), 2.5), enc(t, flinksim.CodecFor[myFloat](), 2.5))
	assert.Equal(t, []byte("x"), enc(t, flinksim.CodecFor[myBytes](), myBytes("x")))
}

func TestCodecDecodeMalformed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decode func([]byte) error
		inputs [][]byte
	}{
		{"bool", decodeWith[bool](), [][]byte{nil, {}, {2}, {0, 0}, {0xff}}},
		{"int", decodeWith[int](), [][]byte{nil, {1}, make([]byte, 7), make([]byte, 9)}},
		{"int8", decodeWith[int8](), [][]byte{nil, make([]byte, 1)}},
		{"uint32", decodeWith[uint32](), [][]byte{nil, make([]byte, 4)}},
		{"float64", decodeWith[float64](), [][]byte{nil, make([]byte, 4)}},
		{"float32", decodeWith[float32](), [][]byte{nil, make([]byte, 8)}},
		{"myInt", decodeWith[myInt](), [][]byte{nil, make([]byte, 4), binary.BigEndian.AppendUint64(nil, 1<<40)}},
		{"myInt8", decodeWith[myInt8](), [][]byte{binary.BigEndian.AppendUint64(nil, 200)}},
		{"myUint", decodeWith[myUint](), [][]byte{make([]byte, 2), binary.BigEndian.AppendUint64(nil, 1<<16)}},
		{"myString", decodeWith[myString](), nil}, // every byte string is a string
		{"gob point", decodeWith[point](), [][]byte{nil, {0}, {0xff, 0xff, 0xff}, []byte("not gob at all"), truncated(enc(t, flinksim.Codec[point](flinksim.GobCodec[point]{}), point{X: 1, Label: "abc"}))}},
		{"gob int", func(b []byte) error { _, err := flinksim.GobCodec[int]{}.Decode(b); return err }, [][]byte{nil, {3, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, in := range tc.inputs {
				var err error
				require.NotPanics(t, func() { err = tc.decode(in) }, "%x", in)
				assert.ErrorIs(t, err, flinksim.ErrDecode, "%x", in)
			}
		})
	}
}

// TestCodecDecodeOutOfRange: the fixed-width integer codecs decode 8 bytes
// for every integer type; a value that does not fit the type is malformed.
func TestCodecDecodeOutOfRange(t *testing.T) {
	big := binary.BigEndian.AppendUint64(nil, 300)
	for name, decode := range map[string]func([]byte) error{
		"int8": decodeWith[int8](), "uint8": decodeWith[uint8](),
	} {
		assert.ErrorIs(t, decode(big), flinksim.ErrDecode, name)
	}
	assert.ErrorIs(t, decodeWith[int16]()(binary.BigEndian.AppendUint64(nil, 1<<20)), flinksim.ErrDecode)
	assert.ErrorIs(t, decodeWith[int32]()(binary.BigEndian.AppendUint64(nil, 1<<40)), flinksim.ErrDecode)
	assert.ErrorIs(t, decodeWith[uint32]()(binary.BigEndian.AppendUint64(nil, 1<<40)), flinksim.ErrDecode)
}

func decodeWith[T any]() func([]byte) error {
	c := flinksim.CodecFor[T]()
	return func(b []byte) error {
		_, err := c.Decode(b)
		return err
	}
}

func truncated(b []byte) []byte { return b[:len(b)/2] }

// TestGobUnencodable: a type gob cannot encode is an encoding error, and
// Append adds nothing to dst.
//
// Mutants tried: GobCodec.Append without the nil-pointer check (the *point
// case fails); gobWalk accepting unexported fields (the halfHidden case
// fails).
func TestGobUnencodable(t *testing.T) {
	c := flinksim.CodecFor[func()]()
	b, err := c.Append([]byte("keep"), func() {})
	assert.ErrorIs(t, err, flinksim.ErrEncode)
	assert.Nil(t, b)
	_, err = c.Decode(nil)
	assert.ErrorIs(t, err, flinksim.ErrDecode)

	// A nil pointer and an interface holding an unregistered type: gob
	// fails at run time, and so does Append.
	_, err = flinksim.CodecFor[*point]().Append(nil, nil)
	assert.ErrorIs(t, err, flinksim.ErrEncode)
	_, err = flinksim.Codec[any](flinksim.GobCodec[any]{}).Append(nil, struct{ A int }{1})
	assert.ErrorIs(t, err, flinksim.ErrEncode)
	// Gob would drop the unexported field: GobCodec refuses the type.
	_, err = flinksim.Codec[halfHidden](flinksim.GobCodec[halfHidden]{}).Append(nil, halfHidden{N: 1, note: "x"})
	assert.ErrorIs(t, err, flinksim.ErrEncode)
	assert.ErrorContains(t, err, "field note")
}

// fuzzCodecs are the codecs FuzzCodecDecode exercises: decode must never
// panic, and what decodes must re-encode to the same value.
var fuzzCodecs = []struct {
	name string
	// check decodes b; if that succeeds, it re-encodes and decodes again
	// and reports a difference.
	check func(b []byte) error
}{
	{"string", canonical(flinksim.CodecFor[string](), true)},
	{"bytes", canonical(flinksim.CodecFor[[]byte](), true)},
	{"bool", canonical(flinksim.CodecFor[bool](), true)},
	{"int", canonical(flinksim.CodecFor[int](), true)},
	{"int8", canonical(flinksim.CodecFor[int8](), true)},
	{"int32", canonical(flinksim.CodecFor[int32](), true)},
	{"uint16", canonical(flinksim.CodecFor[uint16](), true)},
	{"uint64", canonical(flinksim.CodecFor[uint64](), true)},
	{"float64", canonical(flinksim.CodecFor[float64](), true)},
	{"float32", canonical(flinksim.CodecFor[float32](), true)},
	{"myInt", canonical(flinksim.CodecFor[myInt](), true)},
	{"myUint", canonical(flinksim.CodecFor[myUint](), true)},
	{"myString", canonical(flinksim.CodecFor[myString](), true)},
	{"gob point", canonical[point](flinksim.GobCodec[point]{}, false)},
	{"gob map", canonical[map[string][]int](flinksim.GobCodec[map[string][]int]{}, false)},
	{"stable struct", canonical(flinksim.CodecFor[stableKey](), true)},
	{"stable array", canonical(flinksim.CodecFor[[2]zone](), true)},
	{"json point", canonical[point](flinksim.JSONCodec[point]{}, false)},
	{"json map", canonical[map[string][]int](flinksim.JSONCodec[map[string][]int]{}, false)},
}

// canonical returns a check that decodes b and, if that succeeds, demands
// that the value re-encodes to bytes that decode to the same value — and,
// when sameBytes is set, to b itself (fixed encodings are canonical).
func canonical[T any](c flinksim.Codec[T], sameBytes bool) func([]byte) error {
	return func(b []byte) error {
		v, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, flinksim.ErrDecode) {
				return fmt.Errorf("error %v does not match ErrDecode", err)
			}
			return nil
		}
		again, err := c.Append(nil, v)
		if err != nil {
			return fmt.Errorf("%x decodes to %v, which does not encode: %v", b, v, err)
		}
		if sameBytes && !bytes.Equal(again, b) {
			return fmt.Errorf("%x decodes to %v, which encodes as %x", b, v, again)
		}
		v2, err := c.Decode(again)
		if err != nil {
			return fmt.Errorf("re-encoded %v does not decode: %v", v, err)
		}
		if !assert.ObjectsAreEqual(v, v2) && !isNaN(v) && !(isEmptyBytes(v) && isEmptyBytes(v2)) {
			return fmt.Errorf("%v re-decodes as %v", v, v2)
		}
		return nil
	}
}

func isEmptyBytes(v any) bool {
	b, ok := v.([]byte)
	return ok && len(b) == 0
}

func isNaN(v any) bool {
	switch f := v.(type) {
	case float64:
		return math.IsNaN(f)
	case float32:
		return math.IsNaN(float64(f))
	}
	return false
}

// FuzzCodecDecode feeds arbitrary bytes to every built-in codec, gob and
// JSON.
// Run with: go test ./flinksim -run '^$' -fuzz FuzzCodecDecode
func FuzzCodecDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add([]byte{2})
	f.Add(binary.BigEndian.AppendUint64(nil, 7))
	f.Add(binary.BigEndian.AppendUint32(nil, math.Float32bits(1.5)))
	f.Add([]byte("hello"))
	f.Add(enc(f, flinksim.Codec[point](flinksim.GobCodec[point]{}), point{X: 1, Y: 2, Label: "x", Tags: []string{"t"}}))
	f.Add(enc(f, flinksim.Codec[map[string][]int](flinksim.GobCodec[map[string][]int]{}), map[string][]int{"a": {1, 2}}))
	f.Add(enc(f, flinksim.CodecFor[stableKey](), stableKey{Country: "fr", ID: 3, Tag: [3]byte{1, 2, 3}}))
	f.Add(enc(f, flinksim.Codec[point](flinksim.JSONCodec[point]{}), point{X: 1, Label: "x", Tags: []string{"t"}}))
	f.Add([]byte{0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) // a gob message claiming 2^63 bytes
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range fuzzCodecs {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				err = c.check(b)
			}()
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	})
}

// TestKeyGroupsAreStable: KeyBy hashes the key's codec bytes with the
// documented, stable function, so a key lands on the same subtask from any
// upstream operator, in any job, on any executor.
func TestKeyGroupsAreStable(t *testing.T) {
	const p = 4
	keys := make([]string, 50)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i*7919)
	}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(p))
		var mu sync.Mutex
		where := make(map[string]map[string]int) // operator -> key -> subtask
		record := func(name string) func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
			return func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
				return flinksim.ProcessFunc[string, string, string](func(ctx *flinksim.KeyedContext[string], k string, out flinksim.Collector[string]) error {
					mu.Lock()
					defer mu.Unlock()
					if where[name] == nil {
						where[name] = make(map[string]int)
					}
					if s, ok := where[name][k]; ok && s != ctx.Runtime().Subtask() {
						return fmt.Errorf("key %q on subtasks %d and %d", k, s, ctx.Runtime().Subtask())
					}
					where[name][k] = ctx.Runtime().Subtask()
					out.Collect(k)
					return nil
				}), nil
			}
		}
		// The same keys reach three keyed operators from different
		// upstreams: a source of parallelism 1, one of parallelism 3, and
		// a map behind a rebalance.
		a := parallelSlice(env, "a", keys, flinksim.Parallelism(1))
		b := parallelSlice(env, "b", append(append([]string(nil), keys...), keys...), flinksim.Parallelism(3))
		c := flinksim.Map(flinksim.Rebalance(a), "c", identity[string], flinksim.Parallelism(2))
		for name, s := range map[string]flinksim.Stream[string]{"pa": a, "pb": b, "pc": c} {
			flinksim.Sink(flinksim.Process(flinksim.KeyBy(s, func(k string) string { return k }), name, record(name)), name+"-out", discardSink[string])
		}
		_, err := env.Execute(t.Context(), "keys")
		require.NoError(t, err)
		for _, k := range keys {
			want := keygroup.OperatorIndex(keygroup.Of([]byte(k), 128), p, 128)
			for _, op := range []string{"pa", "pb", "pc"} {
				assert.Equal(t, want, where[op][k], "key %q at %s", k, op)
			}
		}
	})
}

// structKey is a struct key of exported basic fields: CodecFor gives it
// the stable struct encoding.
type structKey struct {
	Region string
	ID     int
}

// gobKey is a key type whose CodecFor is gob.
type gobKey struct {
	Region string
	ID     *int
}

// Gob's bytes depend on the order a process first uses its types, so a
// gob-encoded key would land in another key group in another process:
// KeyBy refuses such keys and KeyByCodec takes a stable codec.
func TestKeyByRefusesGobKeys(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	src := parallelSlice(env, "src", []gobKey{{"eu", nil}})
	flinksim.Collect(flinksim.Reduce(flinksim.KeyBy(src, func(k gobKey) gobKey { return k }), "r",
		func(a, b gobKey) (gobKey, error) { return a, nil }), "out")
	_, err := env.Execute(t.Context(), "gob-key")
	require.ErrorIs(t, err, flinksim.ErrUnstableKey)
	assert.ErrorContains(t, err, "KeyByCodec")
	assert.ErrorContains(t, err, "flinksim_test.gobKey")

	env = flinksim.NewEnvironment(flinksim.WithParallelism(1))
	src2 := parallelSlice(env, "src", []structKey{{"eu", 7}})
	sink := flinksim.Collect(flinksim.Reduce(flinksim.KeyByCodec(src2, func(k structKey) structKey { return k }, structKeyCodec{}), "r",
		func(a, b structKey) (structKey, error) { return a, nil }), "out")
	_, err = env.Execute(t.Context(), "stable-key")
	require.NoError(t, err)
	assert.Equal(t, []structKey{{"eu", 7}}, sink.Values())
}

// structKeyCodec is a stable codec for structKey: the region's bytes, then
// the number.
type structKeyCodec struct{}

func (structKeyCodec) Append(dst []byte, k structKey) ([]byte, error) {
	return binary.BigEndian.AppendUint64(append(dst, k.Region...), uint64(k.ID)), nil
}

func (structKeyCodec) Decode(src []byte) (structKey, error) {
	if len(src) < 8 {
		return structKey{}, flinksim.ErrDecode
	}
	return structKey{Region: string(src[:len(src)-8]), ID: int(binary.BigEndian.Uint64(src[len(src)-8:]))}, nil
}

// enc encodes v with c, which must succeed.
func enc[T any](t testing.TB, c flinksim.Codec[T], v T) []byte {
	t.Helper()
	return encTo(t, c, nil, v)
}

// encTo appends v's encoding by c to dst, which must succeed.
func encTo[T any](t testing.TB, c flinksim.Codec[T], dst []byte, v T) []byte {
	t.Helper()
	b, err := c.Append(dst, v)
	require.NoError(t, err, "Append(%v)", v)
	return b
}

// TestGobDecodeBoundsAllocation: a gob message whose length claims far
// more bytes than the input holds is refused before gob allocates a
// buffer of that length.
//
// Mutants tried: GobCodec.Decode without the gobFramesFit check (gob
// allocates the claimed 512 MiB and the assertion fails).
func TestGobDecodeBoundsAllocation(t *testing.T) {
	claim := []byte{0xfc, 0x20, 0, 0, 0, 'x'} // a message of 512 MiB
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := flinksim.CodecFor[point]().Decode(claim)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, flinksim.ErrDecode)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated to decode %d bytes", len(claim))
}
