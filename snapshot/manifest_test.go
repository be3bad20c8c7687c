package snapshot

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validManifest() Manifest {
	return Manifest{
		FormatVersion: FormatVersion,
		Kind:          KindCheckpoint,
		CheckpointID:  42,
		CreatedAt:     testTime,
		Props:         map[string]string{"job": "wordcount"},
		Files: []FileInfo{
			{Name: "a", Size: 3, CRC32C: 0xdeadbeef},
			{Name: "b", Size: 0, CRC32C: 1},
		},
	}
}

func TestManifestRoundTrip(t *testing.T) {
	savepoint := validManifest()
	savepoint.Kind, savepoint.CheckpointID, savepoint.SavepointName = KindSavepoint, 0, "nightly"
	empty := validManifest()
	empty.Props, empty.Files = nil, []FileInfo{}
	for _, m := range []Manifest{validManifest(), savepoint, empty} {
		payload, err := encodeManifest(m)
		require.NoError(t, err)
		got, err := decodeManifest(payload)
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
}

func TestManifestAccessors(t *testing.T) {
	m := validManifest()
	f, ok := m.File("a")
	assert.True(t, ok)
	assert.Equal(t, FileInfo{Name: "a", Size: 3, CRC32C: 0xdeadbeef}, f)
	_, ok = m.File("c")
	assert.False(t, ok)
	assert.Equal(t, int64(3), m.TotalSize())
	assert.Equal(t, "checkpoints/chk-00000000000000000042", m.Ref())
}

func TestDecodeManifestRejects(t *testing.T) {
	valid := `{"format_version":1,"kind":"checkpoint","checkpoint_id":1,"created_at":"2025-06-01T12:00:00Z","files":[{"name":"a","size":1,"crc32c":2}]}`
	tests := []struct{ name, json, reason string }{
		{"not JSON", `nope`, "invalid character"},
		{"empty", ``, "EOF"},
		{"unknown field", strings.Replace(valid, `"kind"`, `"color":"red","kind"`, 1), "unknown field"},
		{"trailing data", valid + `{}`, "data after the manifest"},
		{"wrong version", strings.Replace(valid, `"format_version":1`, `"format_version":2`, 1), "format version"},
		{"unknown kind", strings.Replace(valid, `"checkpoint"`, `"backup"`, 1), "unknown kind"},
		{"negative id", strings.Replace(valid, `"checkpoint_id":1`, `"checkpoint_id":-1`, 1), "negative"},
		{"checkpoint with name", strings.Replace(valid, `"checkpoint_id":1`, `"savepoint_name":"x"`, 1), "savepoint name"},
		{"savepoint with id", strings.Replace(valid, `"checkpoint"`, `"savepoint"`, 1), "checkpoint id"},
		{"savepoint without name", strings.Replace(valid, `"kind":"checkpoint","checkpoint_id":1`, `"kind":"savepoint"`, 1), "empty"},
		{"escaping file name", strings.Replace(valid, `"name":"a"`, `"name":"../a"`, 1), "path separator"},
		{"negative size", strings.Replace(valid, `"size":1`, `"size":-1`, 1), "negative size"},
		{"huge size", strings.Replace(valid, `"size":1`, `"size":1e300`, 1), "cannot unmarshal"},
		{"repeated file", strings.Replace(valid, `]}`, `,{"name":"a","size":1,"crc32c":2}]}`, 1), "out of order or repeated"},
		{"unsorted files", strings.Replace(valid, `]}`, `,{"name":"0","size":1,"crc32c":2}]}`, 1), "out of order or repeated"},
		{"bad time", strings.Replace(valid, `2025-06-01T12:00:00Z`, `yesterday`, 1), "cannot parse"},
		{"time out of range", strings.Replace(valid, `2025-06-01T12:00:00Z`, `9999-12-31T23:59:59-23:00`, 1), "years 0 to 9999"},
		{"empty property key", strings.Replace(valid, `"files"`, `"props":{"":"v"},"files"`, 1), "empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeManifest([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
	_, err := decodeManifest([]byte(valid))
	require.NoError(t, err, "the template itself is valid")
}

func TestEncodeManifestRejectsABadClock(t *testing.T) {
	m := validManifest()
	m.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := encodeManifest(m)
	require.Error(t, err)
}

func FuzzDecodeManifest(f *testing.F) {
	savepoint := validManifest()
	savepoint.Kind, savepoint.CheckpointID, savepoint.SavepointName = KindSavepoint, 0, "nightly"
	for _, m := range []Manifest{validManifest(), savepoint} {
		payload, err := encodeManifest(m)
		require.NoError(f, err)
		f.Add(payload)
	}
	f.Add([]byte(`{"format_version":1,"kind":"savepoint","savepoint_name":"ü","created_at":"0001-01-01T00:00:00+01:00","props":{"\u0000":"\ud800"},"files":null}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := decodeManifest(payload)
		if err != nil {
			return
		}
		// What decodes re-encodes, and decodes to the same manifest.
		encoded, err := encodeManifest(m)
		if err != nil {
			t.Fatalf("decoded manifest does not encode: %v\n%#v", err, m)
		}
		m2, err := decodeManifest(encoded)
		if err != nil {
			t.Fatalf("re-encoded manifest does not decode: %v\n%s", err, encoded)
		}
		encoded2, err := encodeManifest(m2)
		if err != nil || !bytes.Equal(encoded, encoded2) || !m.CreatedAt.Equal(m2.CreatedAt) {
			t.Fatalf("round trip differs:\n%s\n%s", encoded, encoded2)
		}
	})
}
