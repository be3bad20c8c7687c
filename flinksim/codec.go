package flinksim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
)

// A Codec turns values of type T into bytes and back.
//
// Keys are encoded with a codec to be hashed into key groups, and keyed
// state is encoded with codecs when it is written into snapshots, so an
// encoding must be deterministic: equal values give equal bytes.
//
// Append appends the encoding of v to dst, or returns an error (wrapping
// ErrEncode, by convention) if it cannot encode v faithfully; it must never
// return a partial or empty encoding instead. A state value that fails to
// encode fails the snapshot, and with it the subtask (the job fails over,
// as for any failure of the subtask), so no checkpoint completes without
// the value. Decode decodes exactly one value from src,
// which holds exactly the bytes one Append produced; it returns an error
// (never panics) on malformed input, and since snapshot bytes come from
// disk it allocates no more than src's length justifies.
type Codec[T any] interface {
	// Append appends the encoding of v to dst and returns the extended
	// slice, or an error wrapping ErrEncode.
	Append(dst []byte, v T) ([]byte, error)
	// Decode decodes the one value src holds.
	Decode(src []byte) (T, error)
}

// ErrDecode reports bytes a codec could not decode.
var ErrDecode = errors.New("flinksim: cannot decode value")

// CodecFor returns the built-in codec for T:
//
//   - string, []byte, bool, the integer types and the float types, and
//     named types whose underlying type is one of those: a fixed encoding
//     (a string or []byte as its bytes, a bool as one byte 0 or 1, every
//     integer as 8 bytes big endian — int64 for signed types, uint64 for
//     unsigned —, a float64 as its 8 IEEE 754 bytes and a float32 as its 4,
//     all big endian);
//   - structs whose fields are all exported and of such types, or such
//     structs, or fixed arrays of those (a stable type): the fields in
//     declaration order, each with its fixed encoding, strings prefixed
//     with their length as a uvarint, and arrays as their elements in order
//     ([N]byte arrays as their N bytes). The bytes depend only on the
//     value, never on the process or the release, so such types can be keys;
//   - anything else: GobCodec. Gob's bytes depend on the order in which a
//     process first encodes its types, so gob-encoded keys are refused (see
//     KeyBy); and gob drops unexported fields and fields of func and chan
//     type, so state declared with a type gob cannot round-trip is refused
//     with ErrNeedsCodec (see WithCodec).
func CodecFor[T any]() Codec[T] {
	var zero T
	switch any(zero).(type) {
	case string:
		return any(StringCodec{}).(Codec[T])
	case []byte:
		return any(BytesCodec{}).(Codec[T])
	case bool:
		return any(BoolCodec{}).(Codec[T])
	case int:
		return any(intCodec[int]{}).(Codec[T])
	case int8:
		return any(intCodec[int8]{}).(Codec[T])
	case int16:
		return any(intCodec[int16]{}).(Codec[T])
	case int32:
		return any(intCodec[int32]{}).(Codec[T])
	case int64:
		return any(intCodec[int64]{}).(Codec[T])
	case uint:
		return any(uintCodec[uint]{}).(Codec[T])
	case uint8:
		return any(uintCodec[uint8]{}).(Codec[T])
	case uint16:
		return any(uintCodec[uint16]{}).(Codec[T])
	case uint32:
		return any(uintCodec[uint32]{}).(Codec[T])
	case uint64:
		return any(uintCodec[uint64]{}).(Codec[T])
	case float64:
		return any(float64Codec{}).(Codec[T])
	case float32:
		return any(float32Codec{}).(Codec[T])
	}
	rt := reflect.TypeFor[T]()
	switch rt.Kind() {
	case reflect.String:
		return convertCodec[T, string](StringCodec{})
	case reflect.Bool:
		return convertCodec[T, bool](BoolCodec{})
	case reflect.Float64:
		return convertCodec[T, float64](float64Codec{})
	case reflect.Float32:
		return convertCodec[T, float32](float32Codec{})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflectIntCodec[T]{}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return reflectUintCodec[T]{}
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 {
			return convertCodec[T, []byte](BytesCodec{})
		}
	case reflect.Struct, reflect.Array:
		if c, ok := newStableCodec[T](); ok {
			return c
		}
	}
	return GobCodec[T]{}
}

// StringCodec encodes a string as its raw bytes.
type StringCodec struct{}

// Append implements Codec.
func (StringCodec) Append(dst []byte, v string) ([]byte, error) { return append(dst, v...), nil }

// Decode implements Codec.
func (StringCodec) Decode(src []byte) (string, error) { return string(src), nil }

// BytesCodec encodes a byte slice as itself.
type BytesCodec struct{}

// Append implements Codec.
func (BytesCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }

// Decode implements Codec. The result is a copy of src.
func (BytesCodec) Decode(src []byte) ([]byte, error) { return bytes.Clone(src), nil }

// BoolCodec encodes a bool as one byte, 0 or 1.
type BoolCodec struct{}

// Append implements Codec.
func (BoolCodec) Append(dst []byte, v bool) ([]byte, error) {
	if v {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

// Decode implements Codec.
func (BoolCodec) Decode(src []byte) (bool, error) {
	if len(src) != 1 || src[0] > 1 {
		return false, fmt.Errorf("%w: bool wants one byte 0 or 1, got %d bytes", ErrDecode, len(src))
	}
	return src[0] == 1, nil
}

type signed interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64
}

type unsigned interface {
	~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// intCodec encodes signed integers as 8 bytes big endian, so that every
// integer type of the same value hashes to the same key group.
type intCodec[T signed] struct{}

func (intCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, uint64(int64(v))), nil
}

func (intCodec[T]) Decode(src []byte) (T, error) {
	if len(src) != 8 {
		return 0, fmt.Errorf("%w: integer wants 8 bytes, got %d", ErrDecode, len(src))
	}
	n := int64(binary.BigEndian.Uint64(src))
	if int64(T(n)) != n {
		return 0, fmt.Errorf("%w: %d overflows %T", ErrDecode, n, T(0))
	}
	return T(n), nil
}

type uintCodec[T unsigned] struct{}

func (uintCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, uint64(v)), nil
}

func (uintCodec[T]) Decode(src []byte) (T, error) {
	if len(src) != 8 {
		return 0, fmt.Errorf("%w: integer wants 8 bytes, got %d", ErrDecode, len(src))
	}
	n := binary.BigEndian.Uint64(src)
	if uint64(T(n)) != n {
		return 0, fmt.Errorf("%w: %d overflows %T", ErrDecode, n, T(0))
	}
	return T(n), nil
}

type float64Codec struct{}

func (float64Codec) Append(dst []byte, v float64) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(v)), nil
}

func (float64Codec) Decode(src []byte) (float64, error) {
	if len(src) != 8 {
		return 0, fmt.Errorf("%w: float64 wants 8 bytes, got %d", ErrDecode, len(src))
	}
	return math.Float64frombits(binary.BigEndian.Uint64(src)), nil
}

type float32Codec struct{}

func (float32Codec) Append(dst []byte, v float32) ([]byte, error) {
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(v)), nil
}

func (float32Codec) Decode(src []byte) (float32, error) {
	if len(src) != 4 {
		return 0, fmt.Errorf("%w: float32 wants 4 bytes, got %d", ErrDecode, len(src))
	}
	return math.Float32frombits(binary.BigEndian.Uint32(src)), nil
}

// convertCodec adapts a codec of a basic type to a named type with that
// underlying type.
func convertCodec[T, U any](c Codec[U]) Codec[T] {
	return convertingCodec[T, U]{c}
}

type convertingCodec[T, U any] struct{ inner Codec[U] }

func (c convertingCodec[T, U]) Append(dst []byte, v T) ([]byte, error) {
	return c.inner.Append(dst, reflect.ValueOf(v).Convert(reflect.TypeFor[U]()).Interface().(U))
}

func (c convertingCodec[T, U]) Decode(src []byte) (T, error) {
	u, err := c.inner.Decode(src)
	if err != nil {
		var zero T
		return zero, err
	}
	return reflect.ValueOf(u).Convert(reflect.TypeFor[T]()).Interface().(T), nil
}

type reflectIntCodec[T any] struct{}

func (reflectIntCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, uint64(reflect.ValueOf(v).Int())), nil
}

func (reflectIntCodec[T]) Decode(src []byte) (T, error) {
	var v T
	if len(src) != 8 {
		return v, fmt.Errorf("%w: integer wants 8 bytes, got %d", ErrDecode, len(src))
	}
	rv := reflect.ValueOf(&v).Elem()
	n := int64(binary.BigEndian.Uint64(src))
	if rv.OverflowInt(n) {
		return v, fmt.Errorf("%w: %d overflows %s", ErrDecode, n, rv.Type())
	}
	rv.SetInt(n)
	return v, nil
}

type reflectUintCodec[T any] struct{}

func (reflectUintCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(dst, reflect.ValueOf(v).Uint()), nil
}

func (reflectUintCodec[T]) Decode(src []byte) (T, error) {
	var v T
	if len(src) != 8 {
		return v, fmt.Errorf("%w: integer wants 8 bytes, got %d", ErrDecode, len(src))
	}
	rv := reflect.ValueOf(&v).Elem()
	n := binary.BigEndian.Uint64(src)
	if rv.OverflowUint(n) {
		return v, fmt.Errorf("%w: %d overflows %s", ErrDecode, n, rv.Type())
	}
	rv.SetUint(n)
	return v, nil
}

// sliceCodec encodes a slice as a uvarint count followed by its elements,
// each length-prefixed.
type sliceCodec[T any] struct{ elem Codec[T] }

func (c sliceCodec[T]) Append(dst []byte, vs []T) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(vs)))
	var err error
	for i, v := range vs {
		if dst, err = appendPrefixed(dst, c.elem, v); err != nil {
			return nil, fmt.Errorf("list element %d: %w", i, err)
		}
	}
	return dst, nil
}

func (c sliceCodec[T]) Decode(src []byte) ([]T, error) {
	n, src, err := readCount(src)
	if err != nil {
		return nil, err
	}
	vs := make([]T, 0, n)
	for range n {
		var v T
		if v, src, err = readPrefixed(src, c.elem); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	if len(src) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after a list", ErrDecode, len(src))
	}
	return vs, nil
}

// orderedMapCodec encodes a MapState's map: a uvarint count, then the
// entries in insertion order, keys and values length-prefixed.
type orderedMapCodec[K comparable, V any] struct {
	key   Codec[K]
	value Codec[V]
}

func (c orderedMapCodec[K, V]) Append(dst []byte, m *orderedMap[K, V]) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(m.keys)))
	var err error
	for i, k := range m.keys {
		if dst, err = appendPrefixed(dst, c.key, k); err != nil {
			return nil, fmt.Errorf("map key %d: %w", i, err)
		}
		if dst, err = appendPrefixed(dst, c.value, m.values[i]); err != nil {
			return nil, fmt.Errorf("map value %d: %w", i, err)
		}
	}
	return dst, nil
}

func (c orderedMapCodec[K, V]) Decode(src []byte) (*orderedMap[K, V], error) {
	n, src, err := readCount(src)
	if err != nil {
		return nil, err
	}
	m := &orderedMap[K, V]{index: make(map[K]int, n)}
	for range n {
		var k K
		var v V
		if k, src, err = readPrefixed(src, c.key); err != nil {
			return nil, err
		}
		if v, src, err = readPrefixed(src, c.value); err != nil {
			return nil, err
		}
		m.put(k, v)
	}
	if len(src) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after a map", ErrDecode, len(src))
	}
	return m, nil
}

func appendPrefixed[T any](dst []byte, c Codec[T], v T) ([]byte, error) {
	enc, err := c.Append(nil, v)
	if err != nil {
		return nil, err
	}
	return append(binary.AppendUvarint(dst, uint64(len(enc))), enc...), nil
}

// readCount reads a uvarint count no larger than the bytes left (every
// element takes at least one byte).
func readCount(src []byte) (int, []byte, error) {
	n, w := binary.Uvarint(src)
	if w <= 0 || n > uint64(len(src)-w) {
		return 0, nil, fmt.Errorf("%w: bad count", ErrDecode)
	}
	return int(n), src[w:], nil
}

func readPrefixed[T any](src []byte, c Codec[T]) (T, []byte, error) {
	var v T
	n, w := binary.Uvarint(src)
	if w <= 0 || n > uint64(len(src)-w) {
		return v, nil, fmt.Errorf("%w: bad length", ErrDecode)
	}
	v, err := c.Decode(src[w : w+int(n)])
	return v, src[w+int(n):], err
}
