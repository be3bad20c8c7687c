package lifecycle_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// The code store and the service's copy of the code.
//
// Mutants killed (each planted once, run, and restored):
//   - codestore.go MemCodeStore.Get returning its own slice, not a copy,
//     and MemCodeStore.Put keeping the caller's slice (TestMemCodeStore);
//   - codestore.go checkObjectName without fs.ValidPath
//     (TestDirCodeStoreRefusesPathsOutside: "../secret" is overwritten);
//   - codestore.go DirCodeStore.Get not mapping fs.ErrNotExist to
//     ErrNoSuchKey (TestDirCodeStore);
//   - catalog.go copyCode hashing half the bytes (TestCodeIsCopiedAtCreate,
//     TestUpdateTakesANewCopyOfTheSameKey: CodeMD5 is not the bytes' MD5);
//   - update.go applyUpdate keeping base.Code instead of the new copy
//     (TestUpdateTakesANewCopyOfTheSameKey: the MD5 stays the old one);
//   - operation.go finish recording a failed operation as SUCCESSFUL
//     (TestBadCodePackageFailsAtStart).

// idleSource is a source that never emits and never ends: a job of it runs
// until it is stopped, costs no CPU, and snapshots like any other.
type idleSource struct{}

func (idleSource) Splits(p int) ([]int, error)     { return make([]int, p), nil }
func (idleSource) SplitCodec() flinksim.Codec[int] { return flinksim.CodecFor[int]() }
func (idleSource) NewReader(*flinksim.ReaderContext) (flinksim.SourceReader[int64, int], error) {
	return &idleReader{}, nil
}

type idleReader struct{ splits []int }

func (r *idleReader) AddSplits(s []int) error { r.splits = append(r.splits, s...); return nil }
func (r *idleReader) NotifyNoMoreSplits()     {}
func (r *idleReader) PollNext(flinksim.Collector[int64]) (flinksim.InputStatus, error) {
	return flinksim.NothingAvailable, nil
}
func (r *idleReader) SnapshotState(int64) ([]int, error) { return append([]int(nil), r.splits...), nil }
func (r *idleReader) Close() error                       { return nil }

// payloads records the package's version every start of an application's job hands
// its builder, by version.
type payloads struct {
	mu  sync.Mutex
	got map[int64][][]byte
}

func (p *payloads) of(version int64) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got[version]
}

// idleBuilder builds an idle job, after recording the version its package gives.
func idleBuilder(p *payloads) lifecycle.JobBuilder {
	return func(env *flinksim.Environment, job lifecycle.JobContext) error {
		p.mu.Lock()
		version, _ := job.PackageString("version")
		p.got[job.ApplicationVersionID] = append(p.got[job.ApplicationVersionID], []byte(version))
		p.mu.Unlock()
		flinksim.Sink(flinksim.FromSource(env, "idle", idleSource{}), "discard", func(int64) error { return nil })
		return nil
	}
}

// newIdleService opens a service in memory with idleBuilder registered as
// "idle".
func newIdleService(t *testing.T, opts lifecycle.Options) (*lifecycle.Service, *payloads) {
	t.Helper()
	if opts.RestartStrategy == nil {
		opts.RestartStrategy = func() flinksim.RestartStrategy { return flinksim.NoRestart() }
	}
	s, err := lifecycle.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	p := &payloads{got: map[int64][][]byte{}}
	require.NoError(t, s.RegisterBuilder("idle", idleBuilder(p)))
	return s, p
}

// createIdle creates application name from object key of bucket "code".
func createIdle(t *testing.T, s *lifecycle.Service, name, key string, snapshots bool) lifecycle.ApplicationDetail {
	t.Helper()
	return createApp(t, s, name, key, snapshots, nil)
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func codeOf(d lifecycle.ApplicationDetail) lifecycle.CodeContentDescription {
	return d.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentDescription
}

func TestMemCodeStore(t *testing.T) {
	var m lifecycle.MemCodeStore // the zero value is ready
	_, err := m.Get("b", "k")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)
	require.NoError(t, m.Delete("b", "k"), "deleting a missing object is not an error")

	data := []byte("one")
	require.NoError(t, m.Put("b", "dir/k.zip", data))
	data[0] = 'X' // Put took a copy
	got, err := m.Get("b", "dir/k.zip")
	require.NoError(t, err)
	require.Equal(t, "one", string(got))
	got[0] = 'Y' // Get returns a copy
	again, err := m.Get("b", "dir/k.zip")
	require.NoError(t, err)
	require.Equal(t, "one", string(again))

	_, err = m.Get("other", "dir/k.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey, "buckets are separate")
	_, err = m.Get("b", "dir")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)

	require.NoError(t, m.Put("b", "dir/k.zip", []byte("two")), "Put replaces")
	got, err = m.Get("b", "dir/k.zip")
	require.NoError(t, err)
	require.Equal(t, "two", string(got))

	require.NoError(t, m.Delete("b", "dir/k.zip"))
	_, err = m.Get("b", "dir/k.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)

	for _, k := range []string{"", "../x", "/abs", "a/../b", `a\b`} {
		require.Error(t, m.Put("b", k, []byte("x")), "key %q", k)
	}
	require.Error(t, m.Put("a/b", "c", []byte("x")), "a bucket name has no slash")
}

// TestMemCodeStoreBucketKeyAmbiguity: bucket "a", key "b/c" and bucket
// "a/b", key "c" are different objects; Put refuses the second bucket name,
// and Get must not find the first object under it.
func TestMemCodeStoreBucketKeyAmbiguity(t *testing.T) {
	var m lifecycle.MemCodeStore
	require.NoError(t, m.Put("a", "b/c", []byte("x")))
	_, err := m.Get("a/b", "c")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey, "bucket a/b (which Put refuses) has no object c")
}

func TestMemCodeStoreConcurrent(t *testing.T) {
	var m lifecycle.MemCodeStore
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("k%d", i%2)
			for j := range 50 {
				_ = m.Put("b", key, []byte{byte(j)})
				if _, err := m.Get("b", key); err != nil && !errors.Is(err, lifecycle.ErrNoSuchKey) {
					t.Error(err)
				}
				_ = m.Delete("b", key)
			}
		})
	}
	wg.Wait()
}

func TestDirCodeStore(t *testing.T) {
	dir := t.TempDir()
	d := lifecycle.DirCodeStore{Dir: dir}
	_, err := d.Get("code", "missing.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey, "a missing bucket")

	require.NoError(t, d.Put("code", "a/b/c.zip", []byte("nested")))
	onDisk, err := os.ReadFile(filepath.Join(dir, "code", "a", "b", "c.zip"))
	require.NoError(t, err, "the object is the file DIR/bucket/key")
	require.Equal(t, "nested", string(onDisk))
	got, err := d.Get("code", "a/b/c.zip")
	require.NoError(t, err)
	require.Equal(t, "nested", string(got))

	// A build drops its package with cp.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "code", "dropped.zip"), []byte("cp"), 0o644))
	got, err = d.Get("code", "dropped.zip")
	require.NoError(t, err)
	require.Equal(t, "cp", string(got))

	_, err = d.Get("code", "a/b/missing.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)
	_, err = d.Get("other", "a/b/c.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)

	require.NoError(t, d.Put("code", "a/b/c.zip", []byte("replaced")))
	got, err = d.Get("code", "a/b/c.zip")
	require.NoError(t, err)
	require.Equal(t, "replaced", string(got))

	require.NoError(t, d.Delete("code", "a/b/c.zip"))
	_, err = d.Get("code", "a/b/c.zip")
	require.ErrorIs(t, err, lifecycle.ErrNoSuchKey)
	require.NoError(t, d.Delete("code", "a/b/c.zip"), "deleting a missing object is not an error")
	require.NoError(t, d.Delete("nobucket", "x"), "nor is one of a missing bucket")
}

func TestDirCodeStoreRefusesPathsOutside(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "store")
	d := lifecycle.DirCodeStore{Dir: dir}
	// Files a bad name could reach.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "code"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "secret"), []byte("secret"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("secret"), 0o644))

	keys := []string{"", "..", "../secret", "../../secret", "a/../../secret", "a/../b", "./a", "a//b", "a/",
		"/secret", filepath.Join(root, "secret"), `..\secret`, `a\b`}
	for _, k := range keys {
		require.Error(t, d.Put("code", k, []byte("pwned")), "Put key %q", k)
		_, err := d.Get("code", k)
		require.Error(t, err, "Get key %q", k)
		require.Error(t, d.Delete("code", k), "Delete key %q", k)
	}
	for _, b := range []string{"", ".", "..", "a/b", `a\b`, "../store"} {
		require.Error(t, d.Put(b, "secret", []byte("pwned")), "Put bucket %q", b)
		_, err := d.Get(b, "secret")
		require.Error(t, err, "Get bucket %q", b)
		require.Error(t, d.Delete(b, "secret"), "Delete bucket %q", b)
	}
	for _, p := range []string{filepath.Join(root, "secret"), filepath.Join(dir, "secret")} {
		b, err := os.ReadFile(p)
		require.NoError(t, err, "%s was deleted", p)
		require.Equal(t, "secret", string(b), "%s was overwritten", p)
	}
	var stray []string
	require.NoError(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && p != filepath.Join(root, "secret") && p != filepath.Join(dir, "secret") {
			stray = append(stray, p)
		}
		return err
	}))
	require.Empty(t, stray, "files a refused name wrote")
}

// TestCodeIsCopiedAtCreate: CreateApplication copies the object; what
// happens to it afterwards changes neither the description nor what runs.
func TestCodeIsCopiedAtCreate(t *testing.T) {
	s, p := newIdleService(t, lifecycle.Options{})
	v1 := lifecycle.NewCodePackage("idle", map[string]string{"version": "payload v1"})
	require.NoError(t, s.Code().Put("code", "app.zip", v1))
	created := createIdle(t, s, "app", "app.zip", false)
	want := lifecycle.CodeContentDescription{CodeMD5: md5hex(v1), CodeSize: int64(len(v1)),
		S3ApplicationCodeLocationDescription: &lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "app.zip"}}
	require.Equal(t, want, codeOf(created))
	require.Equal(t, lifecycle.CodeZipFile, created.ApplicationConfigurationDescription.ApplicationCodeConfigurationDescription.CodeContentType)

	// Overwrite the object, then delete it.
	require.NoError(t, s.Code().Put("code", "app.zip", lifecycle.NewCodePackage("idle", map[string]string{"version": "payload v2"})))
	require.Equal(t, want, codeOf(describe(t, s, "app")))
	require.NoError(t, s.Code().Delete("code", "app.zip"))
	require.Equal(t, want, codeOf(describe(t, s, "app")))

	op := start(t, s, "app", nil)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus, "%+v", op)
	require.Equal(t, lifecycle.StatusRunning, describe(t, s, "app").ApplicationStatus)
	require.Equal(t, [][]byte{[]byte("payload v1")}, p.of(1), "the job runs the code as it was at create")

	// A stop and a new start still run the copy.
	require.Equal(t, lifecycle.OperationSuccessful, stop(t, s, "app", false).OperationStatus)
	require.Equal(t, lifecycle.OperationSuccessful, start(t, s, "app", nil).OperationStatus)
	require.Equal(t, [][]byte{[]byte("payload v1"), []byte("payload v1")}, p.of(1))
	stop(t, s, "app", false)
}

// TestUpdateTakesANewCopyOfTheSameKey: an update naming the same key takes
// the object's new bytes; an update naming a missing object is refused and
// creates no version.
func TestUpdateTakesANewCopyOfTheSameKey(t *testing.T) {
	s, p := newIdleService(t, lifecycle.Options{})
	v1 := lifecycle.NewCodePackage("idle", map[string]string{"version": "one"})
	v2 := lifecycle.NewCodePackage("idle", map[string]string{"version": "second"})
	require.NoError(t, s.Code().Put("code", "app.zip", v1))
	createIdle(t, s, "app", "app.zip", false)
	require.NoError(t, s.Code().Put("code", "app.zip", v2))

	out, _ := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("app.zip")})
	require.EqualValues(t, 2, out.ApplicationDetail.ApplicationVersionID)
	require.Equal(t, md5hex(v2), codeOf(out.ApplicationDetail).CodeMD5)
	require.EqualValues(t, len(v2), codeOf(out.ApplicationDetail).CodeSize)
	require.NotEqual(t, md5hex(v1), md5hex(v2))

	// Version 1 keeps its own copy.
	old, err := s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: 1})
	require.NoError(t, err)
	require.Equal(t, md5hex(v1), codeOf(old.ApplicationVersionDetail).CodeMD5)

	// A code update with no location re-copies the same object.
	v3 := lifecycle.NewCodePackage("idle", map[string]string{"version": "third"})
	require.NoError(t, s.Code().Put("code", "app.zip", v3))
	out, _ = update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
		ApplicationCodeConfigurationUpdate: &lifecycle.ApplicationCodeConfigurationUpdate{}}})
	require.Equal(t, md5hex(v3), codeOf(out.ApplicationDetail).CodeMD5)
	require.EqualValues(t, 3, out.ApplicationDetail.ApplicationVersionID)

	start(t, s, "app", nil)
	require.Equal(t, [][]byte{[]byte("third")}, p.of(3))

	// A missing object: CodeValidationException, and no version.
	require.NoError(t, s.Code().Delete("code", "app.zip"))
	for _, key := range []string{"app.zip", "nothing/here.zip"} {
		_, err = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 3,
			ApplicationConfigurationUpdate: codeUpdate(key)})
		requireAPIError(t, err, "InvalidArgumentException", key, "does not exist")
	}
	d := describe(t, s, "app")
	require.EqualValues(t, 3, d.ApplicationVersionID)
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
	vs, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	require.Len(t, vs.ApplicationVersionSummaries, 3)
	stop(t, s, "app", false)
}

// TestInlineCodeIsCopied: ZipFileContent is copied too: changing the
// caller's slice after CreateApplication changes nothing.
func TestInlineCodeIsCopied(t *testing.T) {
	s, p := newIdleService(t, lifecycle.Options{})
	pkg := lifecycle.NewCodePackage("idle", map[string]string{"version": "inline"})
	want := md5hex(pkg)
	out, err := s.CreateApplication(ctx(t), lifecycle.CreateApplicationRequest{
		ApplicationName: "inline", RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{
			CodeContentType: lifecycle.CodeZipFile, CodeContent: lifecycle.CodeContent{ZipFileContent: pkg}}},
	})
	require.NoError(t, err)
	c := codeOf(out.ApplicationDetail)
	require.Equal(t, want, c.CodeMD5)
	require.EqualValues(t, len(pkg), c.CodeSize)
	require.Nil(t, c.S3ApplicationCodeLocationDescription)
	for i := range pkg {
		pkg[i] = 'x'
	}
	start(t, s, "inline", nil)
	require.Equal(t, [][]byte{[]byte("inline")}, p.of(1))
	stop(t, s, "inline", true)
}

// TestBadCodePackageFailsAtStart: code that names no registered builder,
// or is not a code package at all, is accepted at create; its start fails
// with an ErrorString saying why, and the application is READY again.
func TestBadCodePackageFailsAtStart(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	cases := []struct {
		name string
		code []byte
		why  []string // what the ErrorString says
	}{
		{"unregistered", lifecycle.NewCodePackage("nobody", map[string]string{"version": "x"}), []string{"not a runnable code package", `"nobody"`, "registered"}},
		{"not-a-package", []byte("PK\x03\x04 a real zip file"), []string{"not a runnable code package", "not a JSON document"}},
		{"no-job-member", []byte(`{"main": "x"}`), []string{"not a runnable code package", `"job"`}},
		{"job-not-a-string", []byte(`{"job": 7}`), []string{"not a runnable code package", `"job"`}},
		{"empty", []byte{}, []string{"not a runnable code package"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, s.Code().Put("code", c.name+".zip", c.code))
			d := createIdle(t, s, c.name, c.name+".zip", false)
			require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus)
			require.Equal(t, md5hex(c.code), codeOf(d).CodeMD5)
			op := start(t, s, c.name, nil)
			require.Equal(t, lifecycle.OperationFailed, op.OperationStatus, "%+v", op)
			require.NotNil(t, op.OperationFailureDetails)
			for _, w := range c.why {
				require.Contains(t, op.OperationFailureDetails.ErrorInfo.ErrorString, w)
			}
			require.False(t, op.EndTime.IsZero())
			d = describe(t, s, c.name)
			require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus)
			require.Nil(t, d.Job)
			// And it can be fixed by an update.
			require.NoError(t, s.Code().Put("code", c.name+".zip", lifecycle.NewCodePackage("idle", nil)))
			update(t, s, c.name, lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate(c.name + ".zip")})
			require.Equal(t, lifecycle.OperationSuccessful, start(t, s, c.name, nil).OperationStatus)
			stop(t, s, c.name, true)
		})
	}
	require.True(t, strings.HasPrefix(lifecycle.ErrBadCodePackage.Error(), "lifecycle:"))
}
