package snapshot

import (
	"fmt"
	"path"
)

// WriteRecord durably replaces the file name of fsys with payload, for a
// small catalog of one's own (the application service keeps its catalog so).
// The payload is wrapped in the envelope every file of this package has
// (magic, version, length, CRC-32C), written to a temporary file that is
// synced and renamed over name, and the directory is synced: after a crash,
// name holds either the old record or the new one, never a torn mix.
// The directory must exist.
func WriteRecord(fsys FS, name string, payload []byte) error {
	dir, base := path.Dir(name), path.Base(name)
	if _, err := writeFileAtomic(fsys, dir, base, fileTypeRecord, payload); err != nil {
		return fmt.Errorf("snapshot: write record %s: %w", name, err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("snapshot: write record %s: sync %s: %w", name, dir, err)
	}
	return nil
}

// ReadRecord reads a file written by WriteRecord. A payload longer than limit
// bytes (0 means DefaultMaxFileSize) or a file that fails its checks is a
// *CorruptError, found before anything is allocated for it; a missing file
// matches io/fs.ErrNotExist.
func ReadRecord(fsys FS, name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	payload, _, err := readEnvelopeFile(fsys, name, fileTypeRecord, limit)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read record %s: %w", name, err)
	}
	return payload, nil
}
