package endpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// dashboardPath is where the dashboards of presigned URLs are served:
// /dashboard/APPLICATION/?authToken=TOKEN.
const dashboardPath = "/dashboard/"

// maxDashboardTokens bounds the tokens kept; the oldest expire first.
const maxDashboardTokens = 1024

// defaultSession is SessionExpirationDurationInSeconds when it is not
// given, as the service's default (12 hours).
const defaultSession = 43200

type dashboardToken struct {
	app     string
	expires time.Time
}

// add keeps a token, dropping expired ones and, past the bound, the one
// that expires first.
func (d *dashboardTokens) add(token string, t dashboardToken) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for k, v := range d.m {
		if now.After(v.expires) {
			delete(d.m, k)
		}
	}
	if len(d.m) >= maxDashboardTokens {
		var first string
		for k, v := range d.m {
			if first == "" || v.expires.Before(d.m[first].expires) {
				first = k
			}
		}
		delete(d.m, first)
	}
	d.m[token] = t
}

func (d *dashboardTokens) valid(token, app string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.m[token]
	return ok && t.app == app && time.Now().Before(t.expires)
}

// createApplicationPresignedURL answers FLINK_DASHBOARD_URL with a URL on
// this server, valid for the session's duration, of the Flink dashboard of
// the application's job (flinksim/dashboard).
func createApplicationPresignedURL(ctx context.Context, h *Handler, r *http.Request, in createApplicationPresignedURLRequest) (any, error) {
	if in.URLType != "FLINK_DASHBOARD_URL" {
		return nil, unsupported("UrlType " + in.URLType)
	}
	secs := deref(in.SessionExpirationDurationInSeconds)
	if in.SessionExpirationDurationInSeconds == nil {
		secs = defaultSession
	}
	if secs < 1800 || secs > 43200 {
		return nil, invalid("SessionExpirationDurationInSeconds %d is out of range: it must be 1800 to 43200", secs)
	}
	d, err := h.svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: in.ApplicationName})
	if err != nil {
		return nil, err
	}
	if d.ApplicationDetail.ApplicationStatus != lifecycle.StatusRunning {
		return nil, &lifecycle.ResourceInUseException{Message: "application " + in.ApplicationName + " is " + string(d.ApplicationDetail.ApplicationStatus) + ": its dashboard is there while it is RUNNING"}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	h.dashboards.add(token, dashboardToken{app: in.ApplicationName, expires: time.Now().Add(time.Duration(secs) * time.Second)})
	u := url.URL{Scheme: "http", Host: r.Host, Path: dashboardPath + in.ApplicationName + "/", RawQuery: url.Values{"authToken": {token}}.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return createApplicationPresignedURLResponse{AuthorizedURL: u.String()}, nil
}

// dashboardCookie carries a presigned URL's token to the requests of its
// page, which calls the REST API relative to its own URL.
const dashboardCookie = "flinksim-dashboard"

// serveDashboard serves the dashboard of a presigned URL,
// /dashboard/APPLICATION/?authToken=TOKEN: flinksim/dashboard's page and
// REST API for the application's job, under that path. A valid token in the
// query sets a cookie for the path, so that the page's own requests carry
// it.
func (h *Handler) serveDashboard(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, dashboardPath)
	app, _, _ := strings.Cut(rest, "/")
	base := dashboardPath + app
	token := r.URL.Query().Get("authToken")
	if token == "" {
		if c, err := r.Cookie(dashboardCookie); err == nil {
			token = c.Value
		}
	}
	if !h.dashboards.valid(token, app) {
		http.Error(w, "this dashboard URL is not valid, or has expired", http.StatusForbidden)
		return
	}
	if r.URL.Query().Get("authToken") != "" {
		http.SetCookie(w, &http.Cookie{Name: dashboardCookie, Value: token, Path: base + "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	if r.URL.Path == base { // the page's relative URLs need the slash
		http.Redirect(w, r, base+"/", http.StatusFound)
		return
	}
	dash, err := h.dashboardOf(app)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	http.StripPrefix(base, dash).ServeHTTP(w, r)
}

// dashboardOf returns the dashboard of an application, made at its first
// request and kept until Close.
func (h *Handler) dashboardOf(app string) (*dashboard.Handler, error) {
	h.dashMu.Lock()
	defer h.dashMu.Unlock()
	if h.dashClosed {
		return nil, errors.New("the endpoint is closed")
	}
	if d := h.dash[app]; d != nil {
		return d, nil
	}
	d := dashboard.New(dashboard.Options{Jobs: func() []*flinksim.JobClient {
		if jc, err := h.svc.JobClient(app); err == nil && jc != nil {
			return []*flinksim.JobClient{jc}
		}
		return nil
	}})
	h.dash[app] = d
	return d, nil
}

// Close ends the dashboards' work in progress (savepoints their buttons
// asked for) and waits for it. Call it after the server has shut down.
func (h *Handler) Close() {
	h.dashMu.Lock()
	h.dashClosed = true
	dashes := h.dash
	h.dash = nil
	h.dashMu.Unlock()
	for _, d := range dashes {
		d.Close()
	}
}
