package flinksim

import "errors"

// Errors of codecs and of the state and keys they encode.
var (
	// ErrEncode: a codec could not encode a value. A state value (or a
	// source split) that cannot be encoded fails the operator's snapshot,
	// and with it the subtask; a key that cannot be encoded fails the
	// operator that emits it.
	ErrEncode = errors.New("flinksim: cannot encode value")
	// ErrNeedsCodec: a state was declared with a type its default codec
	// (CodecFor) cannot round-trip faithfully — a struct with unexported
	// fields, a func, a channel, an interface, or a container of one. The
	// operator fails when it opens; give the state a codec with
	// WithCodec.
	ErrNeedsCodec = errors.New("flinksim: state type needs a codec")
)
