package snapshot

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func encodeEnvelope(t testing.TB, typ fileType, payload []byte) []byte {
	var buf bytes.Buffer
	_, err := writeEnvelope(&buf, typ, payload)
	require.NoError(t, err)
	return buf.Bytes()
}

func decodeEnvelope(data []byte, limit int64, want fileType) ([]byte, uint32, error) {
	return readEnvelope(bytes.NewReader(data), int64(len(data)), limit, "f", want)
}

// resealed returns data with its checksum recomputed, so that only the field changed is wrong.
func resealed(data []byte) []byte {
	n := len(data) - trailerSize
	binary.BigEndian.PutUint32(data[n:], crc32.Checksum(data[:n], castagnoli))
	return data
}

func TestEnvelopeRoundTrip(t *testing.T) {
	for _, payload := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("payload"), 1000)} {
		for _, typ := range []fileType{fileTypeData, fileTypeManifest} {
			data := encodeEnvelope(t, typ, payload)
			require.Len(t, data, envelopeOverhead+len(payload))
			assert.Equal(t, []byte("FSNP\x00\x01"), data[:6])
			got, crc, err := decodeEnvelope(data, DefaultMaxFileSize, typ)
			require.NoError(t, err)
			assert.Equal(t, len(payload), len(got))
			assert.True(t, bytes.Equal(payload, got))
			assert.Equal(t, binary.BigEndian.Uint32(data[len(data)-4:]), crc)
		}
	}
}

func TestReadEnvelopeRejects(t *testing.T) {
	valid := func() []byte { return encodeEnvelope(t, fileTypeData, []byte("hello, world")) }
	tests := []struct {
		name    string
		data    []byte
		limit   int64
		reason  string
		version bool
	}{
		{name: "empty", data: nil, reason: "too short"},
		{name: "header only", data: valid()[:headerSize], reason: "too short"},
		{name: "truncated payload", data: valid()[:len(valid())-5], reason: "disagrees with file size"},
		{name: "trailing byte", data: append(valid(), 0), reason: "disagrees with file size"},
		{name: "bad magic", data: func() []byte { d := valid(); d[0] = 'X'; return d }(), reason: "bad magic"},
		{name: "version 2", data: resealed(func() []byte { d := valid(); d[5] = 2; return d }()), version: true},
		{name: "version 0", data: resealed(func() []byte { d := valid(); d[5] = 0; return d }()), version: true},
		{name: "length over limit", data: valid(), limit: 5, reason: "exceeds the limit"},
		{name: "flipped payload", data: func() []byte { d := valid(); d[headerSize] ^= 1; return d }(), reason: "checksum mismatch"},
		{name: "flipped checksum", data: func() []byte { d := valid(); d[len(d)-1] ^= 0x80; return d }(), reason: "checksum mismatch"},
		{name: "manifest type", data: resealed(func() []byte { d := valid(); d[6] = byte(fileTypeManifest); return d }()), reason: "file type"},
		{name: "huge length", data: func() []byte { d := valid(); binary.BigEndian.PutUint64(d[7:], 1<<63); return d }(), reason: "exceeds the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.limit
			if limit == 0 {
				limit = DefaultMaxFileSize
			}
			_, _, err := decodeEnvelope(tt.data, limit, fileTypeData)
			if tt.version {
				var verr *VersionError
				require.ErrorAs(t, err, &verr)
				require.ErrorIs(t, err, ErrIncompatibleVersion)
				assert.Equal(t, "f", verr.Path)
				return
			}
			var corrupt *CorruptError
			require.ErrorAs(t, err, &corrupt)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Equal(t, "f", corrupt.Path)
			assert.Contains(t, corrupt.Reason, tt.reason)
		})
	}
}

// TestReadEnvelopeAllocatesNoMoreThanPresent checks that a length field of
// 2^50, within a limit of 2^60, is refused before any allocation.
func TestReadEnvelopeAllocatesNoMoreThanPresent(t *testing.T) {
	data := encodeEnvelope(t, fileTypeData, []byte("small"))
	binary.BigEndian.PutUint64(data[7:], 1<<50)
	resealed(data)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := decodeEnvelope(data, 1<<60, fileTypeData)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, payload := range []string{"", "x", "hello, world", `{"format_version":1}`} {
		f.Add(encodeEnvelope(f, fileTypeData, []byte(payload)))
		f.Add(encodeEnvelope(f, fileTypeManifest, []byte(payload)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 16
		inputs := [][]byte{data}
		if len(data) >= envelopeOverhead {
			// With a valid checksum too, to reach the checks after it.
			inputs = append(inputs, resealed(bytes.Clone(data)))
		}
		for _, data := range inputs {
			checkDecodeEnvelope(t, data, limit)
		}
	})
}

// checkDecodeEnvelope checks that data either fails to decode as corrupt or of
// another version, or decodes to a payload that encodes back to data.
func checkDecodeEnvelope(t *testing.T, data []byte, limit int64) {
	t.Helper()
	for _, typ := range []fileType{fileTypeData, fileTypeManifest} {
		payload, crc, err := decodeEnvelope(data, limit, typ)
		if err != nil {
			if !isUnreadable(err) {
				t.Fatalf("error is neither corrupt nor version: %v", err)
			}
			continue
		}
		// A decoded envelope is exactly what encoding its payload gives.
		var buf bytes.Buffer
		gotCRC, err := writeEnvelope(&buf, typ, payload)
		if err != nil || gotCRC != crc || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("re-encoding differs: crc %08x vs %08x, err %v", gotCRC, crc, err)
		}
	}
}
