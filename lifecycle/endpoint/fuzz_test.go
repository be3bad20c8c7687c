package endpoint

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// FuzzRequest sends arbitrary bodies to every action: the answer is a
// response or one of the API's errors with a 4xx status — never a panic,
// a hang or a 500.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{`{}`, `{"ApplicationName":"a"}`, `{"Limit":0}`, `{"CreateTimestamp":1.7e9,"ApplicationName":"a"}`,
		`{"ApplicationName":"a","RuntimeEnvironment":"FLINK-1_20","ServiceExecutionRole":"arn:x","ApplicationConfiguration":{"ApplicationCodeConfiguration":{"CodeContentType":"ZIPFILE","CodeContent":{"ZipFileContent":"e30="}},"FlinkApplicationConfiguration":{"ParallelismConfiguration":{"ConfigurationType":"CUSTOM","Parallelism":-1}}}}`,
		`{"Tags":[{}],"ResourceARN":"arn:"}`, `[`, `null`, `"x"`, `{"RunConfiguration":{"ApplicationRestoreConfiguration":{}}}`} {
		for name := range actions {
			f.Add(name, []byte(seed))
		}
	}
	svc, err := lifecycle.New(lifecycle.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer svc.Close()
	h, err := New(svc, Options{MaxBodyBytes: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, action string, body []byte) {
		if action == "StartApplication" || action == "UpdateApplication" || action == "RollbackApplication" {
			action = "DescribeApplication" // keep the fuzzing free of jobs
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", TargetPrefix+action)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", action, body, rec.Code, rec.Body)
		}
		if rec.Code != 200 && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s %q: %d without an error type", action, body, rec.Code)
		}
	})
}
