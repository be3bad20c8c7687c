package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseArgs: the flags as the usage line names them, durations as Go
// durations, defaults of zero out-of-orderness and lateness.
//
// Mutants: --slide parsed into Size (fails); the input not taken from the
// argument (fails). Each fails this test.
func TestParseArgs(t *testing.T) {
	c, err := parseArgs([]string{"--parallelism", "3", "--window", "sliding", "--size", "10s", "--slide", "500ms",
		"--out-of-orderness", "2s", "--allowed-lateness", "1m", "--late", "late.txt", "in.txt"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, config{
		windowSpec:  windowSpec{Kind: sliding, Size: 10 * time.Second, Slide: 500 * ms, OutOfOrderness: 2 * time.Second, AllowedLateness: time.Minute},
		Parallelism: 3, LateFile: "late.txt", InputFile: "in.txt",
	}, c)

	c, err = parseArgs([]string{"--window", "session", "--gap", "30s", "in.txt"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, windowSpec{Kind: session, Gap: 30 * time.Second}, c.windowSpec)
	assert.Positive(t, c.Parallelism)
	assert.Empty(t, c.LateFile)

	c, err = parseArgs([]string{"--window", "tumbling", "--size", "1ms", "in.txt"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, windowSpec{Kind: tumbling, Size: ms}, c.windowSpec)

	var usage bytes.Buffer
	_, err = parseArgs([]string{"--help"}, &usage)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, usage.String(), usageLine)
}

// TestParseArgsErrors: each bad command line gets an error that says what
// is wrong with it.
//
// Mutants: taking an unknown --window as tumbling (fails); not requiring --slide
// for sliding windows (fails); accepting a negative --out-of-orderness
// (fails); not checking whole milliseconds (fails); accepting --gap with
// tumbling windows (fails). Each fails this test.
func TestParseArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--size", "1s", "in"}, "--window is required"},
		{[]string{"--window", "hopping", "--size", "1s", "in"}, `unknown --window "hopping"`},
		{[]string{"--window", "tumbling", "in"}, "tumbling windows need --size"},
		{[]string{"--window", "sliding", "--slide", "1s", "in"}, "sliding windows need --size"},
		{[]string{"--window", "sliding", "--size", "1s", "in"}, "sliding windows need --slide"},
		{[]string{"--window", "session", "in"}, "session windows need --gap"},
		{[]string{"--window", "session", "--gap", "1s", "--size", "1s", "in"}, "--size does not apply to session windows"},
		{[]string{"--window", "tumbling", "--size", "1s", "--slide", "1s", "in"}, "--slide does not apply to tumbling windows"},
		{[]string{"--window", "tumbling", "--size", "1s", "--gap", "1s", "in"}, "--gap does not apply to tumbling windows"},
		{[]string{"--window", "tumbling", "--size", "0s", "in"}, "--size 0s is not positive"},
		{[]string{"--window", "sliding", "--size", "1s", "--slide", "-1s", "in"}, "--slide -1s is not positive"},
		{[]string{"--window", "session", "--gap", "-5ms", "in"}, "--gap -5ms is not positive"},
		{[]string{"--window", "tumbling", "--size", "1s", "--out-of-orderness", "-1s", "in"}, "--out-of-orderness -1s is negative"},
		{[]string{"--window", "tumbling", "--size", "1s", "--allowed-lateness", "-1ms", "in"}, "--allowed-lateness -1ms is negative"},
		{[]string{"--window", "tumbling", "--size", "1500us", "in"}, "--size 1.5ms is not a whole number of milliseconds"},
		{[]string{"--window", "tumbling", "--size", "1s", "--out-of-orderness", "10us", "in"}, "--out-of-orderness 10µs is not a whole number"},
		{[]string{"--window", "tumbling", "--size", "1s", "--parallelism", "0", "in"}, "--parallelism 0 is not positive"},
		{[]string{"--window", "tumbling", "--size", "1s"}, "no input FILE"},
		{[]string{"--window", "tumbling", "--size", "1s", "a", "b"}, "one input FILE, not 2"},
		{[]string{"--window", "tumbling", "--size", "10"}, "invalid value"},
	} {
		_, err := parseArgs(tc.args, &bytes.Buffer{})
		require.Error(t, err, "%q", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%q", tc.args)
	}
}

// TestParseEvents: keys with spaces, negative timestamps, CRLF endings and
// trailing blank lines are read; every malformed line is an error naming
// the file and the line.
//
// Mutants: not refusing a second tab (the two-tab case is accepted);
// allowing blank lines anywhere (fails); not refusing a carriage return in
// KEY (fails); not counting lines (the line numbers fail). Each fails this
// test.
func TestParseEvents(t *testing.T) {
	got, err := parseEvents(strings.NewReader("5\tkey one\n-3\tb\r\n0\tc\n\n\n"), "in.txt")
	require.NoError(t, err)
	assert.Equal(t, []event{{5, "key one"}, {-3, "b"}, {0, "c"}}, got)
	got, err = parseEvents(strings.NewReader(""), "in.txt")
	require.NoError(t, err)
	assert.Empty(t, got)

	for _, tc := range []struct {
		in, want string
	}{
		{"5\ta\nx\tb\n", `in.txt:2: TIMESTAMP_MS "x" is not an integer`},
		{"5\ta\n6 b\n", "in.txt:2: no tab"},
		{"5\ta\tb\n", "in.txt:1: more than one tab"},
		{"5\t\n", "in.txt:1: empty KEY"},
		{"5\ta\rb\n", "in.txt:1: carriage return in KEY"},
		{"5\ta\r\r\n", "in.txt:1: carriage return in KEY"},
		{"\t\n", `in.txt:1: empty KEY`},
		{"9223372036854775808\ta\n", "in.txt:1: TIMESTAMP_MS"},
		{"1.5\ta\n", "in.txt:1: TIMESTAMP_MS"},
		{"5\ta\n\n6\tb\n", "in.txt:2: blank line before more records"},
		{"5\ta\n" + strings.Repeat("x", maxLineBytes+1) + "\n", "in.txt:2: line longer than"},
	} {
		_, err := parseEvents(strings.NewReader(tc.in), "in.txt")
		require.Error(t, err, "%q", tc.in)
		assert.Contains(t, err.Error(), tc.want, "%.40q", tc.in)
	}
}

// TestReadEvents: a file is read; a missing one is an error naming it.
func TestReadEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	require.NoError(t, os.WriteFile(path, []byte("1\ta\n"), 0o600))
	got, err := readEvents(path)
	require.NoError(t, err)
	assert.Equal(t, []event{{1, "a"}}, got)
	_, err = readEvents(path + ".missing")
	assert.True(t, errors.Is(err, os.ErrNotExist), "%v", err)
	assert.Contains(t, err.Error(), path+".missing")
}

// TestWriteOutput: firings are written sorted by start, end, key and count
// — numerically, so -10 before 5 before 10 — and late records in the
// input's format, in the order given.
//
// Mutants: comparing starts as strings (fails); leaving out the count
// (fails). Each fails this test.
func TestWriteOutput(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, writeFirings(&out, []firing{
		{10, 20, "a", 1}, {5, 15, "b", 2}, {-10, 0, "a", 4}, {5, 15, "a", 3}, {5, 15, "a", 2}, {5, 10, "z", 1},
	}))
	assert.Equal(t, "-10\t0\ta\t4\n5\t10\tz\t1\n5\t15\ta\t2\n5\t15\ta\t3\n5\t15\tb\t2\n10\t20\ta\t1\n", out.String())

	var late bytes.Buffer
	events := []event{{9, "key one"}, {-3, "b"}}
	require.NoError(t, writeEvents(&late, events))
	assert.Equal(t, "9\tkey one\n-3\tb\n", late.String())
	back, err := parseEvents(&late, "late")
	require.NoError(t, err)
	assert.Equal(t, events, back)
}

// FuzzParseEvents: any bytes parse or fail without a panic, and what
// parses is written back and read again as the same events.
func FuzzParseEvents(f *testing.F) {
	for _, s := range []string{"5\ta\n", "-3\tkey one\r\n\n", "x\ty", "5\ta\tb", "\n\n1\ta", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := parseEvents(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		require.NoError(t, writeEvents(&buf, events))
		back, err := parseEvents(&buf, "again")
		require.NoError(t, err)
		if len(events) == 0 {
			assert.Empty(t, back)
		} else {
			assert.Equal(t, events, back)
		}
	})
}
