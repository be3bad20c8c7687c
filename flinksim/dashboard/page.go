package dashboard

import (
	_ "embed"
	"net/http"
)

// page is the dashboard: one self-contained HTML file whose script polls
// the REST endpoints beside it, relative to its own URL.
//
//go:embed page.html
var page []byte

func servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}
