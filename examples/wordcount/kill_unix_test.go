//go:build unix

package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWordcountKill9 runs the output mode as a process, kills it with
// SIGKILL at seeded random moments, re-runs the same command each time,
// and checks that the output of the run that completes is exactly that
// of an uninterrupted run.
func TestWordcountKill9(t *testing.T) {
	tmp, bin, in, want := binaryFixture(t, 42)

	type result struct {
		killed  bool
		stderr  string
		elapsed time.Duration
	}
	// runCmd runs the command for cp and out; killAfter > 0 sends SIGKILL
	// after that long (the fault injected). Only the process's exit is
	// waited for.
	runCmd := func(cp, out string, killAfter time.Duration) result {
		t.Helper()
		cmd := exec.Command(bin, "--checkpoint-dir", cp, "--output", out, "--checkpoint-interval", "20ms", "--parallelism", "2", in)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		require.NoError(t, cmd.Start())
		if killAfter > 0 {
			timer := time.AfterFunc(killAfter, func() { _ = cmd.Process.Kill() }) // SIGKILL
			defer timer.Stop()
		}
		err := cmd.Wait()
		r := result{stderr: stderr.String(), elapsed: time.Since(start)}
		assert.Empty(t, stdout.String(), "stdout")
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ws, ok := ee.Sys().(syscall.WaitStatus)
			require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "run failed: %v\n%s", err, r.stderr)
			r.killed = true
			return r
		}
		require.NoError(t, err, r.stderr)
		return r
	}

	// The uninterrupted run, which also times a run.
	ref := runCmd(filepath.Join(tmp, "ref-cp"), filepath.Join(tmp, "ref-out"), 0)
	refLines, refHidden := committedLines(t, filepath.Join(tmp, "ref-out"))
	require.Equal(t, want, refLines)
	require.Empty(t, refHidden)

	// A run that finds the job complete times a process's start and end.
	t0 := runCmd(filepath.Join(tmp, "ref-cp"), filepath.Join(tmp, "ref-out"), 0).elapsed
	work := max(ref.elapsed-t0, 20*time.Millisecond)
	t.Logf("uninterrupted run: %v, of which start and end %v", ref.elapsed, t0)

	// Kill each run after its start plus 10% to 30% of a run's work: a
	// killed run gets no further than its kill, so at least three kills
	// land before the input is done.
	cp, out := filepath.Join(tmp, "cp"), filepath.Join(tmp, "out")
	rng := rand.New(rand.NewPCG(2024, 9))
	kills := 0
	for range 5 {
		delay := t0 + work/10 + time.Duration(rng.Int64N(int64(work/5)))
		r := runCmd(cp, out, delay)
		if !r.killed {
			t.Logf("run finished before its kill at %v", delay)
			break
		}
		kills++
		lines, hidden := committedLines(t, out)
		t.Logf("kill %d at %v: %d of %d lines committed, %d hidden files; %s",
			kills, delay, len(lines), len(want), len(hidden), lastLine(r.stderr))
		assertSubset(t, want, lines)
	}
	assert.GreaterOrEqual(t, kills, 3)

	final := runCmd(cp, out, 0)
	t.Logf("final run: %v; %s", final.elapsed, strings.ReplaceAll(strings.TrimSpace(final.stderr), "\n", "; "))
	got, hidden := committedLines(t, out)
	require.Equal(t, refLines, got, "the committed lines after the kills equal the uninterrupted run's")
	assert.Empty(t, hidden)

	again := runCmd(cp, out, 0)
	assert.Contains(t, again.stderr, "already complete")
	got, _ = committedLines(t, out)
	assert.Equal(t, refLines, got)
}

// assertSubset checks that got, sorted, holds no line more often than
// want, sorted: committed output never has a duplicate.
func assertSubset(t *testing.T, want, got []string) {
	t.Helper()
	i := 0
	for _, l := range got {
		for i < len(want) && want[i] < l {
			i++
		}
		if i == len(want) || want[i] != l {
			t.Errorf("committed line %q is unexpected or duplicated", l)
			return
		}
		i++
	}
}

// lastLine returns the last line of s, or "no message".
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "no message"
	}
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func TestLockDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), lockFile)
	unlock, err := lockDir(path)
	require.NoError(t, err)
	if _, err := lockDir(path); assert.Error(t, err) {
		assert.Contains(t, err.Error(), "another wordcount process")
	}
	unlock()
	unlock2, err := lockDir(path)
	require.NoError(t, err)
	unlock2()
}

// binaryFixture builds the command into a temporary directory tmp and
// writes there an input of a million words generated from seed; it
// returns the binary's and the input's paths and the lines an
// uninterrupted run commits. It skips the test in -short mode or without
// a go command.
func binaryFixture(t *testing.T, seed uint64) (tmp, bin, in string, want []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped in -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary:", err)
	}
	tmp = t.TempDir()
	text := generateText(seed, 1_000_000)
	in = filepath.Join(tmp, "in.txt")
	require.NoError(t, os.WriteFile(in, []byte(text), 0o600))
	bin = filepath.Join(tmp, "wordcount")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return tmp, bin, in, expectedLines(text)
}

// TestWordcountStopWithSavepointAndRescale: SIGTERM stops a run with
// --savepoint-dir with a savepoint, exit status 0 and its path printed;
// a run --from-savepoint at another parallelism finishes the job, and the
// committed output is exactly an uninterrupted run's.
func TestWordcountStopWithSavepointAndRescale(t *testing.T) {
	tmp, bin, in, want := binaryFixture(t, 7)
	run := func(termAfter time.Duration, args ...string) (string, time.Duration) {
		t.Helper()
		cmd := exec.Command(bin, append(args, in)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		require.NoError(t, cmd.Start())
		if termAfter > 0 {
			timer := time.AfterFunc(termAfter, func() { _ = cmd.Process.Signal(syscall.SIGTERM) })
			defer timer.Stop()
		}
		require.NoError(t, cmd.Wait(), "exit status; stderr:\n%s", stderr.String())
		return stderr.String(), time.Since(start)
	}
	_, whole := run(0, "--checkpoint-dir", filepath.Join(tmp, "ref-cp"), "--output", filepath.Join(tmp, "ref-out"), "--checkpoint-interval", "20ms")

	cp, out, sp := filepath.Join(tmp, "cp"), filepath.Join(tmp, "out"), filepath.Join(tmp, "sp")
	var savepoint string
	for delay := whole / 3; savepoint == "" && delay > time.Millisecond; delay /= 2 {
		stderr, _ := run(delay, "--checkpoint-dir", cp, "--output", out, "--checkpoint-interval", "20ms",
			"--parallelism", "2", "--savepoint-dir", sp)
		const said = "wordcount: stopped with savepoint "
		if i := strings.Index(stderr, said); i >= 0 {
			savepoint = strings.TrimSpace(stderr[i+len(said):])
			break
		}
		t.Logf("the run ended before SIGTERM at %v: %s; trying earlier", delay, lastLine(stderr))
		require.NoError(t, os.RemoveAll(cp))
		require.NoError(t, os.RemoveAll(out))
	}
	require.NotEmpty(t, savepoint, "no run was stopped with a savepoint")
	assert.True(t, strings.HasPrefix(savepoint, sp), "savepoint %s not in %s", savepoint, sp)
	lines, _ := committedLines(t, out)
	assertSubset(t, want, lines)
	t.Logf("stopped with %d of %d lines committed; savepoint %s", len(lines), len(want), savepoint)

	// The run from the savepoint is killed once; the same command again
	// resumes from that run's checkpoints, not from the savepoint again
	// (which would repeat what it had committed).
	resume := []string{"--checkpoint-dir", filepath.Join(tmp, "cp2"), "--output", out, "--checkpoint-interval", "20ms",
		"--parallelism", "3", "--from-savepoint", savepoint}
	killed := exec.Command(bin, append(resume, in)...)
	require.NoError(t, killed.Start())
	timer := time.AfterFunc(whole/2, func() { _ = killed.Process.Kill() })
	_ = killed.Wait() // killed, or done before the kill
	timer.Stop()
	stderr, _ := run(0, resume...)
	t.Logf("after the killed resume: %s", lastLine(stderr))
	got, hidden := committedLines(t, out)
	assert.Equal(t, want, got, "the committed lines after the stop equal an uninterrupted run's")
	assert.Empty(t, hidden)
}
