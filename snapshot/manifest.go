package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Kind tells checkpoints from savepoints.
type Kind string

// The kinds of snapshot.
const (
	// KindCheckpoint is a job-owned snapshot, identified by an int64 id. Older
	// checkpoints are deleted as newer ones are published.
	KindCheckpoint Kind = "checkpoint"
	// KindSavepoint is a user-owned snapshot, identified by a name, deleted
	// only by [Store.DeleteSavepoint].
	KindSavepoint Kind = "savepoint"
)

// FileInfo describes one file of a snapshot, as listed in its manifest.
type FileInfo struct {
	// Name is the file's name within the snapshot.
	Name string `json:"name"`
	// Size is the length of the file's contents (its payload), in bytes.
	Size int64 `json:"size"`
	// CRC32C is the checksum stored in the file's envelope: the CRC-32C
	// (Castagnoli) of the envelope header and the payload.
	CRC32C uint32 `json:"crc32c"`
}

// Manifest describes a published snapshot. It is written last, and a snapshot
// directory without a valid manifest is not a snapshot.
type Manifest struct {
	// FormatVersion is the format the snapshot was written in.
	FormatVersion uint16 `json:"format_version"`
	// Kind is KindCheckpoint or KindSavepoint.
	Kind Kind `json:"kind"`
	// CheckpointID identifies a checkpoint; it is zero for savepoints.
	CheckpointID int64 `json:"checkpoint_id,omitempty"`
	// SavepointName identifies a savepoint; it is empty for checkpoints.
	SavepointName string `json:"savepoint_name,omitempty"`
	// CreatedAt is when the snapshot was committed, in UTC, from StoreOptions.Clock.
	CreatedAt time.Time `json:"created_at"`
	// Props are the properties given to [Writer.Commit]; nil if there are none.
	Props map[string]string `json:"props,omitempty"`
	// Files lists the snapshot's files, sorted by name.
	Files []FileInfo `json:"files"`
}

// Ref returns a reference to the snapshot, such as
// "checkpoints/chk-00000000000000000042" or "savepoints/nightly": its
// directory relative to the store's root. [Store.Open] opens it.
func (m Manifest) Ref() string { return m.location().dir() }

// File returns the named file's entry, and whether the snapshot has it.
func (m Manifest) File(name string) (FileInfo, bool) {
	i, ok := slices.BinarySearchFunc(m.Files, name, func(f FileInfo, name string) int {
		return strings.Compare(f.Name, name)
	})
	if !ok {
		return FileInfo{}, false
	}
	return m.Files[i], true
}

// TotalSize returns the sum of the sizes of the snapshot's files.
func (m Manifest) TotalSize() int64 {
	var total int64
	for _, f := range m.Files {
		total += f.Size
	}
	return total
}

func (m Manifest) location() location {
	if m.Kind == KindCheckpoint {
		return checkpointAt(m.CheckpointID)
	}
	return savepointAt(m.SavepointName)
}

// clone returns a copy of m that shares no maps or slices with it.
func (m Manifest) clone() Manifest {
	m.Props = maps.Clone(m.Props)
	m.Files = slices.Clone(m.Files)
	return m
}

// validate checks that m is a manifest this package could have written.
func (m Manifest) validate() error {
	if m.FormatVersion != FormatVersion {
		return fmt.Errorf("format version %d, want %d", m.FormatVersion, FormatVersion)
	}
	switch m.Kind {
	case KindCheckpoint:
		if m.SavepointName != "" {
			return errors.New("checkpoint with a savepoint name")
		}
	case KindSavepoint:
		if m.CheckpointID != 0 {
			return errors.New("savepoint with a checkpoint id")
		}
	default:
		return fmt.Errorf("unknown kind %q", m.Kind)
	}
	if err := m.location().validate(); err != nil {
		return err
	}
	// JSON (RFC 3339) can hold only years 0 to 9999.
	if y := m.CreatedAt.Year(); y < 0 || y > 9999 || m.CreatedAt.Location() != time.UTC {
		return fmt.Errorf("creation time %v is not a UTC time in years 0 to 9999", m.CreatedAt)
	}
	if err := validateProps(m.Props); err != nil {
		return err
	}
	for i, f := range m.Files {
		if err := validateName("file name", f.Name); err != nil {
			return err
		}
		if f.Size < 0 {
			return fmt.Errorf("file %q has negative size %d", f.Name, f.Size)
		}
		if i > 0 && m.Files[i-1].Name >= f.Name {
			return fmt.Errorf("files %q and %q are out of order or repeated", m.Files[i-1].Name, f.Name)
		}
	}
	return nil
}

// encodeManifest validates m and encodes it as JSON.
func encodeManifest(m Manifest) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("invalid manifest: %w", err)
	}
	return json.Marshal(m)
}

// decodeManifest decodes and validates a JSON manifest. The caller bounds the
// payload's length; decoding allocates in proportion to it.
func decodeManifest(payload []byte) (Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Manifest{}, errors.New("data after the manifest")
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if len(m.Props) == 0 {
		m.Props = nil
	}
	if m.Files == nil {
		m.Files = []FileInfo{}
	}
	if err := m.validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}
