package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// TestMain removes the binary the CLI tests build.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary builds the wordcount command once for the tests that run it as a
// user does.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped in -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary:", err)
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "wordcount-bin"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "wordcount")
		if out, err := exec.Command(goTool, "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = errors.New(string(out))
		}
	})
	require.NoError(t, built.err)
	return built.bin
}

// runBinary runs the command with args and returns its exit code and
// output.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

// TestWordcountHelp: --help and -h print the usage and exit 0; a bad flag
// exits 2.
//
// Mutants tried: main exiting 2 on flag.ErrHelp (the help cases fail).
func TestWordcountHelp(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		code, stdout, stderr := runBinary(t, flag)
		assert.Equal(t, 0, code, flag)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "usage: wordcount")
		assert.Contains(t, stderr, "--checkpoint-dir")
	}
	code, _, stderr := runBinary(t, "--no-such-flag")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no-such-flag")
}

// TestWordcountInputErrors: a missing or directory FILE gets one line in
// the user's terms — which file, and what is wrong with it — in both
// modes, not an operator failure with restart details.
//
// Mutants tried: not checking the input before the job (the plain mode
// cases get the operator error); checkInput not telling a directory apart
// (the "directory" assertions fail).
func TestWordcountInputErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.txt")
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", missing, "does not exist"},
		{"directory", dir, "is a directory"},
	} {
		for _, mode := range [][]string{nil, {"--checkpoint-dir", filepath.Join(dir, "cp-"+tc.name), "--output", filepath.Join(dir, "out-"+tc.name)}} {
			args := append(append([]string(nil), mode...), tc.path)
			err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
			require.Error(t, err, "%q", args)
			msg := err.Error()
			assert.NotContains(t, msg, "\n", "%q: one line", args)
			assert.Contains(t, msg, tc.want, "%q", args)
			assert.Equal(t, 1, strings.Count(msg, tc.path), "%q: %s", args, msg)
			for _, jargon := range []string{"operator", "subtask", "restart"} {
				assert.NotContains(t, msg, jargon, "%q", args)
			}
		}
	}
	code, stdout, stderr := runBinary(t, missing)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "wordcount: input "+missing+" does not exist\n", stderr)
}

// TestWordcountOutputLocked: a process running a job locks its output
// directory as well as its checkpoint directory, so a second process with
// another checkpoint dir but the same --output is refused instead of
// writing the output a second time. The running process is stood in for
// by taking its lock on the output directory, which flock makes exclusive
// even within one process.
//
// Mutants tried: runOutput not locking the output dir (the second run
// succeeds and doubles the output).
func TestWordcountOutputLocked(t *testing.T) {
	in := writeInput(t, "a b a\n")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	require.NoError(t, os.MkdirAll(out, 0o755))
	unlock, err := lockDir(filepath.Join(out, outputLockFile))
	require.NoError(t, err)
	err = run(context.Background(), outputArgs(filepath.Join(dir, "cp2"), out, in), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another wordcount process")
	assert.Contains(t, err.Error(), out)
	lines, _ := committedLines(t, out)
	assert.Empty(t, lines)
	unlock()

	require.NoError(t, run(context.Background(), outputArgs(filepath.Join(dir, "cp2"), out, in), &bytes.Buffer{}, &bytes.Buffer{}))
	lines, _ = committedLines(t, out)
	assert.Equal(t, expectedLines("a b a\n"), lines)
}

// TestWordcountInputChangedIsRefused: an input whose contents changed
// between a kill and the resume — same size, same name — is detected by
// its fingerprint, and the resume refused with a clear message, instead
// of resuming the old job's state over the new text.
//
// Mutants tried: leaving the hash out of the job description (the resume
// succeeds).
func TestWordcountInputChangedIsRefused(t *testing.T) {
	in := writeInput(t, "alpha beta alpha\n")
	dir := t.TempDir()
	cp, out := filepath.Join(dir, "cp"), filepath.Join(dir, "out")
	require.NoError(t, run(context.Background(), outputArgs(cp, out, in), &bytes.Buffer{}, &bytes.Buffer{}))
	before, _ := committedLines(t, out)
	// As if killed after the final checkpoint but before recording the
	// end; then the input is edited in place.
	require.NoError(t, os.Remove(filepath.Join(cp, completeFile)))
	require.NoError(t, os.WriteFile(in, []byte("gamma beta gamma\n"), 0o600))
	err := run(context.Background(), outputArgs(cp, out, in), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "changed")
	assert.Contains(t, err.Error(), in)
	after, _ := committedLines(t, out)
	assert.Equal(t, before, after)
}

// TestWordcountMovedDirsResume: the checkpoint and output directories,
// moved together, stay resumable: the job description records the output
// relative to the checkpoint directory.
//
// Mutants tried: recording the absolute output path (the resume is
// refused as another job's directory).
func TestWordcountMovedDirsResume(t *testing.T) {
	text := generateText(5, 3000)
	in := writeInput(t, text)
	root := t.TempDir()
	old := filepath.Join(root, "old")
	require.NoError(t, run(context.Background(), outputArgs(filepath.Join(old, "cp"), filepath.Join(old, "out"), in, "--parallelism", "2"), &bytes.Buffer{}, &bytes.Buffer{}))
	moved := filepath.Join(root, "moved")
	require.NoError(t, os.Rename(old, moved))
	cp, out := filepath.Join(moved, "cp"), filepath.Join(moved, "out")
	require.NoError(t, os.Remove(filepath.Join(cp, completeFile)))
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), outputArgs(cp, out, in, "--parallelism", "2"), &bytes.Buffer{}, &stderr))
	assert.Contains(t, stderr.String(), "resuming from checkpoint")
	lines, hidden := committedLines(t, out)
	assert.Equal(t, expectedLines(text), lines)
	assert.Empty(t, hidden)

	// Moved apart, the output is not where the job writes: refused.
	apart := filepath.Join(root, "apart")
	require.NoError(t, os.Rename(out, apart))
	require.NoError(t, os.Remove(filepath.Join(cp, completeFile)))
	err := run(context.Background(), outputArgs(cp, apart, in, "--parallelism", "2"), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writes to")
}
