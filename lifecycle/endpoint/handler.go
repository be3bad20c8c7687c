package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/flinksim/go-flinksim/flinksim/dashboard"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// TargetPrefix is the prefix of the X-Amz-Target header of every action:
// the model's targetPrefix.
const TargetPrefix = "KinesisAnalytics_20180523."

// ContentType is the media type of requests and responses (AWS JSON 1.1).
const ContentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes bounds a request body unless Options.MaxBodyBytes
// says otherwise: a code package inline (50 MiB as the service allows it)
// in base64, with room for the rest.
const DefaultMaxBodyBytes = 70 << 20

// Options configures a Handler. The zero value serves any signed or
// unsigned request.
type Options struct {
	// AccessKeyID, if set, is the one access key accepted: a request must
	// carry a SigV4 Authorization header whose Credential names it. The
	// signature itself is not verified. "" accepts any credentials, and
	// none.
	AccessKeyID string
	// MaxBodyBytes bounds a request body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
}

func (o Options) validate() error {
	if o.MaxBodyBytes < 0 {
		return errors.New("endpoint: Options.MaxBodyBytes is negative")
	}
	if strings.ContainsAny(o.AccessKeyID, "/, ") {
		return fmt.Errorf("endpoint: Options.AccessKeyID %q is not an access key id", o.AccessKeyID)
	}
	return nil
}

// Handler serves the kinesisanalyticsv2 API over a lifecycle.Service: POST /
// with an X-Amz-Target naming the action, and the dashboard pages that
// CreateApplicationPresignedUrl hands out under /dashboard/. It is safe for
// concurrent use.
type Handler struct {
	svc  *lifecycle.Service
	opts Options
	// dashboards holds the tokens of the presigned URLs handed out.
	dashboards dashboardTokens
	// dash holds each application's dashboard, made at its first request.
	dashMu     sync.Mutex
	dash       map[string]*dashboard.Handler
	dashClosed bool
}

// New returns a Handler serving svc. It does not own svc: the caller closes
// it after the server that uses the Handler has shut down.
func New(svc *lifecycle.Service, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("endpoint: nil Service")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Handler{svc: svc, opts: opts, dashboards: dashboardTokens{m: map[string]dashboardToken{}},
		dash: map[string]*dashboard.Handler{}}, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, dashboardPath) {
		h.serveDashboard(w, r)
		return
	}
	if r.URL.Path != "/" {
		writeError(w, &protocolError{status: http.StatusNotFound, code: "UnknownOperationException", msg: "no such path: " + r.URL.Path})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &protocolError{status: http.StatusMethodNotAllowed, code: "UnknownOperationException", msg: "the API takes POST requests"})
		return
	}
	if err := h.authorize(r); err != nil {
		writeError(w, err)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, TargetPrefix)
	act := actions[name]
	if !ok || act == nil {
		if why, known := unsupportedActions[name]; ok && known {
			writeError(w, &lifecycle.UnsupportedOperationException{Message: name + " " + why})
			return
		}
		writeError(w, &protocolError{code: "UnknownOperationException", msg: fmt.Sprintf("unknown operation %q", target)})
		return
	}
	body, err := readBody(w, r, h.opts.MaxBodyBytes)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := act(r.Context(), h, r, body)
	if err != nil {
		writeError(w, err)
		return
	}
	data, err := json.Marshal(out)
	if err != nil {
		writeError(w, fmt.Errorf("encoding the response of %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", ContentType)
	// The service sends Content-Length, so this does too (rather than a
	// chunked body). It is not what keeps aws-sdk-go-v2 reading large
	// responses: the "use of closed network connection" it sometimes
	// reports on them is a race of the client's own (see noWriteTo in the
	// tests), with or without Content-Length.
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &protocolError{status: http.StatusRequestEntityTooLarge, code: "SerializationException", msg: fmt.Sprintf("the request body is larger than %d bytes", limit)}
	}
	if err != nil {
		return nil, &protocolError{code: "SerializationException", msg: "reading the request body: " + err.Error()}
	}
	return data, nil
}

// authorize checks the access key of a signed request when Options
// restrict it.
func (h *Handler) authorize(r *http.Request) error {
	if h.opts.AccessKeyID == "" {
		return nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &protocolError{code: "MissingAuthenticationTokenException", msg: "the request is not signed"}
	}
	if accessKeyID(auth) != h.opts.AccessKeyID {
		return &protocolError{code: "UnrecognizedClientException", msg: "the security token included in the request is invalid"}
	}
	return nil
}

// accessKeyID returns the access key id of a SigV4 Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ..."),
// or "".
func accessKeyID(auth string) string {
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return ""
	}
	for part := range strings.SplitSeq(rest, ",") {
		if cred, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
			id, _, _ := strings.Cut(cred, "/")
			return id
		}
	}
	return ""
}

// protocolError is an error of the protocol rather than of the service:
// an unknown operation, a body that is not JSON, a bad signature.
type protocolError struct {
	status int // 0 means 400
	code   string
	msg    string
}

func (e *protocolError) Error() string        { return e.code + ": " + e.msg }
func (e *protocolError) ErrorCode() string    { return e.code }
func (e *protocolError) ErrorMessage() string { return e.msg }

// writeError answers an error as the service does: a status, the
// x-amzn-ErrorType header and a JSON body with __type and message.
func writeError(w http.ResponseWriter, err error) {
	status, code, msg := http.StatusBadRequest, "", ""
	var pe *protocolError
	var api lifecycle.APIError
	switch {
	case errors.As(err, &pe):
		code, msg = pe.code, pe.msg
		if pe.status != 0 {
			status = pe.status
		}
	case errors.As(err, &api):
		code, msg = api.ErrorCode(), api.ErrorMessage()
	case errors.Is(err, lifecycle.ErrClosed):
		status, code, msg = http.StatusServiceUnavailable, "ServiceUnavailableException", err.Error()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status, code, msg = http.StatusServiceUnavailable, "ServiceUnavailableException", "the request was cancelled: "+err.Error()
	default:
		status, code, msg = http.StatusInternalServerError, "InternalFailure", err.Error()
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, msg})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// dashboardTokens are the tokens of presigned dashboard URLs.
type dashboardTokens struct {
	mu sync.Mutex
	m  map[string]dashboardToken
}
