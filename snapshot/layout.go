package snapshot

import (
	"fmt"
	"strconv"
	"strings"
)

// The directory layout under the root of a store's FS:
//
//	checkpoints/chk-00000000000000000042/MANIFEST
//	checkpoints/chk-00000000000000000042/<file>
//	savepoints/<name>/MANIFEST
//	savepoints/<name>/<file>
//
// Files being written have temporary names starting with ".".
const (
	checkpointsDir   = "checkpoints"
	savepointsDir    = "savepoints"
	checkpointPrefix = "chk-"
	checkpointDigits = 20
)

// location identifies one snapshot: a checkpoint by id or a savepoint by name.
type location struct {
	kind Kind
	id   int64
	name string
}

func checkpointAt(id int64) location   { return location{kind: KindCheckpoint, id: id} }
func savepointAt(name string) location { return location{kind: KindSavepoint, name: name} }

// parent returns the directory holding snapshots of l's kind.
func (l location) parent() string {
	if l.kind == KindCheckpoint {
		return checkpointsDir
	}
	return savepointsDir
}

// dir returns the snapshot's directory, which is also its reference (see [Manifest.Ref]).
func (l location) dir() string {
	if l.kind == KindCheckpoint {
		return fmt.Sprintf("%s/%s%0*d", checkpointsDir, checkpointPrefix, checkpointDigits, l.id)
	}
	return savepointsDir + "/" + l.name
}

// file returns the path of the named file of the snapshot.
func (l location) file(name string) string { return l.dir() + "/" + name }

// String describes the snapshot for messages.
func (l location) String() string {
	if l.kind == KindCheckpoint {
		return fmt.Sprintf("checkpoint %d", l.id)
	}
	return fmt.Sprintf("savepoint %q", l.name)
}

// validate checks the checkpoint id or savepoint name.
func (l location) validate() error {
	if l.kind == KindCheckpoint {
		if l.id < 0 {
			return fmt.Errorf("%w: checkpoint id %d is negative", ErrInvalidName, l.id)
		}
		return nil
	}
	return validateName("savepoint name", l.name)
}

// parseCheckpointDirName returns the id of a checkpoint directory name such as
// "chk-00000000000000000042", and false for any other name.
func parseCheckpointDirName(base string) (int64, bool) {
	digits, ok := strings.CutPrefix(base, checkpointPrefix)
	if !ok || len(digits) != checkpointDigits || strings.ContainsAny(digits, "+-") {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil
}

// parseRef parses a snapshot reference, as returned by [Manifest.Ref].
func parseRef(ref string) (location, error) {
	parent, base, ok := strings.Cut(ref, "/")
	switch {
	case ok && parent == checkpointsDir:
		if id, ok := parseCheckpointDirName(base); ok {
			return checkpointAt(id), nil
		}
	case ok && parent == savepointsDir:
		if err := validateName("savepoint name", base); err != nil {
			return location{}, fmt.Errorf("%w (in reference %q)", err, ref)
		}
		return savepointAt(base), nil
	}
	return location{}, fmt.Errorf("%w: reference %q is neither %s/%sNNN nor %s/<name>",
		ErrInvalidName, ref, checkpointsDir, checkpointPrefix, savepointsDir)
}
