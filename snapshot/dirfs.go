package snapshot

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// DirFS returns an [FS] over the operating system's filesystem, rooted at the
// directory root. Names that are not local paths (see [io/fs.ValidPath] and
// [path/filepath.IsLocal]) are refused with an error matching [io/fs.ErrInvalid],
// so no name can reach outside root.
func DirFS(root string) FS {
	return dirFS{root: root}
}

type dirFS struct {
	root string
}

// path maps a slash-separated name to an OS path under the root.
func (d dirFS) path(op, name string) (string, error) {
	local := filepath.FromSlash(name)
	if !fs.ValidPath(name) || !filepath.IsLocal(local) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return filepath.Join(d.root, local), nil
}

func (d dirFS) Create(name string) (File, error) {
	p, err := d.path("create", name)
	if err != nil {
		return nil, err
	}
	return os.Create(p)
}

func (d dirFS) Open(name string) (io.ReadCloser, error) {
	p, err := d.path("open", name)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

func (d dirFS) Size(name string) (int64, error) {
	p, err := d.path("size", name)
	if err != nil {
		return 0, err
	}
	info, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	if info.IsDir() {
		return 0, &fs.PathError{Op: "size", Path: p, Err: errIsDir}
	}
	return info.Size(), nil
}

func (d dirFS) Rename(oldname, newname string) error {
	oldp, err := d.path("rename", oldname)
	if err != nil {
		return err
	}
	newp, err := d.path("rename", newname)
	if err != nil {
		return err
	}
	return os.Rename(oldp, newp)
}

func (d dirFS) Remove(name string) error {
	p, err := d.path("remove", name)
	if err != nil {
		return err
	}
	return os.Remove(p)
}

func (d dirFS) RemoveAll(name string) error {
	p, err := d.path("removeall", name)
	if err != nil {
		return err
	}
	if name == "." {
		return &fs.PathError{Op: "removeall", Path: name, Err: fs.ErrInvalid}
	}
	return os.RemoveAll(p)
}

func (d dirFS) MkdirAll(dir string) error {
	p, err := d.path("mkdirall", dir)
	if err != nil {
		return err
	}
	return os.MkdirAll(p, 0o755)
}

func (d dirFS) ReadDir(dir string) ([]string, error) {
	p, err := d.path("readdir", dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p) // sorted by name
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

func (d dirFS) SyncDir(dir string) error {
	p, err := d.path("syncdir", dir)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
