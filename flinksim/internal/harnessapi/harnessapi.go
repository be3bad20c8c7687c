// Package harnessapi is what the operator test harness (package
// flinksimtest) needs of the flinksim package beyond its public API: the
// vertex a transformation built, so the harness runs that vertex's own
// operator. The flinksim package fills it at init.
package harnessapi

import "github.com/flinksim/go-flinksim/flinksim/internal/engine"

// StreamVertex returns the vertex whose main output is stream s (a
// flinksim.Stream[T], as any), or the error that makes s invalid.
var StreamVertex func(s any) (*engine.Vertex, error)
