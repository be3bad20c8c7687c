package snapshot

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRef(t *testing.T) {
	valid := []location{checkpointAt(0), checkpointAt(42), checkpointAt(math.MaxInt64), savepointAt("nightly"), savepointAt("ü b")}
	for _, loc := range valid {
		got, err := parseRef(loc.dir())
		require.NoError(t, err, loc.dir())
		assert.Equal(t, loc, got)
	}
	invalid := []string{
		"", "checkpoints", "checkpoints/", "checkpoints/chk-42", "checkpoints/chk-+0000000000000000042",
		"checkpoints/chk-99999999999999999999", "checkpoints/chk-0000000000000000004a",
		"checkpoints/chk-00000000000000000042/", "/checkpoints/chk-00000000000000000042",
		"savepoints/", "savepoints/../x", "savepoints/a/b", "savepoints/.hidden", "other/x", "./savepoints/x",
	}
	for _, ref := range invalid {
		_, err := parseRef(ref)
		require.ErrorIs(t, err, ErrInvalidName, "%q", ref)
	}
}

func FuzzParseRef(f *testing.F) {
	for _, ref := range []string{"checkpoints/chk-00000000000000000042", "savepoints/nightly", "savepoints/../x", ""} {
		f.Add(ref)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		loc, err := parseRef(ref)
		if err != nil {
			return
		}
		// A reference that parses names exactly one valid snapshot directory.
		if loc.validate() != nil || loc.dir() != ref {
			t.Fatalf("%q parses to %+v, whose directory is %q", ref, loc, loc.dir())
		}
	})
}
