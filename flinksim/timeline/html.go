package timeline

import (
	"bufio"
	"html"
	"io"
)

// WriteHTML writes the timeline as a self-contained HTML page: the SVG,
// a legend, a panel that shows the details of the element under the
// pointer, and zoom on the time axis (buttons, or the mouse wheel with
// Ctrl). It loads nothing from the network.
func (tl *Timeline) WriteHTML(w io.Writer) error {
	s := &svgWriter{w: bufio.NewWriter(w)}
	s.printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", html.EscapeString(tl.title))
	s.printf("%s", pageStyle)
	s.printf("</head>\n<body>\n<h1>%s</h1>\n%s", html.EscapeString(tl.title), pageControls)
	s.printf("<div id=\"scroll\">\n")
	tl.svg(s, "timeline")
	s.printf("</div>\n%s%s</body>\n</html>\n", pageLegend, pageScript)
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

const pageStyle = `<style>
body{font-family:sans-serif;margin:12px}
h1{font-size:16px;margin:0 0 8px}
#scroll{overflow-x:auto;border:1px solid #ccc}
#details{position:sticky;top:0;background:#fffbe6;border:1px solid #e0c060;padding:6px;min-height:1.4em;font-family:monospace;font-size:12px;margin:6px 0}
#legend{font-size:12px;margin-top:8px;line-height:1.6}
[data-event]:hover{opacity:.7}
</style>
`

const pageControls = `<div id="controls">zoom the time axis: <button id="zoom-in" type="button">+</button> <button id="zoom-out" type="button">−</button> <button id="zoom-reset" type="button">1:1</button> <span id="zoom">×1</span> (or Ctrl + wheel)</div>
<div id="details">point at an element of the timeline to see what happened</div>
`

const pageLegend = `<div id="legend">
Lanes are subtasks, grouped by task manager; each row above a lane's name is one input channel.
Grey ticks are batches (with their record counts), purple diamonds are barriers (dashed: from the producer's snapshot),
orange bands are inputs blocked by alignment, blue dots are snapshots (with the state size), green triangles acknowledgements,
green vertical rules completed checkpoints, the red cross a failure, green squares restores (with the checkpoint and the records replayed),
dashed yellow spans what each source emitted between its snapshot and the failure, which it emits again.
A sink's row shows its transactions: hollow while pending, filled once committed; orange frames are records counted twice after the restore.
</div>
`

// pageScript shows details on hover and zooms: an element with data-t0
// (and data-t1) is placed at those times, keeping its offset.
const pageScript = `<script>
(function () {
  var svg = document.getElementById("timeline");
  var left = parseFloat(svg.getAttribute("data-left"));
  var px = parseFloat(svg.getAttribute("data-px-per-ms"));
  var baseW = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
  var zoom = 1;
  function X(t, k) { return left + t / 1e6 * px * k; }
  var items = [];
  svg.querySelectorAll("[data-t0]").forEach(function (el) {
    var t0 = parseFloat(el.getAttribute("data-t0"));
    var t1 = el.hasAttribute("data-t1") ? parseFloat(el.getAttribute("data-t1")) : t0;
    var it = {el: el, t0: t0, t1: t1, tag: el.tagName.toLowerCase()};
    if (it.tag === "g") {
      var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(el.getAttribute("transform") || "");
      if (!m) { return; }
      it.dx = parseFloat(m[1]) - X(t0, 1); it.y = m[2];
    } else if (it.tag === "line") {
      it.dx = parseFloat(el.getAttribute("x1")) - X(t0, 1); it.dx2 = parseFloat(el.getAttribute("x2")) - X(t1, 1);
    } else {
      it.dx = parseFloat(el.getAttribute("x")) - X(t0, 1);
      if (it.tag === "rect") { it.w = parseFloat(el.getAttribute("width")); }
    }
    items.push(it);
  });
  function apply(k) {
    zoom = Math.min(Math.max(k, 0.25), 32);
    items.forEach(function (it) {
      var x = X(it.t0, zoom) + it.dx;
      if (it.tag === "g") { it.el.setAttribute("transform", "translate(" + x.toFixed(1) + "," + it.y + ")"); }
      else if (it.tag === "line") { it.el.setAttribute("x1", x.toFixed(1)); it.el.setAttribute("x2", (X(it.t1, zoom) + it.dx2).toFixed(1)); }
      else {
        it.el.setAttribute("x", x.toFixed(1));
        if (it.tag === "rect" && it.t1 !== it.t0) { it.el.setAttribute("width", Math.max(X(it.t1, zoom) - X(it.t0, zoom), 2).toFixed(1)); }
      }
    });
    var w = left + (baseW - left) * zoom;
    svg.setAttribute("width", w.toFixed(1));
    svg.setAttribute("viewBox", "0 0 " + w.toFixed(1) + " " + h);
    document.getElementById("zoom").textContent = "×" + zoom;
  }
  document.getElementById("zoom-in").addEventListener("click", function () { apply(zoom * 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { apply(zoom / 2); });
  document.getElementById("zoom-reset").addEventListener("click", function () { apply(1); });
  svg.addEventListener("wheel", function (e) {
    if (!e.ctrlKey) { return; }
    e.preventDefault();
    apply(e.deltaY < 0 ? zoom * 1.25 : zoom / 1.25);
  }, {passive: false});
  var details = document.getElementById("details");
  svg.addEventListener("mouseover", function (e) {
    var el = e.target.closest("[data-event]");
    if (!el) { return; }
    var t = el.querySelector(":scope > title");
    var text = (t ? t.textContent : el.getAttribute("data-event")) + "  [" + el.getAttribute("data-event") + " at " +
      (parseFloat(el.getAttribute("data-time") || "0") / 1e6) + "ms]";
    details.textContent = text;
    details.setAttribute("data-shown", el.getAttribute("data-event"));
  });
})();
</script>
`
