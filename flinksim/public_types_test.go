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
// show Ref).
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
		reflect.TypeFor[flinksim.ManualClock](),
		reflect.TypeFor[flinksim.RestartStrategy](),
		reflect.TypeFor[flinksim.FaultPoint](),
		reflect.TypeFor[flinksim.Faults](),
		reflect.TypeFor[flinksim.SubtaskStatus](),
		reflect.TypeFor[flinksim.CheckpointingMode](),
		reflect.TypeFor[flinksim.OperatorOption](),
		reflect.TypeFor[flinksim.OperatorError](),
		reflect.TypeFor[flinksim.Codec[int]](),
		reflect.TypeFor[flinksim.Collector[int]](),
	} {
		assert.Equal(t, pkg, typ.PkgPath(), "%v is defined elsewhere", typ)
	}
}
