package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Options configures a Handler. The zero value serves no job.
type Options struct {
	// Jobs returns the jobs to serve, asked on every request: a job that
	// is no longer listed is forgotten, with its trigger ids. A job keeps
	// its id for as long as it is listed.
	Jobs func() []*flinksim.JobClient
	// Registry, if set, also receives the jobs' metrics, and /metrics
	// serves what it gathers (default: a registry of the handler's own).
	Registry *prometheus.Registry
}

// Handler serves Flink's REST API, the dashboard page and the Prometheus
// metrics of its jobs; see the package documentation.
type Handler struct {
	opts    Options
	mux     *http.ServeMux
	metrics http.Handler
	// ctx ends the actions under way when the handler closes; actions
	// counts their goroutines.
	ctx     context.Context
	cancel  context.CancelFunc
	actions sync.WaitGroup

	mu struct {
		sync.Mutex
		closed bool
		jobs   map[*flinksim.JobClient]*entry
	}
}

// maxTriggers bounds the trigger ids kept per job; the oldest go first.
const maxTriggers = 64

// entry is what the handler keeps of one job.
type entry struct {
	id   string
	job  *flinksim.JobClient
	seen time.Time // when the handler first saw the job
	sampler

	mu struct {
		sync.Mutex
		ended    time.Time // when the handler first saw it ended
		triggers map[string]*trigger
		order    []string
	}
}

// trigger is one asynchronous savepoint or stop.
type trigger struct {
	done     bool
	location string
	err      error
}

// New returns a Handler serving the jobs opts.Jobs lists.
func New(opts Options) *Handler {
	h := &Handler{opts: opts, mux: http.NewServeMux()}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.mu.jobs = map[*flinksim.JobClient]*entry{}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	reg.MustRegister(collector{h})
	h.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	h.routes()
	return h
}

// ForJobs returns a Handler serving jobs.
func ForJobs(jobs ...*flinksim.JobClient) *Handler {
	jobs = slices.Clone(jobs)
	return New(Options{Jobs: func() []*flinksim.JobClient { return jobs }})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Close cancels the savepoints and stops under way that the handler
// triggered (the jobs go on running) and waits for them; actions asked
// for afterwards are refused. It does not close the server serving h.
func (h *Handler) Close() error {
	h.mu.Lock()
	h.mu.closed = true
	h.mu.Unlock()
	h.cancel()
	h.actions.Wait()
	return nil
}

// ID returns the id job is served under, and false if the handler does
// not serve it.
func (h *Handler) ID(job *flinksim.JobClient) (string, bool) {
	for _, e := range h.entries() {
		if e.job == job {
			return e.id, true
		}
	}
	return "", false
}

// entries returns the jobs served, in the order Jobs lists them, giving
// new ones an id and forgetting those no longer listed.
func (h *Handler) entries() []*entry {
	var jobs []*flinksim.JobClient
	if h.opts.Jobs != nil {
		jobs = h.opts.Jobs()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*entry, 0, len(jobs))
	listed := make(map[*flinksim.JobClient]bool, len(jobs))
	for _, j := range jobs {
		if j == nil || listed[j] {
			continue
		}
		listed[j] = true
		e := h.mu.jobs[j]
		if e == nil {
			e = &entry{id: newJobID(), job: j, seen: time.Now()}
			e.mu.triggers = map[string]*trigger{}
			h.mu.jobs[j] = e
		}
		out = append(out, e)
	}
	for j := range h.mu.jobs {
		if !listed[j] {
			delete(h.mu.jobs, j)
		}
	}
	return out
}

// lookup returns the job served under id.
func (h *Handler) lookup(id string) *entry {
	for _, e := range h.entries() {
		if e.id == id {
			return e
		}
	}
	return nil
}

// newJobID returns a random id of 32 hex digits, as Flink's JobID.
func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// vertexID is the id of a task (Flink's JobVertexID): 32 hex digits
// derived from its name, which is unique in the job.
func vertexID(task string) string {
	sum := sha256.Sum256([]byte(task))
	return hex.EncodeToString(sum[:16])
}

// ended returns when the handler first saw the job ended (zero: running).
func (e *entry) ended() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mu.ended.IsZero() && e.job.Status().IsTerminal() {
		e.mu.ended = time.Now()
	}
	return e.mu.ended
}

// startAction runs fn on a goroutine the handler owns, recording its
// outcome under a new trigger id; ok is false once the handler closed.
func (h *Handler) startAction(e *entry, fn func(ctx context.Context) (flinksim.CheckpointRecord, error)) (id string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mu.closed {
		return "", false
	}
	id = newJobID()
	t := &trigger{}
	e.mu.Lock()
	e.mu.triggers[id] = t
	e.mu.order = append(e.mu.order, id)
	if len(e.mu.order) > maxTriggers {
		delete(e.mu.triggers, e.mu.order[0])
		e.mu.order = e.mu.order[1:]
	}
	e.mu.Unlock()
	h.actions.Go(func() {
		rec, err := fn(h.ctx)
		e.mu.Lock()
		t.done, t.location, t.err = true, rec.Ref, err
		e.mu.Unlock()
	})
	return id, true
}

// triggerStatus returns a copy of the trigger id, and false if unknown.
func (e *entry) triggerStatus(id string) (trigger, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.mu.triggers[id]
	if !ok {
		return trigger{}, false
	}
	return *t, true
}

// LoopbackAddr returns addr with the loopback host filled in when it names
// none (":8081" becomes "127.0.0.1:8081"), so that a dashboard listens only
// to the local machine unless told otherwise.
func LoopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}
