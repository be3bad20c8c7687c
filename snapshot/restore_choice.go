package snapshot

import (
	"errors"
	"fmt"
)

// RestoreType is how an application's start picks the snapshot it
// restores from, as the Managed Service for Apache Flink's
// ApplicationRestoreType. A snapshot there is a savepoint here.
type RestoreType string

// Restore types.
const (
	// RestoreFromLatestSnapshot restores from the newest savepoint.
	RestoreFromLatestSnapshot RestoreType = "RESTORE_FROM_LATEST_SNAPSHOT"
	// RestoreFromCustomSnapshot restores from the savepoint a start names.
	RestoreFromCustomSnapshot RestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT"
	// SkipRestoreFromSnapshot starts without state.
	SkipRestoreFromSnapshot RestoreType = "SKIP_RESTORE_FROM_SNAPSHOT"
)

// ErrInvalidRestore reports a restore type that does not exist, or a
// custom restore without a snapshot name.
var ErrInvalidRestore = errors.New("snapshot: invalid restore configuration")

// ChooseRestore returns the reference of the savepoint a start restores
// from, "" to start without state. As in the managed service, a first
// start — a store with no savepoint yet — starts without state whatever
// the type; afterwards RestoreFromCustomSnapshot needs a name
// ([ErrInvalidRestore] without one) of a savepoint the store has
// ([ErrNotFound] otherwise). The newest savepoint is the one created last,
// by [Manifest.CreatedAt], then by name.
func (s *Store) ChooseRestore(typ RestoreType, name string) (string, error) {
	switch typ {
	case RestoreFromLatestSnapshot, RestoreFromCustomSnapshot, SkipRestoreFromSnapshot:
	default:
		return "", fmt.Errorf("%w: restore type %q", ErrInvalidRestore, typ)
	}
	if typ == RestoreFromCustomSnapshot && name == "" {
		return "", fmt.Errorf("%w: %s needs a snapshot name", ErrInvalidRestore, typ)
	}
	if typ == SkipRestoreFromSnapshot {
		return "", nil
	}
	all, err := s.ListSavepoints()
	if err != nil {
		return "", err
	}
	if len(all) == 0 {
		return "", nil // a first start: nothing to restore, whatever the type
	}
	if typ == RestoreFromCustomSnapshot {
		for _, m := range all {
			if m.SavepointName == name {
				return m.Ref(), nil
			}
		}
		return "", fmt.Errorf("%w: snapshot %q", ErrNotFound, name)
	}
	latest := all[0]
	for _, m := range all[1:] {
		if m.CreatedAt.After(latest.CreatedAt) || m.CreatedAt.Equal(latest.CreatedAt) && m.SavepointName > latest.SavepointName {
			latest = m
		}
	}
	return latest.Ref(), nil
}
