package endpoint_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

const (
	role   = "arn:aws:iam::123456789012:role/flink"
	bucket = "code"
)

// env is a server under test: the Service, the handler behind an
// httptest.Server, and an SDK client pointed at it.
type env struct {
	svc    *lifecycle.Service
	srv    *httptest.Server
	h      *endpoint.Handler
	client *kinesisanalyticsv2.Client
}

// idleJob is a streaming job that waits for records that never come.
func idleJob(env *flinksim.Environment, _ lifecycle.JobContext) error {
	in := flinksim.FromChan(env, "events", make(chan string))
	flinksim.Sink(flinksim.Reduce(flinksim.KeyBy(in, func(s string) string { return s }), "count",
		func(a, _ string) (string, error) { return a, nil }), "out", func(string) error { return nil })
	return nil
}

// start opens a Service with opts (in memory unless opts.Dir is set),
// registers idleJob as "idle", puts a package naming it at
// s3://code/idle.zip, and serves it.
func start(t testing.TB, opts lifecycle.Options, hopts endpoint.Options) *env {
	t.Helper()
	svc, err := lifecycle.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterBuilder("idle", idleJob); err != nil {
		t.Fatal(err)
	}
	if err := svc.Code().Put(bucket, "idle.zip", lifecycle.NewCodePackage("idle", nil)); err != nil {
		t.Fatal(err)
	}
	h, err := endpoint.New(svc, hopts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	e := &env{svc: svc, srv: srv, h: h, client: newClient(srv.URL, "AKIDEXAMPLE")}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.srv.Close()
	e.h.Close()
	_ = e.svc.Close()
}

// newClient is an SDK client of the server at url that does not retry, so
// that a test sees each answer. Its transport works around a race of the
// client's (see noWriteTo).
func newClient(url, accessKey string) *kinesisanalyticsv2.Client {
	return kinesisanalyticsv2.New(kinesisanalyticsv2.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: noWriteTo{awshttp.NewBuildableClient().GetTransport()}},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "secret"}, nil
		}),
	})
}

// noWriteTo hides the WriteTo method of the SDK's request bodies. Without
// it, a client that does not retry fails now and then ("deserialization
// failed, failed to decode response body, read tcp ...: use of closed
// network connection") on a response larger than the transport's read
// buffer, whatever the server sends: after writing a body of known length
// net/http copies what is left of it to io.Discard; smithy-go's request
// body, once the SDK has closed it (it does as soon as the response
// arrives), answers WriteTo with io.EOF as an error, so net/http's write
// loop takes the request for failed and closes the connection the
// response is being read from. Read after close returns (0, io.EOF),
// which io.Copy takes for the end, so a body without WriteTo is safe. The
// SDK's default retryer retries the error; these clients do not retry.
type noWriteTo struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t noWriteTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.base.RoundTrip(r)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// createInput is a Flink application running s3://code/idle.zip, with
// snapshots enabled.
func createInput(name string) *kinesisanalyticsv2.CreateApplicationInput {
	return &kinesisanalyticsv2.CreateApplicationInput{
		ApplicationName:      aws.String(name),
		RuntimeEnvironment:   types.RuntimeEnvironmentFlink120,
		ServiceExecutionRole: aws.String(role),
		ApplicationConfiguration: &types.ApplicationConfiguration{
			ApplicationCodeConfiguration: &types.ApplicationCodeConfiguration{
				CodeContentType: types.CodeContentTypeZipfile,
				CodeContent: &types.CodeContent{S3ContentLocation: &types.S3ContentLocation{
					BucketARN: aws.String("arn:aws:s3:::" + bucket), FileKey: aws.String("idle.zip")}},
			},
			ApplicationSnapshotConfiguration: &types.ApplicationSnapshotConfiguration{SnapshotsEnabled: aws.Bool(true)},
		},
	}
}

func create(t testing.TB, e *env, name string) *types.ApplicationDetail {
	t.Helper()
	out, err := e.client.CreateApplication(ctxT(t), createInput(name))
	if err != nil {
		t.Fatal(err)
	}
	return out.ApplicationDetail
}

// waitOp waits for an operation the SDK started, through the Service.
func waitOp(t testing.TB, e *env, app string, id *string) lifecycle.OperationStatus {
	t.Helper()
	if id == nil {
		t.Fatal("no OperationId")
		return ""
	}
	d, err := e.svc.WaitForOperation(ctxT(t), app, *id)
	if err != nil {
		t.Fatal(err)
	}
	return d.OperationStatus
}

func describe(t testing.TB, e *env, app string) *types.ApplicationDetail {
	t.Helper()
	out, err := e.client.DescribeApplication(ctxT(t), &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String(app)})
	if err != nil {
		t.Fatal(err)
	}
	return out.ApplicationDetail
}
