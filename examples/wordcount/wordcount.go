package main

import (
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/flinksim/go-flinksim/flinksim"
)

// wordCount is a word and how often it has been seen so far.
type wordCount struct {
	Word  string
	Count int64
}

// counts is the latest count of every word, as written by the sink.
type counts struct {
	mu     sync.Mutex
	byWord map[string]int64
}

// runningCounts adds the running word count to lines' environment: split
// lines into words (as strings.Fields does), key by word, count each word
// in keyed state, and emit every word occurrence with its count so far.
func runningCounts(lines flinksim.Stream[string]) flinksim.Stream[wordCount] {
	words := flinksim.FlatMap(lines, "split", func(line string, out flinksim.Collector[string]) error {
		for w := range strings.FieldsSeq(line) {
			out.Collect(w)
		}
		return nil
	})
	return flinksim.Process(flinksim.KeyBy(words, func(w string) string { return w }), "count",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, wordCount], error) {
			seen := flinksim.NewValueState[int64](rt, "seen")
			return flinksim.ProcessFunc[string, string, wordCount](
				func(ctx *flinksim.KeyedContext[string], w string, out flinksim.Collector[wordCount]) error {
					n, _ := seen.Value()
					n++
					seen.Update(n)
					out.Collect(wordCount{Word: w, Count: n})
					return nil
				}), nil
		})
}

// appendLine appends c as the line "word<TAB>count\n".
func appendLine(dst []byte, c wordCount) []byte {
	dst = append(dst, c.Word...)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, c.Count, 10)
	return append(dst, '\n')
}

// countWords adds the word count dataflow to lines' environment (see
// runningCounts) and upserts every new count into the returned counts.
func countWords(lines flinksim.Stream[string]) *counts {
	running := runningCounts(lines)
	result := &counts{byWord: make(map[string]int64)}
	flinksim.SinkTo(running, "latest", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[wordCount], error) {
		return &upsertWriter{into: result, latest: make(map[string]int64)}, nil
	})
	return result
}

// upsertWriter keeps the latest count of each word its subtask sees and
// merges them into the shared result at the end of input. Keys are
// partitioned, so subtasks never write the same word.
type upsertWriter struct {
	into   *counts
	latest map[string]int64
}

func (w *upsertWriter) Write(c wordCount) error {
	w.latest[c.Word] = c.Count
	return nil
}

func (w *upsertWriter) Flush(endOfInput bool) error {
	if endOfInput {
		w.into.mu.Lock()
		defer w.into.mu.Unlock()
		maps.Copy(w.into.byWord, w.latest)
	}
	return nil
}
