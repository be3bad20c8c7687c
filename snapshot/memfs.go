package snapshot

import (
	"bytes"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
)

// MemFS is an in-memory [FS] that tracks what is durable, so that
// [MemFS.CrashClone] can show what would survive a power loss. It is safe for
// concurrent use.
//
// Durability follows the POSIX rules a careful program must assume: a file's
// data is durable up to its last [File.Sync]; a directory entry (a create, a
// rename into or out of the directory, a removal) is durable once [FS.SyncDir]
// of that directory has returned. The root directory itself is always durable.
type MemFS struct {
	mu struct {
		sync.Mutex
		root *memNode
	}
}

// memNode is an inode: a file or a directory, with its live and durable contents.
type memNode struct {
	isDir bool
	// Files. Data only grows by appending between truncations, and both slices
	// have their capacity clipped to their length where they are shared, so a
	// slice once handed out never changes.
	data       []byte
	syncedData []byte
	// Directories.
	children       map[string]*memNode
	syncedChildren map[string]*memNode
}

func newMemDir() *memNode {
	return &memNode{isDir: true, children: map[string]*memNode{}, syncedChildren: map[string]*memNode{}}
}

// NewMemFS returns an empty in-memory filesystem.
func NewMemFS() *MemFS {
	m := &MemFS{}
	m.mu.root = newMemDir()
	return m
}

// CrashClone returns a new MemFS holding only what m has made durable, as the
// disk would look after a power loss at this instant. m is unchanged.
func (m *MemFS) CrashClone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &MemFS{}
	c.mu.root = cloneDurable(m.mu.root, map[*memNode]bool{})
	return c
}

// cloneDurable copies the durable state of n. onPath guards against cycles
// that durable entries of renamed directories could form.
func cloneDurable(n *memNode, onPath map[*memNode]bool) *memNode {
	if !n.isDir {
		return &memNode{data: n.syncedData, syncedData: n.syncedData}
	}
	onPath[n] = true
	defer delete(onPath, n)
	c := newMemDir()
	for name, child := range n.syncedChildren {
		if onPath[child] {
			continue
		}
		cc := cloneDurable(child, onPath)
		c.children[name] = cc
		c.syncedChildren[name] = cc
	}
	return c
}

// lookupLocked returns the node named name.
func (m *MemFS) lookupLocked(op, name string) (*memNode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n := m.mu.root
	if name == "." {
		return n, nil
	}
	for elem := range strings.SplitSeq(name, "/") {
		if !n.isDir {
			return nil, &fs.PathError{Op: op, Path: name, Err: errNotDir}
		}
		child, ok := n.children[elem]
		if !ok {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		n = child
	}
	return n, nil
}

// parentLocked returns the directory holding name and name's last element.
func (m *MemFS) parentLocked(op, name string) (*memNode, string, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	dirName, base := ".", name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		dirName, base = name[:i], name[i+1:]
	}
	dir, err := m.lookupLocked(op, dirName)
	if err != nil {
		return nil, "", err
	}
	if !dir.isDir {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: errNotDir}
	}
	return dir, base, nil
}

// Create implements [FS].
func (m *MemFS) Create(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.parentLocked("create", name)
	if err != nil {
		return nil, err
	}
	n, ok := dir.children[base]
	switch {
	case !ok:
		n = &memNode{}
		dir.children[base] = n
	case n.isDir:
		return nil, &fs.PathError{Op: "create", Path: name, Err: errIsDir}
	default:
		n.data = nil // truncate; the durable data stays until the next Sync
	}
	return &memFile{fs: m, node: n, name: name}, nil
}

// Open implements [FS].
func (m *MemFS) Open(name string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked("open", name)
	if err != nil {
		return nil, err
	}
	if n.isDir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errIsDir}
	}
	return io.NopCloser(bytes.NewReader(n.data[:len(n.data):len(n.data)])), nil
}

// Size implements [FS].
func (m *MemFS) Size(name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked("size", name)
	if err != nil {
		return 0, err
	}
	if n.isDir {
		return 0, &fs.PathError{Op: "size", Path: name, Err: errIsDir}
	}
	return int64(len(n.data)), nil
}

// Rename implements [FS].
func (m *MemFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	oldDir, oldBase, err := m.parentLocked("rename", oldname)
	if err != nil {
		return err
	}
	n, ok := oldDir.children[oldBase]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	newDir, newBase, err := m.parentLocked("rename", newname)
	if err != nil {
		return err
	}
	if oldname == newname {
		return nil
	}
	if n.isDir && strings.HasPrefix(newname, oldname+"/") {
		return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrInvalid}
	}
	if target, ok := newDir.children[newBase]; ok && target.isDir {
		return &fs.PathError{Op: "rename", Path: newname, Err: errIsDir}
	}
	delete(oldDir.children, oldBase)
	newDir.children[newBase] = n
	return nil
}

// Remove implements [FS].
func (m *MemFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.parentLocked("remove", name)
	if err != nil {
		return err
	}
	n, ok := dir.children[base]
	if !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	if n.isDir && len(n.children) > 0 {
		return &fs.PathError{Op: "remove", Path: name, Err: errNotEmpty}
	}
	delete(dir.children, base)
	return nil
}

// RemoveAll implements [FS].
func (m *MemFS) RemoveAll(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.parentLocked("removeall", name)
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return err
	}
	delete(dir.children, base)
	return nil
}

// MkdirAll implements [FS].
func (m *MemFS) MkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !fs.ValidPath(dir) {
		return &fs.PathError{Op: "mkdirall", Path: dir, Err: fs.ErrInvalid}
	}
	if dir == "." {
		return nil
	}
	n := m.mu.root
	for elem := range strings.SplitSeq(dir, "/") {
		child, ok := n.children[elem]
		if !ok {
			child = newMemDir()
			n.children[elem] = child
		} else if !child.isDir {
			return &fs.PathError{Op: "mkdirall", Path: dir, Err: errNotDir}
		}
		n = child
	}
	return nil
}

// ReadDir implements [FS].
func (m *MemFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked("readdir", dir)
	if err != nil {
		return nil, err
	}
	if !n.isDir {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: errNotDir}
	}
	return slices.Sorted(maps.Keys(n.children)), nil
}

// SyncDir implements [FS].
func (m *MemFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked("syncdir", dir)
	if err != nil {
		return err
	}
	if !n.isDir {
		return &fs.PathError{Op: "syncdir", Path: dir, Err: errNotDir}
	}
	n.syncedChildren = maps.Clone(n.children)
	return nil
}

// memFile is a MemFS file open for writing.
type memFile struct {
	fs     *MemFS
	node   *memNode
	name   string
	closed bool // guarded by fs.mu
}

func (f *memFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: fs.ErrClosed}
	}
	f.node.data = append(f.node.data, p...)
	return len(p), nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "sync", Path: f.name, Err: fs.ErrClosed}
	}
	f.node.syncedData = f.node.data[:len(f.node.data):len(f.node.data)]
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closed = true
	return nil
}
