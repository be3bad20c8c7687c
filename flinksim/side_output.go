package flinksim

import (
	"fmt"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// OutputTag names a side output of type T, as Flink's OutputTag: an
// operator emits to it with Output, and SideOutput reads it as a stream.
// Make one with NewOutputTag; its ID must be unique among the side outputs
// of an operator.
type OutputTag[T any] struct {
	id string
}

// NewOutputTag returns the tag of side output id (not empty).
func NewOutputTag[T any](id string) OutputTag[T] { return OutputTag[T]{id: id} }

// ID returns the tag's ID.
func (t OutputTag[T]) ID() string { return t.id }

// OutputContext is a context that can emit to side outputs: the contexts
// of process functions and of window functions.
type OutputContext interface {
	operator() *engine.OperatorContext
}

// Output emits v to the side output tag, with the timestamp of the record
// (or timer) being processed, as Flink's ctx.output. A side output that no
// stream reads drops what it is given. A tag of another type than the
// stream reading its ID fails the operator with ErrInvalidOperator.
func Output[T any](ctx OutputContext, tag OutputTag[T], v T) {
	op := ctx.operator()
	c, ok := op.SideOutputs[tag.id]
	if !ok {
		switch {
		case tag.id == "":
			op.Fail(fmt.Errorf("%w: side output with an empty tag", ErrInvalidOperator))
		case op.UnreadSideOutput != nil:
			op.UnreadSideOutput(tag.id, v)
		}
		return
	}
	typed, ok := c.(engine.Collector[T])
	if !ok {
		op.Fail(fmt.Errorf("%w: side output %q is read as another type than %s", ErrInvalidOperator, tag.id, reflect.TypeFor[T]()))
		return
	}
	typed.Collect(v)
}

// SideOutput returns the side output tag of the operator that made s, as
// Flink's getSideOutput; s must be an operator's own output, not a union
// or a side output.
func SideOutput[T, X any](s Stream[X], tag OutputTag[T]) Stream[T] {
	if s.isZero() {
		return invalid[T](nil, zeroError("SideOutput"))
	}
	if err := s.Err(); err != nil {
		return invalid[T](s.env, err)
	}
	var err error
	switch {
	case tag.id == "":
		err = fmt.Errorf("%w: SideOutput with an empty tag", ErrInvalidStream)
	case len(s.ups) != 1 || s.ups[0].tag != "":
		err = fmt.Errorf("%w: SideOutput %q of a stream that is not one operator's output", ErrInvalidStream, tag.id)
	}
	if err != nil {
		s.env.addError(err)
		return invalid[T](s.env, err)
	}
	return Stream[T]{env: s.env, ups: []upstream{{v: s.ups[0].v, tag: tag.id}}}
}
