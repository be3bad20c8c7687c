package snapshot

import (
	"fmt"
)

// Reader reads a published snapshot. Open one with [Store.Latest],
// [Store.OpenCheckpoint], [Store.OpenSavepoint] or [Store.Open]. It holds no
// open files and is safe for concurrent use.
type Reader struct {
	fs          FS
	loc         location
	manifest    Manifest
	maxFileSize int64
}

func (s *Store) newReader(loc location, m Manifest) *Reader {
	return &Reader{fs: s.fs, loc: loc, manifest: m, maxFileSize: s.opts.MaxFileSize}
}

// Manifest returns the snapshot's manifest.
func (r *Reader) Manifest() Manifest { return r.manifest.clone() }

// ReadFile returns the contents of the named file, after checking its
// envelope and that its size and checksum match the manifest. It returns
// [ErrNotFound] if the manifest does not list name, a [*CorruptError] naming
// the file if it is missing or fails a check, a [*VersionError] if its format
// version is unknown.
func (r *Reader) ReadFile(name string) ([]byte, error) {
	info, ok := r.manifest.File(name)
	if !ok {
		return nil, fmt.Errorf("%w: file %q in %s", ErrNotFound, name, r.loc)
	}
	path := r.loc.file(name)
	data, crc, err := readEnvelopeFile(r.fs, path, fileTypeData, r.maxFileSize)
	switch {
	case isNotExist(err):
		return nil, &CorruptError{Path: path, Reason: "listed in the manifest but missing", Err: err}
	case err != nil:
		return nil, withContext(err, "read file %q of %s", name, r.loc)
	case int64(len(data)) != info.Size:
		return nil, &CorruptError{Path: path, Reason: fmt.Sprintf("size %d, manifest says %d", len(data), info.Size)}
	case crc != info.CRC32C:
		return nil, &CorruptError{Path: path, Reason: fmt.Sprintf("checksum %08x, manifest says %08x", crc, info.CRC32C)}
	}
	return data, nil
}

// Verify reads every file of the snapshot and returns the first error
// [Reader.ReadFile] reports, if any.
func (r *Reader) Verify() error {
	for _, f := range r.manifest.Files {
		if _, err := r.ReadFile(f.Name); err != nil {
			return err
		}
	}
	return nil
}

// readEnvelopeFile reads the file at path, an envelope of type want, and
// returns its payload and checksum.
func readEnvelopeFile(fsys FS, path string, want fileType, limit int64) ([]byte, uint32, error) {
	size, err := fsys.Size(path)
	if err != nil {
		return nil, 0, err
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close() // read-only: nothing to lose
	return readEnvelope(f, size, limit, path, want)
}
