package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// CodeStore is the stand-in for the S3 buckets that hold code packages:
// objects of bytes under a bucket and a key. CreateApplication and
// UpdateApplication copy the object a configuration names; what happens to
// the object afterwards changes nothing until the next UpdateApplication.
type CodeStore interface {
	// Get returns a copy of the object, or an error matching ErrNoSuchKey.
	Get(bucket, key string) ([]byte, error)
	// Put stores data as the object, replacing it if it exists.
	Put(bucket, key string, data []byte) error
	// Delete removes the object; a missing one is not an error.
	Delete(bucket, key string) error
}

// ErrNoSuchKey is the error of a CodeStore that has no such object.
var ErrNoSuchKey = errors.New("lifecycle: no such object in the code store")

// MemCodeStore is a CodeStore in memory. Its zero value is empty and ready;
// it is safe for concurrent use.
type MemCodeStore struct {
	mu      sync.Mutex
	objects map[object][]byte
}

// object names an object of a MemCodeStore.
type object struct{ bucket, key string }

// Get implements CodeStore.
func (m *MemCodeStore) Get(bucket, key string) ([]byte, error) {
	if err := checkObjectName(bucket, key); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[object{bucket, key}]
	if !ok {
		return nil, fmt.Errorf("%w: s3://%s/%s", ErrNoSuchKey, bucket, key)
	}
	return append([]byte(nil), data...), nil
}

// Put implements CodeStore.
func (m *MemCodeStore) Put(bucket, key string, data []byte) error {
	if err := checkObjectName(bucket, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[object][]byte{}
	}
	m.objects[object{bucket, key}] = append([]byte(nil), data...)
	return nil
}

// Delete implements CodeStore.
func (m *MemCodeStore) Delete(bucket, key string) error {
	if err := checkObjectName(bucket, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, object{bucket, key})
	return nil
}

// DirCodeStore is a CodeStore in a directory: the object key of bucket is
// the file DIR/bucket/key, so a build can drop its package there with cp.
type DirCodeStore struct {
	// Dir is the directory holding one directory per bucket.
	Dir string
}

// Get implements CodeStore. It reads at most the largest code package the
// service accepts (50 MiB) and refuses a larger object.
func (d DirCodeStore) Get(bucket, key string) ([]byte, error) {
	p, err := d.path(bucket, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: s3://%s/%s (%s)", ErrNoSuchKey, bucket, key, p)
	}
	if err != nil {
		return nil, fmt.Errorf("lifecycle: code store: %w", err)
	}
	defer f.Close() // read only
	data, err := io.ReadAll(io.LimitReader(f, maxZipFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("lifecycle: code store: read %s: %w", p, err)
	}
	if len(data) > maxZipFileSize {
		return nil, fmt.Errorf("lifecycle: code store: %s is larger than %d bytes", p, maxZipFileSize)
	}
	return data, nil
}

// Put implements CodeStore.
func (d DirCodeStore) Put(bucket, key string, data []byte) error {
	p, err := d.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("lifecycle: code store: %w", err)
	}
	return os.WriteFile(p, data, 0o644)
}

// Delete implements CodeStore.
func (d DirCodeStore) Delete(bucket, key string) error {
	p, err := d.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lifecycle: code store: %w", err)
	}
	return nil
}

func (d DirCodeStore) path(bucket, key string) (string, error) {
	if err := checkObjectName(bucket, key); err != nil {
		return "", err
	}
	return filepath.Join(d.Dir, bucket, filepath.FromSlash(key)), nil
}

// checkObjectName refuses a bucket or key that could name a file outside
// the bucket's directory.
func checkObjectName(bucket, key string) error {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return fmt.Errorf("%w: bucket %q", ErrNoSuchKey, bucket)
	}
	if key == "" || !fs.ValidPath(key) || strings.Contains(key, `\`) {
		return fmt.Errorf("%w: key %q is not a local path", ErrNoSuchKey, key)
	}
	return nil
}

// bucketName returns the bucket a bucket ARN names: arn:aws:s3:::NAME.
func bucketName(arn string) (string, error) {
	const prefix = "arn:aws:s3:::"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", invalidArgument("BucketARN %q is not an S3 bucket ARN (%sBUCKET)", arn, prefix)
	}
	return name, nil
}
