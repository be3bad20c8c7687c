package endpoint_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// TestPresignedDashboardURL: FLINK_DASHBOARD_URL of a RUNNING application
// is a URL on this server of the Flink dashboard of its job: the page, and
// beside it Flink's REST API, which answers the page's own requests (they
// carry the token as a cookie); a URL with another token, or a request
// without one, is refused; a READY application has no dashboard.
//
// Mutants killed: valid ignoring the token; the cookie not set (the page's
// REST requests are refused); the dashboard given no job.
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
	if !strings.HasPrefix(u, e.srv.URL+"/dashboard/app/?authToken=") {
		t.Fatalf("URL %s", u)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	get := func(c *http.Client, u string) (int, string) {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, page := get(browser, u)
	if status != 200 || !strings.Contains(page, "<html") {
		t.Fatalf("page %d:\n%.300s", status, page)
	}
	// The page's own request, relative to its URL, with the cookie.
	status, body := get(browser, e.srv.URL+"/dashboard/app/jobs/overview")
	var overview struct {
		Jobs []struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &overview); status != 200 || err != nil {
		t.Fatalf("jobs/overview %d %v: %s", status, err, body)
	}
	if len(overview.Jobs) != 1 || overview.Jobs[0].Name != "app" || overview.Jobs[0].State != "RUNNING" {
		t.Errorf("jobs/overview: %+v", overview.Jobs)
	}
	if status, _ := get(http.DefaultClient, e.srv.URL+"/dashboard/app/jobs/overview"); status != http.StatusForbidden {
		t.Errorf("without the token: %d", status)
	}
	if status, _ := get(http.DefaultClient, e.srv.URL+"/dashboard/app/?authToken=00"); status != http.StatusForbidden {
		t.Errorf("another token: %d", status)
	}
}
