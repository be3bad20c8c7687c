package main

import (
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/flinksim/go-flinksim/flinksim"
)

// rowCounter counts the rows of every sink subtask and drops them.
type rowCounter[R row] struct {
	n atomic.Int64
}

func (c *rowCounter[R]) open(*flinksim.RuntimeContext) (flinksim.SinkWriter[R], error) {
	return &countWriter[R]{c: c}, nil
}

func (c *rowCounter[R]) total() int64 { return c.n.Load() }

// countWriter counts one subtask's rows, adding them to the total at the
// end of input (a shared counter per row would cost every subtask a
// contended atomic).
type countWriter[R row] struct {
	c *rowCounter[R]
	n int64
}

func (w *countWriter[R]) Write(R) error { w.n++; return nil }

func (w *countWriter[R]) Close() error {
	w.c.n.Add(w.n)
	w.n = 0
	return nil
}

// summarySamples is how many rows a summary shows.
const summarySamples = 3

// summary describes a query's canonical lines without keeping them: their
// number, an order-independent checksum, and the first few in sorted
// order. Equal outputs have equal summaries, whatever the parallelism.
type summary struct {
	// Rows is the number of lines.
	Rows int64
	// Checksum is the sum, modulo 2^64, of every line's 64-bit FNV-1a hash.
	Checksum uint64
	// Samples are the smallest lines, at most summarySamples, sorted.
	Samples []string
}

// add adds one canonical line.
func (s *summary) add(line string) {
	h := fnv.New64a()
	h.Write([]byte(line))
	s.Rows++
	s.Checksum += h.Sum64()
	s.sample(line)
}

// sample keeps line among the samples if it is one of the smallest.
func (s *summary) sample(line string) {
	if len(s.Samples) == summarySamples && line >= s.Samples[summarySamples-1] {
		return
	}
	i, _ := slices.BinarySearch(s.Samples, line)
	s.Samples = slices.Insert(s.Samples, i, line)
	if len(s.Samples) > summarySamples {
		s.Samples = s.Samples[:summarySamples]
	}
}

// merge adds the lines o summarizes.
func (s *summary) merge(o summary) {
	s.Rows += o.Rows
	s.Checksum += o.Checksum
	for _, l := range o.Samples {
		s.sample(l)
	}
}

// summarize returns the summary of lines.
func summarize(lines []string) summary {
	var s summary
	for _, l := range lines {
		s.add(l)
	}
	return s
}

// summarySink summarizes the rows of every sink subtask; an update
// query's rows are kept until the end, since only each key's latest
// counts. It is a plain sink: a job that restarts would count the rows it
// replays twice, so the command runs without restarts.
type summarySink[R row] struct {
	mu      sync.Mutex
	writers []*summaryWriter[R]
}

func (s *summarySink[R]) open(*flinksim.RuntimeContext) (flinksim.SinkWriter[R], error) {
	w := &summaryWriter[R]{}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writers = append(s.writers, w)
	return w, nil
}

// summary merges the subtasks' summaries; call it after the job ended.
func (s *summarySink[R]) summary() summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all summary
	var updates []R
	for _, w := range s.writers {
		all.merge(w.sum)
		updates = append(updates, w.updates...)
	}
	if len(updates) > 0 {
		return summarize(finalLines(updates))
	}
	return all
}

// summaryWriter is one sink subtask's summary.
type summaryWriter[R row] struct {
	sum     summary
	updates []R
}

func (w *summaryWriter[R]) Write(r R) error {
	if _, ok := any(r).(update); ok {
		w.updates = append(w.updates, r)
		return nil
	}
	w.sum.add(r.String())
	return nil
}
