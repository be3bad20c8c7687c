package timeline

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
	"time"
)

// Layout of the SVG, in pixels.
const (
	left     = 200.0 // the lane labels
	right    = 40.0
	top      = 56.0 // title and time axis
	groupH   = 18.0 // a task manager's heading
	inputH   = 14.0 // one input row
	eventH   = 22.0 // the row of snapshots, acks, failures, restores
	txnH     = 14.0 // the row of transactions
	lanePad  = 6.0
	bottom   = 30.0
	minWidth = 2.0 // of a span
)

// geometry of a lane's rows.
func (l *lane) inputY(i int) float64 { return l.y + lanePad + float64(i)*inputH + inputH/2 }
func (l *lane) eventY() float64      { return l.y + lanePad + float64(l.inputs)*inputH + eventH/2 }
func (l *lane) txnY() float64        { return l.y + lanePad + float64(l.inputs)*inputH + eventH + txnH/2 }

// layout sets every lane's y and height and returns the picture's size.
func (tl *Timeline) layout() (w, h float64) {
	y := top
	prevTM := -2
	for _, l := range tl.lanes {
		if tl.grouped && l.tm != prevTM {
			y += groupH
			prevTM = l.tm
		}
		l.y = y
		l.h = 2*lanePad + float64(l.inputs)*inputH + eventH
		if l.txns {
			l.h += txnH
		}
		y += l.h
	}
	return tl.x(tl.end) + right, y + bottom
}

// x is the horizontal position of time t.
func (tl *Timeline) x(t time.Duration) float64 {
	return left + float64(t)/float64(time.Millisecond)*tl.pxPerMs
}

// svgWriter writes elements with their data attributes.
type svgWriter struct {
	w   *bufio.Writer
	err error
}

func (s *svgWriter) printf(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

// attrs are the machine-readable attributes of m, and the times that the
// page's zoom moves it by.
func (tl *Timeline) attrs(m *mark) string {
	var b strings.Builder
	fmt.Fprintf(&b, ` data-event="%s" data-time="%d" data-seq="%d"`, m.event, int64(m.t), m.seq)
	if m.checkpoint != 0 || m.event == "commit" || m.event == "restore" {
		fmt.Fprintf(&b, ` data-checkpoint="%d"`, m.checkpoint)
	}
	if l := tl.byID[m.taskID]; m.taskID >= 0 && l != nil {
		fmt.Fprintf(&b, ` data-task="%s" data-subtask="%d"`, html.EscapeString(l.task), l.subtask)
	}
	if m.channel >= 0 {
		fmt.Fprintf(&b, ` data-channel="%d" data-input="%d"`, m.channel, m.input)
	}
	if m.hasSpan || m.event == "blocked" {
		fmt.Fprintf(&b, ` data-end="%d"`, int64(m.end))
	}
	if m.records != 0 {
		fmt.Fprintf(&b, ` data-records="%d"`, m.records)
	}
	if m.event == "snapshot" {
		fmt.Fprintf(&b, ` data-size="%d"`, m.size)
	}
	if m.txn != "" {
		fmt.Fprintf(&b, ` data-txn="%s"`, html.EscapeString(m.txn))
	}
	return b.String()
}

func title(detail string) string {
	return "<title>" + html.EscapeString(detail) + "</title>"
}

// WriteSVG writes the timeline as a standalone SVG document.
func (tl *Timeline) WriteSVG(w io.Writer) error {
	s := &svgWriter{w: bufio.NewWriter(w)}
	tl.svg(s, "")
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// svg writes the <svg> element; id, if set, is its id attribute.
func (tl *Timeline) svg(s *svgWriter, id string) {
	w, h := tl.layout()
	idAttr := ""
	if id != "" {
		idAttr = ` id="` + id + `"`
	}
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg"%s width="%s" height="%s" viewBox="0 0 %s %s" data-left="%s" data-px-per-ms="%s" font-family="monospace" font-size="9">`+"\n",
		idAttr, f1(w), f1(h), f1(w), f1(h), f1(left), fmt.Sprintf("%.4f", tl.pxPerMs))
	s.printf(`<style>.lane{fill:#f7f7f7}.blocked{fill:#f4b183;fill-opacity:.6}.batch{stroke:#888}.poll{stroke:#4472c4}.flow{stroke:#7030a0;stroke-dasharray:2 2;fill:none}.barrier{fill:#7030a0}.snapshot{fill:#2e75b6}.ack{fill:#70ad47}.complete{stroke:#2e7d32;stroke-width:1.5}.abort{stroke:#999;stroke-dasharray:4 3}.attempt{stroke:#c00000;stroke-dasharray:1 3}.failure{stroke:#c00000;stroke-width:2.5}.restore{fill:#2e7d32}.precommit{fill:none;stroke:#2e7d32}.commit{fill:#2e7d32;fill-opacity:.75}.txnabort{fill:none;stroke:#c00000;stroke-dasharray:2 2}.dup{fill:none;stroke:#ff8c00;stroke-width:2}.replay{fill:#ffd966;fill-opacity:.35;stroke:#bf9000;stroke-dasharray:3 2}.eoi{stroke:#444;stroke-width:2}text.small{font-size:7px;fill:#555}</style>` + "\n")
	s.printf(`<text x="8" y="16" font-size="13">%s</text>`+"\n", html.EscapeString(tl.title))
	tl.axis(s, h)
	tl.drawLanes(s)
	for _, m := range tl.marks {
		tl.draw(s, m, h)
	}
	s.printf("</svg>\n")
}

// axis draws the time axis: a tick every 10ms (or a tenth of the run).
func (tl *Timeline) axis(s *svgWriter, h float64) {
	step := 10 * time.Millisecond
	for tl.end/step > 20 {
		step *= 2
	}
	for t := time.Duration(0); t <= tl.end; t += step {
		x := f1(tl.x(t))
		s.printf(`<line class="tick" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#ddd" data-t0="%d"/>`, x, x, f1(top-12), f1(h-bottom), int64(t))
		s.printf(`<text x="%s" y="%s" text-anchor="middle" data-t0="%d">%v</text>`+"\n", x, f1(top-16), int64(t), t)
	}
}

// drawLanes draws the task managers' headings, the lanes and their input
// rows, each named by its channel and producer.
func (tl *Timeline) drawLanes(s *svgWriter) {
	prevTM := -2
	for _, l := range tl.lanes {
		if tl.grouped && l.tm != prevTM {
			prevTM = l.tm
			s.printf(`<text x="4" y="%s" font-weight="bold" data-event="taskmanager" data-taskmanager="%d">task manager %d</text>`+"\n", f1(l.y-5), l.tm, l.tm)
		}
		s.printf(`<rect class="lane" x="0" y="%s" width="100%%" height="%s" data-event="lane" data-task="%s" data-subtask="%d" data-taskmanager="%d"/>`,
			f1(l.y+1), f1(l.h-2), html.EscapeString(l.task), l.subtask, l.tm)
		s.printf(`<text x="8" y="%s" font-size="10">%s</text>`+"\n", f1(l.eventY()+3), html.EscapeString(l.name()))
		for _, c := range tl.channels {
			if c.to != l.taskID || c.input < 0 {
				continue
			}
			from := "?"
			if p := tl.byID[c.from]; p != nil {
				from = p.name()
			}
			s.printf(`<text class="small" x="16" y="%s" data-event="channel" data-task="%s" data-subtask="%d" data-channel="%d" data-input="%d">in%d ← %s (ch %d)</text>`+"\n",
				f1(l.inputY(c.input)+2), html.EscapeString(l.task), l.subtask, c.id, c.input, c.input, html.EscapeString(from), c.id)
		}
	}
}

// draw draws one mark.
func (tl *Timeline) draw(s *svgWriter, m *mark, h float64) {
	a := tl.attrs(m)
	x := tl.x(m.t)
	l := tl.byID[m.taskID]
	t0 := fmt.Sprintf(` data-t0="%d"`, int64(m.t))
	span := func(from, to time.Duration) string {
		return fmt.Sprintf(` data-t0="%d" data-t1="%d"`, int64(from), int64(to))
	}
	width := func(from, to time.Duration) string { return f1(max(tl.x(to)-tl.x(from), minWidth)) }
	switch m.event {
	case "complete", "abort", "attempt":
		class := map[string]string{"complete": "complete", "abort": "abort", "attempt": "attempt"}[m.event]
		y := map[string]float64{"complete": top - 6, "abort": top - 1, "attempt": top - 1}[m.event]
		tx, anchor := x+2, "start"
		if m.event == "attempt" {
			tx, anchor = x-2, "end" // beside the abort of the checkpoint it cut short
		}
		s.printf(`<g%s><line class="%s" x1="%s" x2="%s" y1="%s" y2="%s"%s/><text x="%s" y="%s" font-size="8" text-anchor="%s"%s>%s</text>%s</g>`+"\n",
			a, class, f1(x), f1(x), f1(top-4), f1(h-bottom+6), t0, f1(tx), f1(y), anchor, t0, html.EscapeString(m.label), title(m.detail))
	case "poll":
		y := l.eventY()
		s.printf(`<g%s><line class="poll" x1="%s" x2="%s" y1="%s" y2="%s"%s/><text class="small" x="%s" y="%s"%s>%s</text>%s</g>`+"\n",
			a, f1(x), f1(x), f1(y-6), f1(y+6), t0, f1(x+1), f1(y-6), t0, m.label, title(m.detail))
	case "batch":
		y := l.inputY(m.input)
		s.printf(`<g%s><line class="batch" x1="%s" x2="%s" y1="%s" y2="%s"%s/><text class="small" x="%s" y="%s"%s>%s</text>%s</g>`+"\n",
			a, f1(x), f1(x), f1(y-5), f1(y+5), t0, f1(x+1), f1(y-1), t0, m.label, title(m.detail))
	case "replay":
		y := l.eventY()
		s.printf(`<rect class="replay"%s x="%s" y="%s" width="%s" height="%s"%s>%s</rect>`+"\n",
			a, f1(x), f1(y-eventH/2+2), width(m.t, m.end), f1(eventH-4), span(m.t, m.end), title(m.detail))
	case "duplicate":
		y := l.inputY(m.input)
		s.printf(`<rect class="dup"%s x="%s" y="%s" width="6" height="12"%s>%s</rect>`+"\n", a, f1(x-3), f1(y-6), t0, title(m.detail))
	case "blocked":
		y := l.inputY(m.input)
		s.printf(`<rect class="blocked"%s x="%s" y="%s" width="%s" height="%s"%s>%s</rect>`+"\n",
			a, f1(x), f1(y-inputH/2+1), width(m.t, m.end), f1(inputH-2), span(m.t, m.end), title(m.detail))
	case "barrier":
		y := l.inputY(m.input)
		if m.hasFrom {
			if p := tl.byID[tl.channelOf(m.channel).from]; p != nil {
				s.printf(`<line class="flow" data-event="barrier-path" data-checkpoint="%d" data-channel="%d" x1="%s" y1="%s" x2="%s" y2="%s" data-t0="%d" data-t1="%d"/>`+"\n",
					m.checkpoint, m.channel, f1(tl.x(m.from)), f1(p.eventY()), f1(x), f1(y), int64(m.from), int64(m.t))
			}
		}
		s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><path class="barrier" d="M0,-6L4,0L0,6L-4,0Z"/><text x="5" y="3" font-size="8" fill="#7030a0">%s</text>%s</g>`+"\n",
			a, f1(x), f1(y), f1(y), t0, m.label, title(m.detail))
	case "snapshot":
		y := l.eventY()
		s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><circle class="snapshot" r="4"/><text class="small" x="-4" y="-6">%s</text>%s</g>`+"\n",
			a, f1(x), f1(y), f1(y), t0, m.label, title(m.detail))
	case "ack":
		y := l.eventY()
		s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><path class="ack" d="M5,6L9,6L7,1Z"/>%s</g>`+"\n",
			a, f1(x), f1(y), f1(y), t0, title(m.detail))
	case "failure":
		y := l.eventY()
		s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><path class="failure" d="M-5,-5L5,5M-5,5L5,-5"/><text x="7" y="-3" font-size="9" fill="#c00000">failure</text>%s</g>`+"\n",
			a, f1(x), f1(y), f1(y), t0, title(m.detail))
	case "restore":
		y := l.eventY()
		s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><rect class="restore" x="-3" y="-5" width="6" height="10"/><text x="5" y="9" font-size="8" fill="#2e7d32">%s</text>%s</g>`+"\n",
			a, f1(x), f1(y), f1(y), t0, html.EscapeString(m.label), title(m.detail))
	case "precommit":
		y := l.txnY()
		s.printf(`<g%s><rect class="precommit" x="%s" y="%s" width="%s" height="%s"%s/><line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#2e7d32"%s/><text class="small" x="%s" y="%s" data-t0="%d">%s</text>%s</g>`+"\n",
			a, f1(tl.x(m.begin)), f1(y-5), width(m.begin, m.end), "10", span(m.begin, m.end),
			f1(x), f1(x), f1(y-5), f1(y+5), t0, f1(tl.x(m.begin)+2), f1(y+3), int64(m.begin), html.EscapeString(m.label), title(m.detail))
	case "commit":
		y := l.txnY()
		s.printf(`<rect class="commit"%s x="%s" y="%s" width="%s" height="10"%s>%s</rect>`+"\n",
			a, f1(x), f1(y-5), width(m.t, m.end), span(m.t, m.end), title(m.detail))
	case "txn-abort":
		y := l.txnY()
		if m.hasSpan {
			s.printf(`<rect class="txnabort"%s x="%s" y="%s" width="%s" height="10"%s>%s</rect>`+"\n",
				a, f1(tl.x(m.begin)), f1(y-5), width(m.begin, m.t), span(m.begin, m.t), title(m.detail))
		} else {
			s.printf(`<g%s transform="translate(%s,%s)" data-y="%s"%s><path class="failure" d="M-3,-3L3,3M-3,3L3,-3"/>%s</g>`+"\n",
				a, f1(x), f1(y), f1(y), t0, title(m.detail))
		}
	case "end-of-input":
		y := l.eventY()
		s.printf(`<line class="eoi"%s x1="%s" x2="%s" y1="%s" y2="%s"%s>%s</line>`+"\n", a, f1(x), f1(x), f1(y-8), f1(y+8), t0, title(m.detail))
	}
}

func (tl *Timeline) channelOf(id int) *channel {
	for _, c := range tl.channels {
		if c.id == id {
			return c
		}
	}
	return &channel{id: id, from: -1, to: -1, input: -1}
}
