package flinksim

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
)

// stableCodec encodes the values of a stable type (see CodecFor): a
// struct or fixed array built of strings, bools, integers and floats. Its
// bytes are a function of the value alone, so they can be hashed into key
// groups and stored in savepoints:
//
//	string         uvarint length, then the bytes
//	bool           one byte, 0 or 1
//	intN, int      8 bytes big endian (the value as int64)
//	uintN, uint    8 bytes big endian (the value as uint64)
//	float64        8 bytes big endian (IEEE 754 bits)
//	float32        4 bytes big endian (IEEE 754 bits)
//	[N]byte        the N bytes
//	[N]E           the N elements in order
//	struct         the fields in declaration order
//
// Only a string has a length prefix: every other part has a size fixed by
// the type, so the encoding of a sequence of parts is unambiguous.
type stableCodec[T any] struct{ typ reflect.Type }

// newStableCodec returns the stable codec of T, if T is a stable type.
func newStableCodec[T any]() (Codec[T], bool) {
	t := reflect.TypeFor[T]()
	if stableReason(t) != "" {
		return nil, false
	}
	return stableCodec[T]{typ: t}, true
}

// stableReason returns "" if t is a stable type, or why it is not.
func stableReason(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ""
	case reflect.Array:
		if r := stableReason(t.Elem()); r != "" {
			return fmt.Sprintf("element of %s: %s", t, r)
		}
		return ""
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Sprintf("field %s of %s is unexported", f.Name, t)
			}
			if r := stableReason(f.Type); r != "" {
				return fmt.Sprintf("field %s of %s: %s", f.Name, t, r)
			}
		}
		return ""
	}
	return fmt.Sprintf("%s is a %s", t, t.Kind())
}

// Append implements Codec.
func (c stableCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	return appendStable(dst, reflect.ValueOf(&v).Elem())
}

func appendStable(dst []byte, v reflect.Value) ([]byte, error) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		return append(binary.AppendUvarint(dst, uint64(len(s))), s...), nil
	case reflect.Bool:
		if v.Bool() {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.BigEndian.AppendUint64(dst, uint64(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return binary.BigEndian.AppendUint64(dst, v.Uint()), nil
	case reflect.Float64:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(v.Float())), nil
	case reflect.Float32:
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(v.Float()))), nil
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			for i := range v.Len() {
				dst = append(dst, byte(v.Index(i).Uint()))
			}
			return dst, nil
		}
		var err error
		for i := range v.Len() {
			if dst, err = appendStable(dst, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case reflect.Struct:
		var err error
		for i := range v.NumField() {
			if dst, err = appendStable(dst, v.Field(i)); err != nil {
				return nil, err
			}
		}
		return dst, nil
	}
	return nil, fmt.Errorf("%w: %s is not a stable type", ErrEncode, v.Type()) // unreachable: newStableCodec checks
}

// Decode implements Codec.
func (c stableCodec[T]) Decode(src []byte) (T, error) {
	var v T
	rest, err := decodeStable(src, reflect.ValueOf(&v).Elem())
	if err != nil {
		return v, fmt.Errorf("%w: %s: %w", ErrDecode, c.typ, err)
	}
	if len(rest) != 0 {
		return v, fmt.Errorf("%w: %s: %d trailing bytes", ErrDecode, c.typ, len(rest))
	}
	return v, nil
}

func decodeStable(src []byte, v reflect.Value) ([]byte, error) {
	fixed := func(n int) ([]byte, error) {
		if len(src) < n {
			return nil, fmt.Errorf("%s wants %d bytes, %d left", v.Type(), n, len(src))
		}
		return src[:n], nil
	}
	switch v.Kind() {
	case reflect.String:
		n, w := binary.Uvarint(src)
		if w <= 0 || n > uint64(len(src)-w) {
			return nil, fmt.Errorf("bad string length")
		}
		v.SetString(string(src[w : w+int(n)]))
		return src[w+int(n):], nil
	case reflect.Bool:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		if b[0] > 1 {
			return nil, fmt.Errorf("bool byte %d", b[0])
		}
		v.SetBool(b[0] == 1)
		return src[1:], nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		n := int64(binary.BigEndian.Uint64(b))
		if v.OverflowInt(n) {
			return nil, fmt.Errorf("%d overflows %s", n, v.Type())
		}
		v.SetInt(n)
		return src[8:], nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		n := binary.BigEndian.Uint64(b)
		if v.OverflowUint(n) {
			return nil, fmt.Errorf("%d overflows %s", n, v.Type())
		}
		v.SetUint(n)
		return src[8:], nil
	case reflect.Float64:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		v.SetFloat(math.Float64frombits(binary.BigEndian.Uint64(b)))
		return src[8:], nil
	case reflect.Float32:
		b, err := fixed(4)
		if err != nil {
			return nil, err
		}
		v.SetFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
		return src[4:], nil
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b, err := fixed(v.Len())
			if err != nil {
				return nil, err
			}
			for i := range v.Len() {
				v.Index(i).SetUint(uint64(b[i]))
			}
			return src[v.Len():], nil
		}
		var err error
		for i := range v.Len() {
			if src, err = decodeStable(src, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return src, nil
	case reflect.Struct:
		var err error
		for i := range v.NumField() {
			if src, err = decodeStable(src, v.Field(i)); err != nil {
				return nil, fmt.Errorf("field %s: %w", v.Type().Field(i).Name, err)
			}
		}
		return src, nil
	}
	return nil, fmt.Errorf("%s is not a stable type", v.Type())
}
