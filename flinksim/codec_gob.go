package flinksim

import (
	"bytes"
	"encoding"
	"encoding/gob"
	"fmt"
	"reflect"
	"sync"
)

// GobCodec encodes any gob-encodable type with encoding/gob. It is the
// fallback of CodecFor; prefer a dedicated codec on hot paths.
//
// Gob silently leaves out unexported struct fields and fields of func or
// chan type, so GobCodec refuses such types: Append returns an error
// wrapping ErrEncode instead of bytes that would decode to another value.
// A value gob cannot encode (an interface holding an unregistered type) is
// an ErrEncode too, and so is a nil pointer, which gob would decode as a
// pointer to a zero value. Gob flattens pointers: inside a value, a
// pointer to a zero value may come back nil. Types that implement gob.GobEncoder or
// encoding.BinaryMarshaler (with the matching decoder on their pointer)
// encode themselves and are accepted as they are, time.Time for instance.
type GobCodec[T any] struct{}

// Append implements Codec.
func (GobCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	if err := gobCheck(reflect.TypeFor[T](), false); err != nil {
		return nil, fmt.Errorf("%w: gob cannot round-trip %s: %w", ErrEncode, reflect.TypeFor[T](), err)
	}
	if rv := reflect.ValueOf(&v).Elem(); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, fmt.Errorf("%w: gob %s: a nil pointer would decode as a pointer to a zero value", ErrEncode, rv.Type())
	}
	buf := bytes.NewBuffer(dst)
	if err := gob.NewEncoder(buf).Encode(&v); err != nil {
		return nil, fmt.Errorf("%w: gob %s: %v", ErrEncode, reflect.TypeFor[T](), err)
	}
	return buf.Bytes(), nil
}

// Decode implements Codec. Before gob reads a message, its length is
// checked against the bytes present, so a corrupt length cannot make gob
// allocate more than src holds.
func (GobCodec[T]) Decode(src []byte) (v T, err error) {
	if err := gobFramesFit(src); err != nil {
		return v, fmt.Errorf("%w: gob %s: %w", ErrDecode, reflect.TypeFor[T](), err)
	}
	dec := gob.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("%w: gob %s: %v", ErrDecode, reflect.TypeFor[T](), err)
	}
	return v, nil
}

// gobFramesFit checks that src is a sequence of gob messages, each a
// length (gob's unsigned integer encoding) and that many bytes.
func gobFramesFit(src []byte) error {
	for len(src) > 0 {
		n, w, err := gobUint(src)
		if err != nil {
			return err
		}
		if n == 0 || n > uint64(len(src)-w) {
			return fmt.Errorf("message of %d bytes with %d left", n, len(src)-w)
		}
		src = src[w+int(n):]
	}
	return nil
}

// gobUint reads one of gob's unsigned integers: a byte below 128 is the
// value; otherwise it is minus the number of big-endian bytes that follow.
func gobUint(src []byte) (v uint64, width int, err error) {
	b := src[0]
	if b < 0x80 {
		return uint64(b), 1, nil
	}
	n := -int(int8(b))
	if n > 8 || n >= len(src) {
		return 0, 0, fmt.Errorf("bad message length")
	}
	for _, c := range src[1 : 1+n] {
		v = v<<8 | uint64(c)
	}
	return v, 1 + n, nil
}

var (
	gobEncoderType   = reflect.TypeFor[gob.GobEncoder]()
	gobDecoderType   = reflect.TypeFor[gob.GobDecoder]()
	binaryMarshaler  = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshal  = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	gobChecks        sync.Map // gobCheckKey → error (nil as noError)
	errNoGobProblems = fmt.Errorf("none")
)

type gobCheckKey struct {
	t      reflect.Type
	strict bool
}

// gobCheck returns why gob cannot round-trip values of t faithfully, or
// nil. strict also refuses interface types, whose concrete types gob
// needs registered: CodecFor's choice of gob is checked strictly, an
// explicit GobCodec not (an unregistered type then fails the encoding).
// Results are cached per type.
func gobCheck(t reflect.Type, strict bool) error {
	key := gobCheckKey{t, strict}
	if e, ok := gobChecks.Load(key); ok {
		if e == errNoGobProblems {
			return nil
		}
		return e.(error)
	}
	err := gobWalk(t, strict, make(map[reflect.Type]bool))
	if err == nil {
		gobChecks.Store(key, errNoGobProblems)
	} else {
		gobChecks.Store(key, err)
	}
	return err
}

func gobWalk(t reflect.Type, strict bool, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil // a recursive type: checked where it first appeared
	}
	seen[t] = true
	pt := reflect.PointerTo(t)
	if (t.Implements(gobEncoderType) || pt.Implements(gobEncoderType)) && pt.Implements(gobDecoderType) ||
		(t.Implements(binaryMarshaler) || pt.Implements(binaryMarshaler)) && pt.Implements(binaryUnmarshal) {
		return nil // it encodes itself
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Uintptr:
		return fmt.Errorf("gob cannot encode %s values", t.Kind())
	case reflect.Interface:
		if strict {
			return fmt.Errorf("%s is an interface type, and gob needs every concrete type it holds registered", t)
		}
		return nil
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if err := gobWalk(t.Elem(), strict, seen); err != nil {
			return wrapIn(t, err)
		}
	case reflect.Map:
		if err := gobWalk(t.Key(), strict, seen); err != nil {
			return wrapIn(t, err)
		}
		if err := gobWalk(t.Elem(), strict, seen); err != nil {
			return wrapIn(t, err)
		}
	case reflect.Struct:
		if t.NumField() == 0 {
			return fmt.Errorf("struct %s has no fields, which gob cannot encode", t)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("field %s of %s is unexported, and gob leaves it out", f.Name, t)
			}
			if err := gobWalk(f.Type, strict, seen); err != nil {
				return fmt.Errorf("field %s of %s: %w", f.Name, t, err)
			}
		}
	}
	return nil
}

func wrapIn(t reflect.Type, err error) error { return fmt.Errorf("in %s: %w", t, err) }
