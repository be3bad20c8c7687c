package flinksim_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestPublicTypesArePublic: the types a user reads are defined in this
// package, so go doc shows their fields and methods (an alias of an
// internal type shows none: `go doc flinksim.CheckpointRecord` did not
// show Ref). Types still aliased are listed in the issue tracker.
func TestPublicTypesArePublic(t *testing.T) {
	const pkg = "github.com/flinksim/go-flinksim/flinksim"
	for _, typ := range []reflect.Type{
		reflect.TypeFor[flinksim.CheckpointRecord](),
		reflect.TypeFor[flinksim.CheckpointMetrics](),
		reflect.TypeFor[flinksim.SubtaskCheckpointStats](),
		reflect.TypeFor[flinksim.CheckpointStatus](),
		reflect.TypeFor[flinksim.TraceEvent](),
		reflect.TypeFor[flinksim.TraceKind](),
		reflect.TypeFor[flinksim.Exception](),
	} {
		assert.Equal(t, pkg, typ.PkgPath(), "%v is defined elsewhere", typ)
	}
}
