package snapshot

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap them with context;
// test for them with [errors.Is].
var (
	// ErrNotFound reports that a snapshot, or a file in a snapshot, does not exist.
	ErrNotFound = errors.New("snapshot: not found")
	// ErrExists reports that a checkpoint id, savepoint name or file name is already taken.
	ErrExists = errors.New("snapshot: already exists")
	// ErrCorrupt reports a file that fails validation. The error is a [*CorruptError].
	ErrCorrupt = errors.New("snapshot: corrupt")
	// ErrIncompatibleVersion reports a file written in a format version this
	// package cannot read. The error is a [*VersionError].
	ErrIncompatibleVersion = errors.New("snapshot: incompatible format version")
	// ErrInvalidName reports an unacceptable savepoint name, file name,
	// checkpoint id or snapshot reference.
	ErrInvalidName = errors.New("snapshot: invalid name")
	// ErrInvalidProperty reports an unacceptable manifest property.
	ErrInvalidProperty = errors.New("snapshot: invalid property")
	// ErrTooLarge reports a file (or manifest) larger than StoreOptions.MaxFileSize.
	ErrTooLarge = errors.New("snapshot: file too large")
	// ErrClosed reports a call on a [Writer] that was already committed or aborted.
	ErrClosed = errors.New("snapshot: writer closed")
	// ErrLocked reports a lock ([LockFile]) that another user holds.
	ErrLocked = errors.New("snapshot: locked by another user")
	// ErrInjected is the error a [FaultyFS] returns for an injected fault.
	ErrInjected = errors.New("snapshot: injected fault")
)

// CorruptError describes a file that failed validation: bad magic, a length
// out of bounds or disagreeing with the file size, a checksum mismatch, a
// manifest that does not decode, or a file that disagrees with its manifest.
// It matches [ErrCorrupt] with [errors.Is].
type CorruptError struct {
	// Path is the slash-separated path of the file, relative to the FS root.
	Path string
	// Reason says what failed.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *CorruptError) Error() string {
	msg := fmt.Sprintf("snapshot: corrupt file %s: %s", e.Path, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns [ErrCorrupt] and the underlying error, if any.
func (e *CorruptError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrCorrupt}
	}
	return []error{ErrCorrupt, e.Err}
}

// VersionError describes a file whose format version this package cannot read.
// It matches [ErrIncompatibleVersion] with [errors.Is].
type VersionError struct {
	// Path is the slash-separated path of the file, relative to the FS root.
	Path string
	// Version is the format version found in the file.
	Version uint16
}

// Error implements error.
func (e *VersionError) Error() string {
	return fmt.Sprintf("snapshot: file %s has format version %d, this package reads version %d",
		e.Path, e.Version, FormatVersion)
}

// Unwrap returns [ErrIncompatibleVersion].
func (e *VersionError) Unwrap() error { return ErrIncompatibleVersion }
