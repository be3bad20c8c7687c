package snapshot

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateName(t *testing.T) {
	tests := []struct{ name, reason string }{
		{"", "is empty"},
		{strings.Repeat("x", MaxNameLength+1), "longer than"},
		{"\xff", "not valid UTF-8"},
		{"a/b", "path separator"},
		{`a\b`, "path separator"},
		{"../x", "path separator"},
		{"..", `contains ".."`},
		{"a..b", `contains ".."`},
		{".", `starts with "."`},
		{".tmp", `starts with "."`},
		{"a\x00", "not printable"},
		{"a\u200bb", "not printable"},
		{"MANIFEST", "reserved"},
	}
	for _, tt := range tests {
		err := validateName("file name", tt.name)
		require.ErrorIs(t, err, ErrInvalidName, "%q", tt.name)
		assert.Contains(t, err.Error(), tt.reason, "%q", tt.name)
	}
	for _, name := range []string{"a", "a b", "v1.2", "x.", "日本語", "manifest", strings.Repeat("x", MaxNameLength)} {
		require.NoError(t, validateName("file name", name))
	}
}
