//go:build unix

package snapshot

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockFile takes an exclusive lock on the file at path (created if
// missing), so that one process, or one owner in a process, at a time uses
// the directory it guards: a Store's directory must have one user at a
// time. The lock goes with the process however it ends; unlock releases
// it. A lock someone else holds is ErrLocked.
func LockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("snapshot: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("snapshot: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
