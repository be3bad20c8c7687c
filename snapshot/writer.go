package snapshot

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
)

// Writer writes one snapshot. Create it with [Store.BeginCheckpoint] or
// [Store.BeginSavepoint], add files with WriteFile, then publish with Commit
// or give up with Abort. Until Commit returns, the snapshot is invisible, and
// a crash leaves an incomplete directory that [Store.Cleanup] removes.
type Writer struct {
	store *Store
	loc   location
	mu    struct {
		sync.Mutex
		files   map[string]FileInfo // written
		writing map[string]bool     // being written
		closed  bool                // committed or aborted
	}
}

func newWriter(s *Store, loc location) *Writer {
	w := &Writer{store: s, loc: loc}
	w.mu.files = map[string]FileInfo{}
	w.mu.writing = map[string]bool{}
	return w
}

// WriteFile writes a file of the snapshot, durably, under a temporary name
// that it then renames to name. It may be called concurrently for different
// names; data is not modified, and not retained after WriteFile returns. Errors: [ErrInvalidName], [ErrTooLarge] (over StoreOptions.MaxFileSize),
// [ErrExists] if name was already written, [ErrClosed] after Commit or Abort,
// or the filesystem's error; after a filesystem error the name may be written again.
func (w *Writer) WriteFile(name string, data []byte) error {
	if err := validateName("file name", name); err != nil {
		return err
	}
	if limit := w.store.opts.MaxFileSize; int64(len(data)) > limit {
		return fmt.Errorf("%w: file %q of %s has %d bytes, the limit is %d", ErrTooLarge, name, w.loc, len(data), limit)
	}
	if err := w.reserve(name); err != nil {
		return err
	}
	crc, err := writeFileAtomic(w.store.fs, w.loc.dir(), name, fileTypeData, data)
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.mu.writing, name)
	if err != nil {
		return fmt.Errorf("snapshot: write file %q of %s: %w", name, w.loc, err)
	}
	w.mu.files[name] = FileInfo{Name: name, Size: int64(len(data)), CRC32C: crc}
	return nil
}

// reserve marks name as being written.
func (w *Writer) reserve(name string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mu.closed {
		return fmt.Errorf("%w: %s", ErrClosed, w.loc)
	}
	if _, ok := w.mu.files[name]; ok || w.mu.writing[name] {
		return fmt.Errorf("%w: file %q of %s", ErrExists, name, w.loc)
	}
	w.mu.writing[name] = true
	return nil
}

// Commit publishes the snapshot with the given properties (copied; may be
// nil) and returns its manifest. It makes the files' names durable, then
// writes the manifest the same way as a file, last, so that after a crash the
// snapshot is either complete or absent. Publishing a checkpoint deletes the
// checkpoints beyond StoreOptions.RetainedCheckpoints, as [Store.Cleanup] does
// (best effort: a failure there does not fail Commit and is retried later).
//
// If Commit fails, the snapshot is not published and its directory is
// removed. Invalid properties ([ErrInvalidProperty]) and a Commit while
// WriteFile calls are in progress are refused with the Writer still open;
// after Commit or Abort, Commit returns [ErrClosed].
func (w *Writer) Commit(props map[string]string) (Manifest, error) {
	if err := validateProps(props); err != nil {
		return Manifest{}, err
	}
	files, err := w.close()
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{
		FormatVersion: FormatVersion,
		Kind:          w.loc.kind,
		CheckpointID:  w.loc.id,
		SavepointName: w.loc.name,
		CreatedAt:     w.store.opts.Clock().UTC(),
		Files:         files,
	}
	if len(props) > 0 {
		m.Props = maps.Clone(props)
	}
	s := w.store
	if err := w.publish(m); err != nil {
		removeErr := s.removeSnapshot(w.loc)
		s.endWrite(w.loc)
		return Manifest{}, errors.Join(withContext(err, "commit %s", w.loc), removeErr)
	}
	s.endWrite(w.loc)
	if w.loc.kind == KindCheckpoint {
		_ = s.cleanupCheckpoints() // best effort, see above
	}
	return m, nil
}

// close marks the Writer closed for Commit and returns its files, sorted.
func (w *Writer) close() ([]FileInfo, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mu.closed {
		return nil, fmt.Errorf("%w: %s", ErrClosed, w.loc)
	}
	if len(w.mu.writing) > 0 {
		return nil, fmt.Errorf("snapshot: commit %s: %d WriteFile calls in progress", w.loc, len(w.mu.writing))
	}
	w.mu.closed = true
	return slices.SortedFunc(maps.Values(w.mu.files), func(a, b FileInfo) int {
		return strings.Compare(a.Name, b.Name)
	}), nil
}

// publish makes the written files durable under their names, then writes the manifest.
func (w *Writer) publish(m Manifest) error {
	fsys, dir, limit := w.store.fs, w.loc.dir(), w.store.opts.MaxFileSize
	if err := fsys.SyncDir(dir); err != nil {
		return err
	}
	payload, err := encodeManifest(m)
	if err != nil {
		return err
	}
	if int64(len(payload)) > limit {
		return fmt.Errorf("%w: manifest has %d bytes, the limit is %d", ErrTooLarge, len(payload), limit)
	}
	if _, err := writeFileAtomic(fsys, dir, manifestName, fileTypeManifest, payload); err != nil {
		return err
	}
	return fsys.SyncDir(dir)
}

// Abort abandons the snapshot and removes its directory. After Commit, or a
// second time, it does nothing and returns nil, so it can be deferred.
func (w *Writer) Abort() error {
	w.mu.Lock()
	if w.mu.closed {
		w.mu.Unlock()
		return nil
	}
	w.mu.closed = true
	w.mu.Unlock()
	err := w.store.removeSnapshot(w.loc)
	w.store.endWrite(w.loc)
	return err
}

// writeFileAtomic writes payload in an envelope of type typ to a temporary
// file in dir, syncs and closes it, then renames it to name. It returns the
// envelope's checksum. The rename is durable after the next SyncDir of dir.
func writeFileAtomic(fsys FS, dir, name string, typ fileType, payload []byte) (uint32, error) {
	tmp, final := path.Join(dir, "."+name+".tmp"), path.Join(dir, name)
	f, err := fsys.Create(tmp)
	if err != nil {
		return 0, err
	}
	crc, err := writeEnvelope(f, typ, payload)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = fsys.Rename(tmp, final)
	}
	if err != nil {
		_ = fsys.Remove(tmp) // best effort: Abort or Cleanup removes the directory anyway
		return 0, err
	}
	return crc, nil
}
