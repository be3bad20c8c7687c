package timeline

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// The terminal timeline's symbols, weakest first: a cell shows the
// strongest thing that happened in its time.
var textSymbols = []struct {
	event string
	sym   byte
}{
	{"replay", '~'}, {"batch", '.'}, {"poll", '.'}, {"blocked", '='}, {"ack", 'a'}, {"barrier", 'b'},
	{"end-of-input", '|'}, {"precommit", 'p'}, {"commit", 'C'}, {"txn-abort", 'x'},
	{"duplicate", '2'}, {"snapshot", 'S'}, {"restore", 'R'}, {"failure", 'X'},
}

// textLegend explains the symbols.
const textLegend = ". batch  b barrier  = blocked (alignment)  S snapshot  a ack  p pre-commit  C commit  x abort\n" +
	"X failure  R restore  ~ emitted before the failure and again after the restore  | end of input\n" +
	"2 read after a barrier and before the snapshot, then replayed: counted twice\n" +
	"checkpoints row: N checkpoint N complete (last digit)  - aborted  ^ restart\n"

// labelWidth is the width of the terminal timeline's lane names.
const labelWidth = 20

// WriteText writes the timeline as plain text, width columns of time
// (at least 20) after the lanes' names, then a list of the moments that
// matter: completions, aborts, failures, restores and commits.
func (tl *Timeline) WriteText(w io.Writer, width int) error {
	width = max(width, 20)
	bw := bufio.NewWriter(w)
	end := max(tl.end, time.Millisecond)
	col := func(t time.Duration) int { return min(int(int64(t)*int64(width-1)/int64(end)), width-1) }
	per := time.Duration(int64(end) / int64(width-1)).Round(time.Microsecond)
	fmt.Fprintf(bw, "%s: %v, one column = %v\n", tl.title, tl.end, per)

	axis := []byte(strings.Repeat(" ", width))
	ticks := []byte(strings.Repeat(" ", width))
	step := 10 * time.Millisecond
	for end/step > time.Duration(width/8) {
		step *= 2
	}
	for t := time.Duration(0); t <= end; t += step {
		c := col(t)
		ticks[c] = '+'
		label := fmt.Sprint(t)
		if c+len(label) <= width {
			copy(axis[c:], label)
		}
	}
	fmt.Fprintf(bw, "%-*s%s\n%-*s%s\n", labelWidth, "", bytes.TrimRight(axis, " "), labelWidth, "", bytes.TrimRight(ticks, " "))

	strength := make(map[string]int, len(textSymbols))
	for i, s := range textSymbols {
		strength[s.event] = i + 1
	}
	prevTM := -2
	for _, l := range tl.lanes {
		if tl.grouped && l.tm != prevTM {
			prevTM = l.tm
			fmt.Fprintf(bw, "task manager %d\n", l.tm)
		}
		row := []byte(strings.Repeat(" ", width))
		best := make([]int, width)
		put := func(c, s int) {
			if s > best[c] {
				best[c], row[c] = s, textSymbols[s-1].sym
			}
		}
		for _, m := range tl.marks {
			s := strength[m.event]
			if m.taskID != l.taskID || s == 0 {
				continue
			}
			if m.event == "blocked" || m.event == "replay" {
				for c := col(m.t); c <= col(m.end); c++ {
					put(c, s)
				}
				continue
			}
			put(col(m.t), s)
		}
		name := l.name()
		if len(name) > labelWidth-1 {
			name = name[:labelWidth-2] + "…"
		}
		fmt.Fprintf(bw, "%-*s%s\n", labelWidth, "  "+name, strings.TrimRight(string(row), " "))
	}
	row := []byte(strings.Repeat(" ", width))
	for _, m := range tl.marks {
		switch m.event {
		case "complete":
			row[col(m.t)] = byte('0' + m.checkpoint%10)
		case "abort":
			row[col(m.t)] = '-'
		case "attempt":
			row[col(m.t)] = '^'
		}
	}
	fmt.Fprintf(bw, "%-*s%s\n\n%s\n", labelWidth, "checkpoints", strings.TrimRight(string(row), " "), textLegend)
	for _, m := range tl.marks {
		switch m.event {
		case "complete", "abort", "attempt", "failure", "restore", "commit":
			fmt.Fprintf(bw, "%8v  %s\n", m.t, m.detail)
		}
	}
	return bw.Flush()
}
