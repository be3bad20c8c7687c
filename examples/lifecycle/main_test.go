package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// walk runs the program over dir and returns its output.
func walk(t *testing.T, dir string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"--dir", dir}, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout:\n%s", errOut.String(), out.String())
	assert.Empty(t, errOut.String())
	return out.String()
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}

var (
	statusLine = regexp.MustCompile(`(?m)^   status: (.*)$`)
	keptLine   = regexp.MustCompile(`(?m)^   version (\d+): code (v\d), parallelism (\d+), counts kept: user-3 = (\d+) \(was (\d+) ([a-z ]+), went on from (\d+)\), (\d+) outputs repeated$`)
	backLine   = regexp.MustCompile(`(?m)^   version 3: restored scheduled-1, counts went back: user-3 counted (\d+) again \(it had reached (\d+)\), (\d+) outputs repeated$`)
	opLine     = regexp.MustCompile(`(?m)^     ([A-Za-z]+) +([A-Z_]+) [0-9a-f]{24} `)
	snapLine   = regexp.MustCompile(`(?m)^     (\S+) +READY +version (\d)$`)
)

// checkWalk checks the key lines of a run's output: every status sequence
// in order, the versions, counts that went on across the update, the
// scaling and the stop and start, counts that went back after the start
// from the older snapshot, with repeated output, and the deletion.
func checkWalk(t *testing.T, out string) {
	t.Helper()
	var statuses []string
	for _, m := range statusLine.FindAllStringSubmatch(out, -1) {
		statuses = append(statuses, m[1])
	}
	assert.Equal(t, []string{
		"READY, version 1, the service's copy of the code: " + md5Of(codeV1),
		"READY -> STARTING -> RUNNING",   // start
		"RUNNING -> UPDATING -> RUNNING", // code v2
		"RUNNING -> UPDATING -> RUNNING", // scaling
		"RUNNING -> STOPPING -> READY",   // stop
		"READY -> STARTING -> RUNNING",   // start from the latest snapshot
		"RUNNING -> STOPPING -> READY",   // stop
		"READY -> STARTING -> RUNNING",   // start from the custom snapshot
		"RUNNING -> DELETING -> deleted",
	}, statuses, out)
	assert.Contains(t, out, "   version 1: code v1, parallelism 2, counting from empty state: user-3 = ")
	assert.Contains(t, out, "   version 1 -> 2\n")
	assert.Contains(t, out, "   version 2 -> 3\n")
	assert.Contains(t, out, "   current parallelism 4 (4 KPU): subtasks events ×1, count -> totals ×4\n")
	assert.Contains(t, out, "   snapshot scheduled-1 of version 3: READY\n")

	kept := keptLine.FindAllStringSubmatch(out, -1)
	require.Len(t, kept, 3, out)
	for i, want := range []struct {
		version, code, parallelism, when string
	}{
		{"2", "v2", "2", "before the update"},
		{"3", "v2", "4", "before the scaling"},
		{"3", "v2", "4", "at the stop"},
	} {
		m := kept[i]
		assert.Equal(t, []string{want.version, want.code, want.parallelism, want.when}, []string{m[1], m[2], m[3], m[6]}, m[0])
		now, was, from := atoi(t, m[4]), atoi(t, m[5]), atoi(t, m[7])
		assert.Equal(t, was+1, from, "the count goes on from exactly where it was: %s", m[0])
		assert.Greater(t, now, was, "and grew: %s", m[0])
		assert.Equal(t, "0", m[8], m[0])
	}
	// The stop's count is the one the start from the latest snapshot goes
	// on from.
	stop := regexp.MustCompile(`taken at the stop: user-3 = (\d+)\n`).FindStringSubmatch(out)
	require.NotNil(t, stop, out)
	assert.Equal(t, stop[1], kept[2][5])

	back := backLine.FindStringSubmatch(out)
	require.NotNil(t, back, out)
	again, reached, repeated := atoi(t, back[1]), atoi(t, back[2]), atoi(t, back[3])
	assert.Less(t, again, reached, "the start from the older snapshot goes back: %s", back[0])
	assert.Greater(t, again, atoi(t, kept[1][4])-1, "to after the scaling, where the snapshot was taken: %s", back[0])
	assert.Greater(t, repeated, int64(0), "and repeats output: %s", back[0])
	reachedLine := regexp.MustCompile(`(?m)^   user-3 = (\d+) at the stop$`).FindStringSubmatch(out)
	require.NotNil(t, reachedLine, out)
	assert.Equal(t, reachedLine[1], back[2])

	var snaps []string
	for _, m := range snapLine.FindAllStringSubmatch(out, -1) {
		name := m[1]
		if strings.HasPrefix(name, "stop-") || strings.HasPrefix(name, "update-") {
			name = strings.Join(strings.SplitN(name, "-", 3)[:2], "-") // KIND-vN-TIME-OP: the kind and version
		}
		snaps = append(snaps, name+"@"+m[2])
	}
	assert.Equal(t, []string{"stop-v3@3", "stop-v3@3", "scheduled-1@3", "update-v2@2", "update-v1@1"}, snaps, out)
	assert.Contains(t, out, "   versions, newest first: 3 RUNNING, 2 READY, 1 READY\n")

	var ops []string
	for _, m := range opLine.FindAllStringSubmatch(out, -1) {
		ops = append(ops, m[1]+" "+m[2])
	}
	assert.Equal(t, []string{
		"StartApplication SUCCESSFUL", "UpdateApplication SUCCESSFUL", "UpdateApplication SUCCESSFUL",
		"StopApplication SUCCESSFUL", "StartApplication SUCCESSFUL", "StopApplication SUCCESSFUL",
		"StartApplication SUCCESSFUL",
	}, ops, out)
	assert.Regexp(t, `UpdateApplication +SUCCESSFUL .* version 1 -> 2\n`, out)
	assert.Regexp(t, `UpdateApplication +SUCCESSFUL .* version 2 -> 3\n`, out)
	assert.True(t, strings.HasSuffix(out, "   applications left: none\n"), out)
}

// md5Of describes the code package key as DescribeApplication does: its
// MD5 and size.
func md5Of(key string) string {
	pkg := lifecycle.NewCodePackage(builder, map[string]string{"version": strings.TrimSuffix(strings.TrimPrefix(key, "counter-"), ".zip")})
	sum := md5.Sum(pkg)
	return fmt.Sprintf("md5 %s, %d bytes", hex.EncodeToString(sum[:]), len(pkg))
}

// TestWalk runs the walk twice over the same directory: each run goes
// through every step and ends with the application deleted, so the second
// starts clean. The code packages are files of the directory.
func TestWalk(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := filepath.Join(t.TempDir(), "data")
	for run := range 2 {
		out := walk(t, dir)
		checkWalk(t, out)
		assert.NotContains(t, out, "left by an earlier run", "run %d", run)
		assert.True(t, strings.HasPrefix(out, "catalog in "+dir+", code bucket s3://flinksim-code in "+filepath.Join(dir, "s3", "flinksim-code")+"\n"), out)
	}
	for _, key := range []string{codeV1, codeV2} {
		data, err := os.ReadFile(filepath.Join(dir, "s3", bucket, key))
		require.NoError(t, err)
		assert.Contains(t, string(data), `"job":"`+builder+`"`)
	}
	// The deletion is in the catalog: a service over the directory has no
	// application.
	svc, err := lifecycle.New(lifecycle.Options{Dir: dir})
	require.NoError(t, err)
	defer svc.Close()
	list, err := svc.ListApplications(context.Background(), lifecycle.ListApplicationsRequest{})
	require.NoError(t, err)
	assert.Empty(t, list.ApplicationSummaries)
}

// TestLeftover: an application an interrupted run left — running when its
// service went away — is deleted first, with a message, and the walk then
// completes.
func TestLeftover(t *testing.T) {
	defer goleak.VerifyNone(t)
	dir := filepath.Join(t.TempDir(), "data")
	code := lifecycle.DirCodeStore{Dir: filepath.Join(dir, "s3")}
	svc, err := lifecycle.New(lifecycle.Options{Dir: dir, Code: code})
	require.NoError(t, err)
	d, err := newDemo(context.Background(), svc, &bytes.Buffer{})
	require.NoError(t, err)
	require.NoError(t, d.upload(code))
	require.NoError(t, d.create())
	require.NoError(t, d.start(nil))
	_, err = d.progress()
	require.NoError(t, err)
	require.NoError(t, svc.Close()) // as the process dying would

	out := walk(t, dir)
	assert.Regexp(t, `\nfound application counter left by an earlier run \((STARTING|RUNNING|READY), version 1\): deleting it\n`, out)
	checkWalk(t, out)
}

// TestExitCodes: --help exits 0 with the usage; a bad flag or an argument
// exits 2; a failure exits 1 with one line.
func TestExitCodes(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 0, realMain(context.Background(), args, &out, &errOut), args)
		assert.Empty(t, out.String())
		assert.Contains(t, errOut.String(), "usage: lifecycle [--dir DIR]")
		assert.Contains(t, errOut.String(), "-dir DIR")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-such-flag"}, "lifecycle: flag provided but not defined: -no-such-flag\n"},
		{[]string{"extra"}, "lifecycle: takes no arguments, got [\"extra\"]\n"},
		{[]string{"--dir", ""}, "lifecycle: --dir needs a directory, got \"\"\n"},
	} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, realMain(context.Background(), tc.args, &out, &errOut), tc.args)
		assert.Empty(t, out.String())
		assert.True(t, strings.HasSuffix(errOut.String(), tc.want), "%q: %s", tc.args, errOut.String())
	}

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, realMain(context.Background(), []string{"--dir", file}, &out, &errOut))
	msg := errOut.String()
	assert.True(t, strings.HasPrefix(msg, "lifecycle: opening the service in "+file+": "), msg)
	assert.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
}
