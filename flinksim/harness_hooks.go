package flinksim

import (
	"fmt"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/harnessapi"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// This file is what package flinksimtest's operator harness reaches
// through internal/harnessapi: the harness builds an operator with this
// package's builders and runs that very operator.

func init() {
	harnessapi.StreamVertex = func(s any) (*engine.Vertex, error) {
		vs, ok := s.(interface {
			vertex() (*engine.Vertex, error)
		})
		if !ok {
			return nil, fmt.Errorf("%w: %T is not a Stream", ErrInvalidStream, s)
		}
		return vs.vertex()
	}
}

// vertex returns the vertex whose main output s is.
func (s Stream[T]) vertex() (*engine.Vertex, error) {
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(s.ups) != 1 || s.ups[0].tag != "" {
		return nil, fmt.Errorf("%w: a stream that is not one operator's output", ErrInvalidStream)
	}
	return s.ups[0].v, nil
}

// RegisteredTimers lists the timers of domain d in firing order, for the
// harness.
func (o *processOp[K, I, O]) RegisteredTimers(d TimeDomain) []state.Timer[K] {
	q := o.timers.tables[d]
	if q == nil {
		return nil
	}
	return slices.Collect(q.All())
}
