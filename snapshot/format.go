package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// FormatVersion is the version of the on-disk format this package writes and reads.
const FormatVersion uint16 = 1

// DefaultMaxFileSize is the default bound on a file's payload, StoreOptions.MaxFileSize.
const DefaultMaxFileSize int64 = 1 << 30

// The envelope every file is wrapped in:
//
//	magic        4 bytes  "FSNP"
//	version      uint16   big-endian, FormatVersion
//	file type    1 byte   fileTypeData, fileTypeManifest or fileTypeRecord
//	length       uint64   big-endian, payload length
//	payload      length bytes
//	checksum     uint32   big-endian, CRC-32C (Castagnoli) of all the bytes before it
const (
	headerSize       = 4 + 2 + 1 + 8
	trailerSize      = 4
	envelopeOverhead = headerSize + trailerSize
)

var magic = [4]byte{'F', 'S', 'N', 'P'}

// fileType tells the files of a snapshot apart, so that one can never be read as the other.
type fileType byte

const (
	fileTypeData     fileType = 1
	fileTypeManifest fileType = 2
	fileTypeRecord   fileType = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeEnvelope writes payload in an envelope of type typ to w, without
// copying it, and returns the envelope's checksum.
func writeEnvelope(w io.Writer, typ fileType, payload []byte) (uint32, error) {
	var header [headerSize]byte
	copy(header[:4], magic[:])
	binary.BigEndian.PutUint16(header[4:6], FormatVersion)
	header[6] = byte(typ)
	binary.BigEndian.PutUint64(header[7:15], uint64(len(payload)))
	crc := crc32.Update(crc32.Checksum(header[:], castagnoli), castagnoli, payload)
	var trailer [trailerSize]byte
	binary.BigEndian.PutUint32(trailer[:], crc)
	for _, b := range [][]byte{header[:], payload, trailer[:]} {
		if _, err := w.Write(b); err != nil {
			return 0, err
		}
	}
	return crc, nil
}

// readEnvelope reads an envelope of type want, size bytes long, from r and
// returns its payload and checksum. It allocates no more than the payload
// length, and only after checking it against limit and against size. Invalid
// contents yield a *CorruptError or *VersionError naming path; read errors are
// returned as they are.
func readEnvelope(r io.Reader, size, limit int64, path string, want fileType) ([]byte, uint32, error) {
	corrupt := func(format string, args ...any) error {
		return &CorruptError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if size < envelopeOverhead {
		return nil, 0, corrupt("%d bytes is too short for an envelope of at least %d", size, envelopeOverhead)
	}
	var header [headerSize]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, 0, truncatedOr(err, path)
	}
	if [4]byte(header[:4]) != magic {
		return nil, 0, corrupt("bad magic %q", header[:4])
	}
	if v := binary.BigEndian.Uint16(header[4:6]); v != FormatVersion {
		return nil, 0, &VersionError{Path: path, Version: v}
	}
	length := binary.BigEndian.Uint64(header[7:15])
	if length > uint64(limit) {
		return nil, 0, corrupt("payload length %d exceeds the limit of %d bytes", length, limit)
	}
	if int64(length) != size-envelopeOverhead {
		return nil, 0, corrupt("payload length %d disagrees with file size %d", length, size)
	}
	buf := make([]byte, length+trailerSize)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, 0, truncatedOr(err, path)
	}
	payload, trailer := buf[:length:length], buf[length:]
	crc := crc32.Update(crc32.Checksum(header[:], castagnoli), castagnoli, payload)
	if stored := binary.BigEndian.Uint32(trailer); stored != crc {
		return nil, 0, corrupt("checksum mismatch: stored %08x, computed %08x", stored, crc)
	}
	if typ := fileType(header[6]); typ != want {
		return nil, 0, corrupt("file type %d, want %d", typ, want)
	}
	return payload, crc, nil
}

// truncatedOr turns an early end of file into a *CorruptError and returns other errors as they are.
func truncatedOr(err error, path string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &CorruptError{Path: path, Reason: "truncated", Err: err}
	}
	return err
}
