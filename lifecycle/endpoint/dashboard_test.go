package endpoint_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// TestPresignedDashboardURL: FLINK_DASHBOARD_URL of a RUNNING application
// is a URL on this server whose page shows the job's subtasks; a URL with
// another token is refused; a READY application has no dashboard.
//
// Mutants killed: valid ignoring the token; the page without the subtask
// table.
func TestPresignedDashboardURL(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	create(t, e, "app")
	in := &kinesisanalyticsv2.CreateApplicationPresignedUrlInput{ApplicationName: aws.String("app"), UrlType: types.UrlTypeFlinkDashboardUrl}
	var inUse *types.ResourceInUseException
	if _, err := e.client.CreateApplicationPresignedUrl(ctx, in); !errors.As(err, &inUse) {
		t.Errorf("dashboard of a READY application: %v", err)
	}
	if _, err := e.client.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.WaitForStatus(ctx, "app", lifecycle.StatusRunning); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.CreateApplicationPresignedUrl(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(out.AuthorizedUrl)
	if !strings.HasPrefix(u, e.srv.URL+"/dashboard/app?authToken=") {
		t.Fatalf("URL %s", u)
	}
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, page := get(u)
	if status != 200 || !strings.Contains(page, "<td>count -&gt; out</td>") || !strings.Contains(page, "Checkpoints") {
		t.Errorf("page %d:\n%s", status, page)
	}
	if status, _ := get(e.srv.URL + "/dashboard/app?authToken=00"); status != http.StatusForbidden {
		t.Errorf("another token: %d", status)
	}
}
