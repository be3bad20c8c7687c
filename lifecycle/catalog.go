package lifecycle

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/flinksim/go-flinksim/snapshot"
)

// The catalog's layout in its filesystem:
//
//	lock               held by the Service that uses the directory
//	catalog/NAME.app   one record per application (snapshot.WriteRecord)
//	code/MD5.code      the service's copies of code packages, by MD5
//	apps/NAME/         the application's snapshot store: checkpoints and
//	                   snapshots (savepoints)
const (
	lockFile   = "lock"
	catalogDir = "catalog"
	codeDir    = "code"
	appsDir    = "apps"
	appSuffix  = ".app"
	codeSuffix = ".code"
)

// ErrCorruptCatalog is why New refuses a catalog file that fails its checks.
var ErrCorruptCatalog = errors.New("lifecycle: corrupt catalog")

func (s *Service) persist(r *appRecord) error {
	data, err := encodeRecord(r)
	if err != nil {
		return fmt.Errorf("lifecycle: catalog: %w", err)
	}
	if err := snapshot.WriteRecord(s.fs, path.Join(catalogDir, r.Name+appSuffix), data); err != nil {
		return fmt.Errorf("lifecycle: catalog: %w", err)
	}
	return nil
}

func (s *Service) unpersist(name string) error {
	if err := s.fs.Remove(path.Join(catalogDir, name+appSuffix)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lifecycle: catalog: %w", err)
	}
	if err := s.fs.SyncDir(catalogDir); err != nil {
		return fmt.Errorf("lifecycle: catalog: %w", err)
	}
	return s.fs.RemoveAll(path.Join(appsDir, name))
}

// load reads every application record.
func (s *Service) load() error {
	names, err := s.fs.ReadDir(catalogDir)
	if err != nil {
		return fmt.Errorf("lifecycle: catalog: %w", err)
	}
	for _, n := range names {
		if !strings.HasSuffix(n, appSuffix) || strings.HasPrefix(n, ".") {
			continue // a temporary file of a write the crash interrupted
		}
		p := path.Join(catalogDir, n)
		data, err := snapshot.ReadRecord(s.fs, p, maxCatalogRecord)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorruptCatalog, p, err)
		}
		rec, err := decodeRecord(data)
		if err == nil && rec.Name+appSuffix != n {
			err = fmt.Errorf("holds application %q", rec.Name)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorruptCatalog, p, err)
		}
		a, err := s.openApp(rec)
		if err != nil {
			return err
		}
		s.apps[rec.Name] = a
	}
	for _, a := range s.sortedApps() {
		if err := s.recover(a); err != nil {
			return err
		}
	}
	return nil
}

// openApp opens the snapshot store of an application.
func (s *Service) openApp(rec *appRecord) (*app, error) {
	dir := path.Join(appsDir, rec.Name)
	if err := s.fs.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	if err := s.fs.SyncDir(appsDir); err != nil {
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	store, err := snapshot.NewStore(subFS{s.fs, dir}, snapshot.StoreOptions{Clock: s.now})
	if err != nil {
		return nil, fmt.Errorf("lifecycle: application %s: %w", rec.Name, err)
	}
	return &app{rec: rec, store: store, changed: make(chan struct{})}, nil
}

// copyCode keeps a copy of a code package and returns its description.
func (s *Service) copyCode(data []byte, loc *S3ContentLocation) (codeCopy, error) {
	sum := md5.Sum(data)
	c := codeCopy{MD5: hex.EncodeToString(sum[:]), Size: int64(len(data)), Location: cloneLocation(loc)}
	c.Builder, _ = parseCodePackage(data) // a bad package is accepted, and fails at start
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	if _, err := s.readCode(c); err != nil { // not kept already, by content
		if err := snapshot.WriteRecord(s.fs, path.Join(codeDir, c.MD5+codeSuffix), data); err != nil {
			return codeCopy{}, fmt.Errorf("lifecycle: catalog: %w", err)
		}
	}
	s.pending[c.MD5]++
	return c, nil
}

// releaseCode says that the copy md5 a create or update took is in a
// version now, or not needed: collectCode may judge it.
func (s *Service) releaseCode(md5 string) {
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	if s.pending[md5]--; s.pending[md5] <= 0 {
		delete(s.pending, md5)
	}
}

// readCode returns the service's copy of a code package, checked against
// its MD5.
func (s *Service) readCode(c codeCopy) ([]byte, error) {
	data, err := snapshot.ReadRecord(s.fs, path.Join(codeDir, c.MD5+codeSuffix), maxZipFileSize)
	if err != nil {
		return nil, fmt.Errorf("%w: code copy %s: %w", ErrCorruptCatalog, c.MD5, err)
	}
	if sum := md5.Sum(data); hex.EncodeToString(sum[:]) != c.MD5 {
		return nil, fmt.Errorf("%w: code copy %s: its MD5 is %x", ErrCorruptCatalog, c.MD5, sum)
	}
	return data, nil
}

// collectCode removes the code copies no version of any application
// uses, nor a create or update in progress; under s.mu.
func (s *Service) collectCode() {
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	used := map[string]bool{}
	for md5 := range s.pending {
		used[md5+codeSuffix] = true
	}
	for _, a := range s.apps {
		for _, v := range a.rec.Versions {
			used[v.Config.Code.MD5+codeSuffix] = true
		}
	}
	names, err := s.fs.ReadDir(codeDir)
	if err != nil {
		return
	}
	for _, n := range names {
		if !used[n] {
			_ = s.fs.Remove(path.Join(codeDir, n)) // garbage: a leftover costs only space
		}
	}
}

// subFS is the part of an FS under a directory.
type subFS struct {
	fs  snapshot.FS
	dir string
}

func (f subFS) join(name string) string { return path.Join(f.dir, name) }

func (f subFS) Create(name string) (snapshot.File, error) { return f.fs.Create(f.join(name)) }
func (f subFS) Open(name string) (io.ReadCloser, error)   { return f.fs.Open(f.join(name)) }
func (f subFS) Size(name string) (int64, error)           { return f.fs.Size(f.join(name)) }
func (f subFS) Rename(o, n string) error                  { return f.fs.Rename(f.join(o), f.join(n)) }
func (f subFS) Remove(name string) error                  { return f.fs.Remove(f.join(name)) }
func (f subFS) RemoveAll(name string) error               { return f.fs.RemoveAll(f.join(name)) }
func (f subFS) MkdirAll(dir string) error                 { return f.fs.MkdirAll(f.join(dir)) }
func (f subFS) ReadDir(dir string) ([]string, error)      { return f.fs.ReadDir(f.join(dir)) }
func (f subFS) SyncDir(dir string) error                  { return f.fs.SyncDir(f.join(dir)) }
