package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// windowKind is the --window flag: the shape of the windows.
type windowKind int

const (
	tumbling windowKind = iota + 1
	sliding
	session
)

func (k windowKind) String() string {
	switch k {
	case tumbling:
		return "tumbling"
	case sliding:
		return "sliding"
	case session:
		return "session"
	}
	return "windowKind(" + strconv.Itoa(int(k)) + ")"
}

// windowSpec is what the counts depend on: the windows and the time rules.
// Every duration is a whole number of milliseconds; Size, Slide and Gap are
// positive where they apply and zero where they do not.
type windowSpec struct {
	Kind windowKind
	// Size is the length of tumbling and sliding windows.
	Size time.Duration
	// Slide is the distance between the starts of sliding windows.
	Slide time.Duration
	// Gap is the inactivity that ends a session.
	Gap time.Duration
	// OutOfOrderness is how far behind the largest timestamp so far the
	// watermark stays (and 1 ms more).
	OutOfOrderness time.Duration
	// AllowedLateness is how long after its firing a window still takes
	// records, firing again for each.
	AllowedLateness time.Duration
}

// config is the command line.
type config struct {
	windowSpec
	// Parallelism is the parallelism of the job.
	Parallelism int
	// LateFile is where records dropped as late are written; "" for nowhere.
	LateFile string
	// InputFile is the input.
	InputFile string
}

const usageLine = "usage: windows [--parallelism N] --window tumbling|sliding|session --size D [--slide D] [--gap D] [--out-of-orderness D] [--allowed-lateness D] [--late FILE] FILE"

// parseArgs parses the command line (without the program name), writing
// the usage to stderr for --help (then the error is flag.ErrHelp) or a bad
// flag. A flag that does not apply to the chosen window (--slide without
// sliding windows, --gap without sessions, --size with sessions) is an
// error rather than ignored.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("windows", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.Parallelism, "parallelism", runtime.GOMAXPROCS(0), "parallelism of every operator")
	window := fs.String("window", "", "window shape: tumbling, sliding or session (required)")
	fs.DurationVar(&c.Size, "size", 0, "length `D` of tumbling and sliding windows, such as 10s or 500ms")
	fs.DurationVar(&c.Slide, "slide", 0, "distance `D` between the starts of sliding windows")
	fs.DurationVar(&c.Gap, "gap", 0, "inactivity `D` that ends a session")
	fs.DurationVar(&c.OutOfOrderness, "out-of-orderness", 0, "how far `D` the watermark stays behind the largest timestamp")
	fs.DurationVar(&c.AllowedLateness, "allowed-lateness", 0, "how long `D` a fired window still takes late records")
	fs.StringVar(&c.LateFile, "late", "", "write records dropped as late to `FILE`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usageLine)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var errs []error
	switch *window {
	case "tumbling":
		c.Kind = tumbling
	case "sliding":
		c.Kind = sliding
	case "session":
		c.Kind = session
	case "":
		errs = append(errs, errors.New("--window is required: tumbling, sliding or session"))
	default:
		errs = append(errs, fmt.Errorf("unknown --window %q: want tumbling, sliding or session", *window))
	}
	needs := func(name string, need bool, d time.Duration) {
		switch {
		case need && !set[name]:
			errs = append(errs, fmt.Errorf("%s windows need --%s", c.Kind, name))
		case !need && set[name] && c.Kind != 0:
			errs = append(errs, fmt.Errorf("--%s does not apply to %s windows", name, c.Kind))
		case need && d <= 0:
			errs = append(errs, fmt.Errorf("--%s %v is not positive", name, d))
		}
	}
	needs("size", c.Kind == tumbling || c.Kind == sliding, c.Size)
	needs("slide", c.Kind == sliding, c.Slide)
	needs("gap", c.Kind == session, c.Gap)
	if c.OutOfOrderness < 0 {
		errs = append(errs, fmt.Errorf("--out-of-orderness %v is negative", c.OutOfOrderness))
	}
	if c.AllowedLateness < 0 {
		errs = append(errs, fmt.Errorf("--allowed-lateness %v is negative", c.AllowedLateness))
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"size", c.Size}, {"slide", c.Slide}, {"gap", c.Gap}, {"out-of-orderness", c.OutOfOrderness}, {"allowed-lateness", c.AllowedLateness}} {
		if d.d%time.Millisecond != 0 {
			errs = append(errs, fmt.Errorf("--%s %v is not a whole number of milliseconds", d.name, d.d))
		}
	}
	if c.Parallelism < 1 {
		errs = append(errs, fmt.Errorf("--parallelism %d is not positive", c.Parallelism))
	}
	switch fs.NArg() {
	case 1:
		c.InputFile = fs.Arg(0)
	case 0:
		errs = append(errs, errors.New("no input FILE"))
	default:
		errs = append(errs, fmt.Errorf("one input FILE, not %d: %q", fs.NArg(), fs.Args()))
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, err
	}
	return c, nil
}

// event is one input record.
type event struct {
	// TimestampMs is the event time, in epoch milliseconds.
	TimestampMs int64
	// Key is the key the counts are per.
	Key string
}

// maxLineBytes bounds an input line, so a file without newlines cannot
// take all memory for one line.
const maxLineBytes = 1 << 20

// readEvents reads the input file: see parseEvents.
func readEvents(path string) ([]event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	defer f.Close()
	return parseEvents(f, path)
}

// parseEvents reads lines "TIMESTAMP_MS<TAB>KEY" from r, named name in
// errors: TIMESTAMP_MS a base-10 int64 (as strconv.ParseInt reads it), KEY
// any non-empty bytes without a tab or a carriage return (spaces
// are part of the key). A line
// may end in "\r\n". Blank lines may end the input, and nowhere else. A
// malformed line is an error naming name and the line number, as
// "NAME:LINE: what is wrong".
func parseEvents(r io.Reader, name string) ([]event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	var events []event
	line, blank := 0, 0 // blank: the first blank line of a run of them
	for sc.Scan() {
		line++
		text := sc.Bytes() // without its "\n" or "\r\n"
		if len(text) == 0 {
			if blank == 0 {
				blank = line
			}
			continue
		}
		if blank != 0 {
			return nil, fmt.Errorf("%s:%d: blank line before more records", name, blank)
		}
		ts, key, ok := bytes.Cut(text, []byte("\t"))
		if !ok {
			return nil, fmt.Errorf("%s:%d: no tab between TIMESTAMP_MS and KEY", name, line)
		}
		if bytes.IndexByte(key, '\t') >= 0 {
			return nil, fmt.Errorf("%s:%d: more than one tab (a KEY has none)", name, line)
		}
		if bytes.IndexByte(key, '\r') >= 0 {
			return nil, fmt.Errorf("%s:%d: carriage return in KEY", name, line)
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("%s:%d: empty KEY", name, line)
		}
		ms, err := strconv.ParseInt(string(ts), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: TIMESTAMP_MS %q is not an integer of milliseconds", name, line, ts)
		}
		events = append(events, event{TimestampMs: ms, Key: string(key)})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLineBytes)
		}
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return events, nil
}

// firing is one firing of a window: its count of records of its key when
// it fired.
type firing struct {
	StartMs, EndMs int64
	Key            string
	Count          int64
}

// compareFirings orders firings by start, end, key (bytewise), then count:
// the order of the output.
func compareFirings(a, b firing) int {
	return cmp.Or(cmp.Compare(a.StartMs, b.StartMs), cmp.Compare(a.EndMs, b.EndMs), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Count, b.Count))
}

// writeFirings sorts firings in place (see compareFirings) and writes one
// line "START_MS<TAB>END_MS<TAB>KEY<TAB>COUNT" for each.
func writeFirings(w io.Writer, firings []firing) error {
	slices.SortFunc(firings, compareFirings)
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, f := range firings {
		buf = strconv.AppendInt(buf[:0], f.StartMs, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, f.EndMs, 10)
		buf = append(buf, '\t')
		buf = append(buf, f.Key...)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, f.Count, 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeEvents writes events in the input's format, "TIMESTAMP_MS<TAB>KEY"
// lines in the order given, the timestamp in canonical base 10: what
// parseEvents reads back as the same events.
func writeEvents(w io.Writer, events []event) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, e := range events {
		buf = strconv.AppendInt(buf[:0], e.TimestampMs, 10)
		buf = append(buf, '\t')
		buf = append(buf, e.Key...)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
