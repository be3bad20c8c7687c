//go:build unix

package snapshot

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := LockFile(path)
	require.NoError(t, err)
	_, err = LockFile(path)
	require.True(t, errors.Is(err, ErrLocked), "%v", err)
	unlock()
	unlock2, err := LockFile(path)
	require.NoError(t, err, "released")
	unlock2()
}
