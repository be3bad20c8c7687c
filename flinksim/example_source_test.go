package flinksim_test

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim"
)

// pages is a source of the lines of some in-memory documents: one split
// per document, its position the next line to read.
type pages map[string][]string

// page is a split: a document and the next line of it to read.
type page struct {
	Doc  string
	Line int
}

func (p pages) Splits(int) ([]page, error) {
	var splits []page
	for _, doc := range slices.Sorted(maps.Keys(p)) {
		splits = append(splits, page{Doc: doc})
	}
	return splits, nil
}

func (p pages) SplitCodec() flinksim.Codec[page] { return flinksim.JSONCodec[page]{} }

func (p pages) NewReader(*flinksim.ReaderContext) (flinksim.SourceReader[string, page], error) {
	return &pageReader{docs: p}, nil
}

type pageReader struct {
	docs   pages
	splits []page
	noMore bool
}

func (r *pageReader) AddSplits(splits []page) error {
	r.splits = append(r.splits, splits...)
	return nil
}

func (r *pageReader) NotifyNoMoreSplits() { r.noMore = true }

// PollNext emits the next line of the first unfinished document.
func (r *pageReader) PollNext(out flinksim.Collector[string]) (flinksim.InputStatus, error) {
	for len(r.splits) > 0 {
		s := &r.splits[0]
		if lines := r.docs[s.Doc]; s.Line < len(lines) {
			out.Collect(s.Doc + ": " + lines[s.Line])
			s.Line++
			return flinksim.MoreAvailable, nil
		}
		r.splits = r.splits[1:]
	}
	if r.noMore {
		return flinksim.EndOfInput, nil
	}
	return flinksim.NothingAvailable, nil
}

// SnapshotState returns the unfinished documents, each at its next line.
func (r *pageReader) SnapshotState(int64) ([]page, error) { return slices.Clone(r.splits), nil }

func (r *pageReader) Close() error { return nil }

func ExampleFromSource() {
	docs := pages{
		"hamlet":  {"to be or not to be", "that is the question"},
		"macbeth": {"tomorrow and tomorrow"},
		"lear":    {"nothing will come of nothing"},
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	lines := flinksim.FromSource(env, "pages", flinksim.Source[string, page](docs))
	sink := flinksim.Collect(lines, "collect")
	if _, err := env.Execute(context.Background(), "pages"); err != nil {
		fmt.Println(err)
		return
	}
	// Splits are dealt round robin: subtask 0 reads hamlet and macbeth,
	// subtask 1 lear; each document in order.
	fmt.Println(sink.Subtask(0))
	fmt.Println(sink.Subtask(1))
	// Output:
	// [hamlet: to be or not to be hamlet: that is the question macbeth: tomorrow and tomorrow]
	// [lear: nothing will come of nothing]
}

func ExampleFromChan() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	orders := make(chan string)
	shouted := flinksim.Map(flinksim.FromChan(env, "orders", orders), "shout",
		func(s string) (string, error) { return s + "!", nil })
	sink := flinksim.Collect(shouted, "collect")
	job, err := env.Start(context.Background(), "orders")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range []string{"coffee", "tea", "cake"} {
		orders <- o // blocks while the job is behind
	}
	close(orders) // ends the source, and so the job
	if err := job.Wait(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Values())
	// Output:
	// [coffee! tea! cake!]
}
