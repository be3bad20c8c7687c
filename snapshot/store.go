package snapshot

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Store keeps checkpoints and savepoints in an [FS]. It is safe for concurrent
// use. A directory must be used by one Store at a time: two processes, or two
// Stores over the same directory, would remove each other's snapshots in progress.
type Store struct {
	fs   FS
	opts StoreOptions
	mu   struct {
		sync.Mutex
		writing map[location]bool // snapshots with an open Writer
		kept    map[location]bool // checkpoints retention never removes
	}
}

// NewStore opens the store kept in fsys, creating its directories if needed,
// and runs [Store.Cleanup]. Invalid options are reported as errors.
func NewStore(fsys FS, opts StoreOptions) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{fs: fsys, opts: opts}
	s.mu.writing = map[location]bool{}
	s.mu.kept = map[location]bool{}
	for _, dir := range []string{checkpointsDir, savepointsDir} {
		if err := fsys.MkdirAll(dir); err != nil {
			return nil, withContext(err, "open store")
		}
	}
	if err := fsys.SyncDir("."); err != nil {
		return nil, withContext(err, "open store")
	}
	if err := s.Cleanup(); err != nil {
		return nil, err
	}
	return s, nil
}

// BeginCheckpoint starts writing checkpoint id, which must not be negative
// ([ErrInvalidName]) and must not exist or be in progress ([ErrExists]).
// The checkpoint becomes visible when [Writer.Commit] returns.
func (s *Store) BeginCheckpoint(id int64) (*Writer, error) {
	return s.begin(checkpointAt(id))
}

// BeginSavepoint starts writing the savepoint name, which must be valid
// ([ErrInvalidName]) and must not exist or be in progress ([ErrExists]).
// The savepoint becomes visible when [Writer.Commit] returns.
func (s *Store) BeginSavepoint(name string) (*Writer, error) {
	return s.begin(savepointAt(name))
}

func (s *Store) begin(loc location) (*Writer, error) {
	if err := loc.validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.writing[loc] {
		return nil, fmt.Errorf("%w: %s is being written", ErrExists, loc)
	}
	_, err := s.readManifest(loc)
	switch {
	case err == nil:
		return nil, fmt.Errorf("%w: %s", ErrExists, loc)
	case isUnreadable(err):
		return nil, fmt.Errorf("%w: %s, with an unreadable manifest: %v", ErrExists, loc, err)
	case !isNotExist(err):
		return nil, withContext(err, "begin %s", loc)
	}
	// Any directory left without a manifest is an incomplete write: start afresh.
	dir := loc.dir()
	if err := s.fs.RemoveAll(dir); err != nil {
		return nil, withContext(err, "begin %s", loc)
	}
	if err := s.fs.MkdirAll(dir); err != nil {
		return nil, withContext(err, "begin %s", loc)
	}
	if err := s.fs.SyncDir(loc.parent()); err != nil {
		return nil, withContext(err, "begin %s", loc)
	}
	s.mu.writing[loc] = true
	return newWriter(s, loc), nil
}

// endWrite forgets the Writer of loc.
func (s *Store) endWrite(loc location) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mu.writing, loc)
}

// Latest opens the complete checkpoint with the highest id. Checkpoints whose
// manifest is missing, corrupt or of an incompatible version are passed over.
// It returns [ErrNotFound] if there is no complete checkpoint.
func (s *Store) Latest() (*Reader, error) {
	ids, err := s.checkpointIDs()
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Backward(ids) {
		loc := checkpointAt(id)
		m, err := s.readManifest(loc)
		switch {
		case err == nil:
			return s.newReader(loc, m), nil
		case isNotExist(err) || isUnreadable(err):
			continue
		default:
			return nil, withContext(err, "open %s", loc)
		}
	}
	return nil, fmt.Errorf("%w: no complete checkpoint", ErrNotFound)
}

// ListCheckpoints returns the manifests of the complete checkpoints, by
// increasing id. Incomplete or unreadable checkpoints are left out.
func (s *Store) ListCheckpoints() ([]Manifest, error) {
	ids, err := s.checkpointIDs()
	if err != nil {
		return nil, err
	}
	locs := make([]location, len(ids))
	for i, id := range ids {
		locs[i] = checkpointAt(id)
	}
	return s.list(locs)
}

// ListSavepoints returns the manifests of the complete savepoints, by name.
// Incomplete or unreadable savepoints are left out.
func (s *Store) ListSavepoints() ([]Manifest, error) {
	names, err := s.savepointNames()
	if err != nil {
		return nil, err
	}
	locs := make([]location, len(names))
	for i, name := range names {
		locs[i] = savepointAt(name)
	}
	return s.list(locs)
}

func (s *Store) list(locs []location) ([]Manifest, error) {
	manifests := []Manifest{}
	for _, loc := range locs {
		m, err := s.readManifest(loc)
		switch {
		case err == nil:
			manifests = append(manifests, m)
		case isNotExist(err) || isUnreadable(err):
		default:
			return nil, withContext(err, "list %s", loc)
		}
	}
	return manifests, nil
}

// OpenCheckpoint opens checkpoint id. It returns [ErrNotFound] if the
// checkpoint is not complete, a [*CorruptError] or [*VersionError] if its
// manifest cannot be read.
func (s *Store) OpenCheckpoint(id int64) (*Reader, error) {
	return s.open(checkpointAt(id))
}

// OpenSavepoint opens the savepoint name, with the errors of [Store.OpenCheckpoint].
func (s *Store) OpenSavepoint(name string) (*Reader, error) {
	return s.open(savepointAt(name))
}

// Open opens the snapshot a reference names, as returned by [Manifest.Ref]:
// "checkpoints/chk-<20 digits>" or "savepoints/<name>". A malformed reference
// yields [ErrInvalidName]; otherwise Open fails as [Store.OpenCheckpoint] does.
func (s *Store) Open(ref string) (*Reader, error) {
	loc, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	return s.open(loc)
}

func (s *Store) open(loc location) (*Reader, error) {
	if err := loc.validate(); err != nil {
		return nil, err
	}
	m, err := s.readManifest(loc)
	if isNotExist(err) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, loc)
	}
	if err != nil {
		return nil, withContext(err, "open %s", loc)
	}
	return s.newReader(loc, m), nil
}

// DeleteCheckpoint deletes checkpoint id, even if it is corrupt. It returns
// [ErrNotFound] if there is no such checkpoint, or only one still being written.
// The manifest is removed first, durably: if DeleteCheckpoint fails after
// that, the checkpoint is gone and [Store.Cleanup] removes the rest.
func (s *Store) DeleteCheckpoint(id int64) error {
	return s.delete(checkpointAt(id))
}

// DeleteSavepoint deletes the savepoint name, with the errors of [Store.DeleteCheckpoint].
func (s *Store) DeleteSavepoint(name string) error {
	return s.delete(savepointAt(name))
}

func (s *Store) delete(loc location) error {
	if err := loc.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.writing[loc] {
		return fmt.Errorf("%w: %s is still being written", ErrNotFound, loc)
	}
	if _, err := s.fs.Size(loc.file(manifestName)); err != nil {
		if isNotExist(err) {
			return fmt.Errorf("%w: %s", ErrNotFound, loc)
		}
		return withContext(err, "delete %s", loc)
	}
	return s.removeSnapshot(loc)
}

// Cleanup removes the directories of incomplete snapshots — left by a crash,
// or by a failed Commit or Abort — and checkpoints beyond
// StoreOptions.RetainedCheckpoints. Snapshots being written by this Store are
// left alone, and so are savepoints with an unreadable manifest (they may
// come from a newer version of this package). [NewStore] runs Cleanup, and a
// checkpoint's Commit runs it for checkpoints; call it to retry after an error.
func (s *Store) Cleanup() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.cleanupCheckpointsLocked(), s.cleanupSavepointsLocked())
}

func (s *Store) cleanupCheckpoints() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cleanupCheckpointsLocked()
}

// Keep exempts the checkpoint ref names from retention in this Store: newer
// checkpoints never remove it (as a job restored from it in Flink's
// NO_CLAIM mode leaves it to its owner). [Store.DeleteCheckpoint] still
// can. A reference that is not a checkpoint's yields [ErrInvalidName].
func (s *Store) Keep(ref string) error {
	loc, err := parseRef(ref)
	if err != nil {
		return err
	}
	if loc.kind != KindCheckpoint {
		return fmt.Errorf("%w: %q is not a checkpoint (savepoints are never removed)", ErrInvalidName, ref)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.kept[loc] = true
	return nil
}

// cleanupCheckpointsLocked removes incomplete checkpoints, then every checkpoint
// (complete or unreadable) older than the RetainedCheckpoints newest complete
// ones, except those kept (Keep).
func (s *Store) cleanupCheckpointsLocked() error {
	ids, err := s.checkpointIDs()
	if err != nil {
		return err
	}
	var complete, old []location
	for _, id := range ids {
		loc := checkpointAt(id)
		if s.mu.writing[loc] {
			continue
		}
		_, err := s.readManifest(loc)
		switch {
		case err == nil:
			complete = append(complete, loc)
			old = append(old, loc)
		case isNotExist(err):
			if err := s.removeSnapshot(loc); err != nil {
				return err
			}
		case isUnreadable(err):
			old = append(old, loc)
		default:
			return withContext(err, "clean up %s", loc)
		}
	}
	if len(complete) <= s.opts.RetainedCheckpoints {
		return nil
	}
	oldestKept := complete[len(complete)-s.opts.RetainedCheckpoints].id
	for _, loc := range old {
		if loc.id < oldestKept && !s.mu.kept[loc] {
			if err := s.removeSnapshot(loc); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanupSavepointsLocked removes incomplete savepoints.
func (s *Store) cleanupSavepointsLocked() error {
	names, err := s.savepointNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		loc := savepointAt(name)
		if s.mu.writing[loc] {
			continue
		}
		_, err := s.readManifest(loc)
		switch {
		case err == nil || isUnreadable(err):
		case isNotExist(err):
			if err := s.removeSnapshot(loc); err != nil {
				return err
			}
		default:
			return withContext(err, "clean up %s", loc)
		}
	}
	return nil
}

// removeSnapshot removes a snapshot's directory, crash-safely: the manifest
// goes first, durably, so that a crash never leaves a manifest without its files.
func (s *Store) removeSnapshot(loc location) error {
	dir := loc.dir()
	if err := s.fs.Remove(loc.file(manifestName)); err != nil && !isNotExist(err) {
		return withContext(err, "remove %s", loc)
	}
	if err := s.fs.SyncDir(dir); err != nil && !isNotExist(err) {
		return withContext(err, "remove %s", loc)
	}
	if err := s.fs.RemoveAll(dir); err != nil {
		return withContext(err, "remove %s", loc)
	}
	if err := s.fs.SyncDir(loc.parent()); err != nil {
		return withContext(err, "remove %s", loc)
	}
	return nil
}

// checkpointIDs returns the ids of the checkpoint directories, increasing.
func (s *Store) checkpointIDs() ([]int64, error) {
	names, err := s.fs.ReadDir(checkpointsDir)
	if err != nil {
		return nil, withContext(err, "list checkpoints")
	}
	var ids []int64
	for _, name := range names {
		if id, ok := parseCheckpointDirName(name); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// savepointNames returns the names of the savepoint directories, sorted.
func (s *Store) savepointNames() ([]string, error) {
	names, err := s.fs.ReadDir(savepointsDir)
	if err != nil {
		return nil, withContext(err, "list savepoints")
	}
	var valid []string
	for _, name := range names {
		if validateName("savepoint name", name) == nil {
			valid = append(valid, name)
		}
	}
	return valid, nil
}

// readManifest reads and validates the manifest of loc. A missing manifest
// yields an error matching [io/fs.ErrNotExist].
func (s *Store) readManifest(loc location) (Manifest, error) {
	path := loc.file(manifestName)
	payload, _, err := readEnvelopeFile(s.fs, path, fileTypeManifest, s.opts.MaxFileSize)
	if err != nil {
		return Manifest{}, err
	}
	m, err := decodeManifest(payload)
	if err != nil {
		return Manifest{}, &CorruptError{Path: path, Reason: "invalid manifest: " + err.Error()}
	}
	if got := m.location(); got != loc {
		return Manifest{}, &CorruptError{Path: path, Reason: fmt.Sprintf("manifest describes %s", got)}
	}
	return m, nil
}

// isUnreadable reports whether err says a file exists but cannot be read as valid.
func isUnreadable(err error) bool {
	return errors.Is(err, ErrCorrupt) || errors.Is(err, ErrIncompatibleVersion)
}

// withContext wraps err with what was being done, unless it is a
// [*CorruptError] or [*VersionError], which already name their file.
func withContext(err error, format string, args ...any) error {
	if isUnreadable(err) {
		return err
	}
	return fmt.Errorf("snapshot: %s: %w", fmt.Sprintf(format, args...), err)
}
