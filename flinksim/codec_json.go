package flinksim

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// JSONCodec encodes values as JSON with encoding/json. Its bytes are
// readable and do not depend on the process (map keys are sorted), but
// JSON keeps only what encoding/json sees: exported fields not tagged
// `json:"-"`, and numbers that fit a float64 unless the type says
// otherwise. Give it types whose JSON form round-trips, as those of an
// API usually do. A value json.Marshal refuses (a NaN, a channel) is an
// ErrEncode; Decode refuses trailing bytes after the value.
type JSONCodec[T any] struct{}

// Append implements Codec.
func (JSONCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: json %s: %v", ErrEncode, reflect.TypeFor[T](), err)
	}
	return append(dst, b...), nil
}

// Decode implements Codec.
func (JSONCodec[T]) Decode(src []byte) (T, error) {
	var v T
	if err := json.Unmarshal(src, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("%w: json %s: %v", ErrDecode, reflect.TypeFor[T](), err)
	}
	return v, nil
}
