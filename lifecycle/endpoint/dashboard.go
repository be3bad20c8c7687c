package endpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// dashboardPath is where the pages of presigned dashboard URLs are served:
// /dashboard/APPLICATION?authToken=TOKEN.
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
// this server, valid for the session's duration, of a page showing the
// application's job.
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
	u := url.URL{Scheme: "http", Host: r.Host, Path: dashboardPath + in.ApplicationName, RawQuery: url.Values{"authToken": {token}}.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return createApplicationPresignedURLResponse{AuthorizedURL: u.String()}, nil
}

var dashboardPage = template.Must(template.New("dashboard").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Name}} — Flink dashboard</title></head>
<body>
<h1>{{.Name}}</h1>
<p>Application status: {{.Status}}, version {{.Version}}, parallelism {{.Parallelism}}</p>
{{with .Job}}<h2>Job: {{.JobStatus}}</h2>
<p>Restarts: {{.Restarts}}</p>
<table border="1"><tr><th>Task</th><th>Subtask</th><th>Status</th><th>Task manager</th></tr>
{{range .Subtasks}}<tr><td>{{.Task}}</td><td>{{.Subtask}}</td><td>{{.Status}}</td><td>{{.TaskManager}}</td></tr>
{{end}}</table>
{{if .Exceptions}}<h2>Exceptions</h2><ul>{{range .Exceptions}}<li>{{.Time}} {{.Operator}}[{{.Subtask}}]: {{.Cause}}</li>{{end}}</ul>{{end}}
{{else}}<p>No job runs.</p>{{end}}
<h2>Checkpoints</h2>
<p>Completed: {{.Metrics.NumberOfCompletedCheckpoints}}, failed: {{.Metrics.NumberOfFailedCheckpoints}},
last duration: {{.Metrics.LastCheckpointDuration}}, last size: {{.Metrics.LastCheckpointSize}} bytes</p>
<p>Records in: {{.Metrics.NumRecordsIn}}, out: {{.Metrics.NumRecordsOut}}</p>
</body></html>
`))

// serveDashboard serves the page of a presigned URL.
func (h *Handler) serveDashboard(w http.ResponseWriter, r *http.Request) {
	app := strings.TrimPrefix(r.URL.Path, dashboardPath)
	if r.Method != http.MethodGet || !h.dashboards.valid(r.URL.Query().Get("authToken"), app) {
		http.Error(w, "this dashboard URL is not valid, or has expired", http.StatusForbidden)
		return
	}
	d, err := h.svc.DescribeApplication(r.Context(), lifecycle.DescribeApplicationRequest{ApplicationName: app})
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	m, err := h.svc.ApplicationMetrics(r.Context(), app)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	ad := d.ApplicationDetail
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = dashboardPage.Execute(w, map[string]any{
		"Name": ad.ApplicationName, "Status": ad.ApplicationStatus, "Version": ad.ApplicationVersionID,
		"Parallelism": ad.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.CurrentParallelism,
		"Job":         ad.Job, "Metrics": m,
	})
}
