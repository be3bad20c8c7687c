package endpoint_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/aws/smithy-go"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// TestErrorsAreTheSDKsTypes: each exception of the Service reaches the SDK
// as its typed error.
//
// Mutants killed: writeError without the x-amzn-ErrorType header and
// __type in the body (the SDK sees a generic error); "message" spelt
// "msg" (the SDK's Message is empty); every error answered 500 (the SDK
// retries and reports a generic error).
func TestErrorsAreTheSDKsTypes(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	c := e.client
	d := create(t, e, "app")

	var notFound *types.ResourceNotFoundException
	_, err := c.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String("nope")})
	if !errors.As(err, &notFound) || !strings.Contains(notFound.ErrorMessage(), "nope") {
		t.Errorf("describe of a missing application: %v", err)
	}
	var inUse *types.ResourceInUseException
	if _, err := c.CreateApplication(ctx, createInput("app")); !errors.As(err, &inUse) {
		t.Errorf("create twice: %v", err)
	}
	if _, err := c.StopApplication(ctx, &kinesisanalyticsv2.StopApplicationInput{ApplicationName: aws.String("app")}); !errors.As(err, &inUse) {
		t.Errorf("stop of a READY application: %v", err)
	}
	var conc *types.ConcurrentModificationException
	if _, err := c.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(7)}); !errors.As(err, &conc) {
		t.Errorf("stale version: %v", err)
	}
	var invalid *types.InvalidArgumentException
	if _, err := c.DescribeApplicationSnapshot(ctx, &kinesisanalyticsv2.DescribeApplicationSnapshotInput{
		ApplicationName: aws.String("app"), SnapshotName: aws.String("nope")}); !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "does not exist") {
		t.Errorf("missing snapshot: %v", err)
	}
	in := createInput("missing-code")
	in.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.S3ContentLocation.FileKey = aws.String("nope.zip")
	if _, err := c.CreateApplication(ctx, in); !errors.As(err, &invalid) {
		t.Errorf("missing code package: %v", err)
	}
	var unsupported *types.UnsupportedOperationException
	in = createInput("sql")
	in.RuntimeEnvironment = types.RuntimeEnvironmentSql10
	if _, err := c.CreateApplication(ctx, in); !errors.As(err, &unsupported) {
		t.Errorf("SQL application: %v", err)
	}
	if _, err := c.AddApplicationInput(ctx, &kinesisanalyticsv2.AddApplicationInputInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
		Input: &types.Input{NamePrefix: aws.String("p"), InputSchema: &types.SourceSchema{
			RecordColumns: []types.RecordColumn{{Name: aws.String("c"), SqlType: aws.String("INT")}},
			RecordFormat:  &types.RecordFormat{RecordFormatType: types.RecordFormatTypeJson}}}}); !isCode(err, "UnsupportedOperationException") {
		// (The model lists no UnsupportedOperationException for
		// AddApplicationInput, so the SDK has only its code.)
		t.Errorf("AddApplicationInput: %v", err)
	}
	var invalidRequest *types.InvalidRequestException
	if _, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.WaitForStatus(ctx, "app", lifecycle.StatusRunning); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RollbackApplication(ctx, &kinesisanalyticsv2.RollbackApplicationInput{
		ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1)}); !errors.As(err, &invalidRequest) {
		t.Errorf("rollback of version 1: %v", err)
	}
	var tooMany *types.TooManyTagsException
	var tags []types.Tag
	for i := range 51 {
		tags = append(tags, types.Tag{Key: aws.String(strings.Repeat("k", i+1))})
	}
	if _, err := c.TagResource(ctx, &kinesisanalyticsv2.TagResourceInput{ResourceARN: d.ApplicationARN, Tags: tags}); !errors.As(err, &tooMany) {
		t.Errorf("51 tags: %v", err)
	}
}

// post sends a raw request to the endpoint and returns the status, the
// x-amzn-ErrorType header and the body's __type and message.
func post(t *testing.T, url, target, body string) (int, string, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", endpoint.ContentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]string
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), m
}

// TestProtocolErrors: what the SDK never sends, sent by hand.
//
// Mutants killed: decode skipping check (a missing ApplicationName reaches
// the Service, which names it differently... and a missing required
// CreateTimestamp is taken as the zero time); an unknown target
// dispatched to nil (panic → 500); serializationError mapping a type
// error to InternalFailure; the enum tag of RuntimeEnvironment removed.
func TestProtocolErrors(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{MaxBodyBytes: 1 << 10})
	create(t, e, "app")
	const p = endpoint.TargetPrefix
	cases := []struct {
		target, body, code, msg string
		status                  int
	}{
		{"Nope", "{}", "UnknownOperationException", "Nope", 400},
		{"", "{}", "UnknownOperationException", "", 400},
		{p + "DescribeApplication", "{", "SerializationException", "JSON", 400},
		{p + "DescribeApplication", `{"ApplicationName": 5}`, "SerializationException", "ApplicationName", 400},
		{p + "DescribeApplication", `{}`, "InvalidArgumentException", "ApplicationName is required", 400},
		{p + "DescribeApplication", `{"ApplicationName":"a b"}`, "InvalidArgumentException", "pattern", 400},
		{p + "DeleteApplication", `{"ApplicationName":"app"}`, "InvalidArgumentException", "CreateTimestamp is required", 400},
		{p + "DeleteApplication", `{"ApplicationName":"app","CreateTimestamp":"yesterday"}`, "SerializationException", "timestamp", 400},
		{p + "CreateApplication", `{"ApplicationName":"x","RuntimeEnvironment":"FLINK-9","ServiceExecutionRole":"arn:r"}`, "InvalidArgumentException", "RuntimeEnvironment", 400},
		{p + "CreateApplication", `{"ApplicationName":"x","RuntimeEnvironment":"FLINK-1_20","ServiceExecutionRole":"arn:r","ApplicationConfiguration":{"ApplicationSnapshotConfiguration":{}}}`,
			"InvalidArgumentException", "ApplicationConfiguration.ApplicationSnapshotConfiguration.SnapshotsEnabled is required", 400},
		{p + "CreateApplication", `{"ApplicationName":"x","RuntimeEnvironment":"FLINK-1_20","ServiceExecutionRole":"arn:r","Tags":[{"Value":"v"}]}`,
			"InvalidArgumentException", "Tags[0].Key is required", 400},
		{p + "ListApplications", `{"Limit":0}`, "InvalidArgumentException", "Limit", 400},
		{p + "ListApplications", `{"Limit":51}`, "InvalidArgumentException", "Limit", 400},
		{p + "ListApplications", `{"Limit":1.5}`, "SerializationException", "Limit", 400},
		{p + "StartApplication", `{"ApplicationName":"app","RunConfiguration":{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"LATEST"}}}`, "InvalidArgumentException", "ApplicationRestoreType", 400},
		{p + "DiscoverInputSchema", `{}`, "UnsupportedOperationException", "SQL", 400},
		{p + "DescribeApplication", `{"ApplicationName":"` + strings.Repeat("a", 2000) + `"}`, "SerializationException", "larger than", 413},
	}
	for _, tc := range cases {
		status, header, body := post(t, e.srv.URL, tc.target, tc.body)
		if status != tc.status || header != tc.code || body["__type"] != tc.code || !strings.Contains(body["message"], tc.msg) {
			t.Errorf("%s %s: %d %s %v, want %d %s with %q", tc.target, tc.body[:min(len(tc.body), 60)], status, header, body, tc.status, tc.code, tc.msg)
		}
	}
	resp, err := http.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /: %d", resp.StatusCode)
	}
}

// TestTimestampsRoundTrip: DeleteApplication works with the CreateTimestamp
// the SDK got back (milliseconds through a float), and fails with one a
// second off; a timestamp within the same second works, as Terraform
// truncates.
//
// Mutants killed: epoch.MarshalJSON writing whole seconds of the wrong
// unit (milliseconds); UnmarshalJSON reading milliseconds; sameSecond
// comparing nanoseconds (the truncated timestamp fails).
func TestTimestampsRoundTrip(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	d := create(t, e, "app")
	truth, err := e.svc.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	got := aws.ToTime(d.CreateTimestamp)
	if diff := got.Sub(truth.ApplicationDetail.CreateTimestamp).Abs(); diff >= time.Millisecond {
		t.Fatalf("CreateTimestamp %v, the service's %v", got, truth.ApplicationDetail.CreateTimestamp)
	}
	var invalid *types.InvalidArgumentException
	for _, off := range []time.Duration{time.Second, -time.Second, time.Hour} {
		_, err := e.client.DeleteApplication(ctx, &kinesisanalyticsv2.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: aws.Time(got.Add(off))})
		if !errors.As(err, &invalid) {
			t.Errorf("delete with CreateTimestamp %v off: %v", off, err)
		}
	}
	if _, err := e.client.DeleteApplication(ctx, &kinesisanalyticsv2.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: aws.Time(got.Truncate(time.Second))}); err != nil {
		t.Fatalf("delete with the CreateTimestamp truncated to the second: %v", err)
	}
}

// TestPagination: ListApplications pages by name, with the SDK's
// paginator; the other lists page by offset.
//
// Mutants killed: listApplications dropping NextToken (the paginator
// stops after one page); fromLimit ignoring Limit.
func TestPagination(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	ctx := ctxT(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		create(t, e, n)
	}
	var pages [][]string
	p := kinesisanalyticsv2.NewListApplicationsPaginator(e.client, &kinesisanalyticsv2.ListApplicationsInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range out.ApplicationSummaries {
			names = append(names, aws.ToString(s.ApplicationName))
		}
		pages = append(pages, names)
	}
	if got := fmt.Sprint(pages); got != "[[a b] [c d] [e]]" {
		t.Errorf("pages %s", got)
	}
	for i := 2; i <= 4; i++ {
		if _, err := e.client.UpdateApplication(ctx, &kinesisanalyticsv2.UpdateApplicationInput{ApplicationName: aws.String("a"), CurrentApplicationVersionId: aws.Int64(int64(i - 1)),
			ApplicationConfigurationUpdate: &types.ApplicationConfigurationUpdate{EnvironmentPropertyUpdates: &types.EnvironmentPropertyUpdates{
				PropertyGroups: []types.PropertyGroup{{PropertyGroupId: aws.String("g"), PropertyMap: map[string]string{"v": "x"}}}}}}); err != nil {
			t.Fatal(err)
		}
	}
	var versions []int64
	token := (*string)(nil)
	for {
		out, err := e.client.ListApplicationVersions(ctx, &kinesisanalyticsv2.ListApplicationVersionsInput{ApplicationName: aws.String("a"), Limit: aws.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.ApplicationVersionSummaries {
			versions = append(versions, aws.ToInt64(v.ApplicationVersionId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(versions) != 4 || versions[0] != 4 || versions[3] != 1 {
		t.Errorf("versions %v, want 4 3 2 1", versions)
	}
}

func isCode(err error, code string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == code
}

// TestAccessKey: with Options.AccessKeyID, only that key's requests pass.
//
// Mutants killed: authorize always nil; accessKeyID returning the whole
// Credential (the right key refused).
func TestAccessKey(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{AccessKeyID: "AKIDGOOD"})
	ctx := ctxT(t)
	if _, err := newClient(e.srv.URL, "AKIDGOOD").ListApplications(ctx, &kinesisanalyticsv2.ListApplicationsInput{}); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	_, err := newClient(e.srv.URL, "AKIDBAD").ListApplications(ctx, &kinesisanalyticsv2.ListApplicationsInput{})
	if !isCode(err, "UnrecognizedClientException") {
		t.Errorf("another key: %v", err)
	}
	if status, code, _ := post(t, e.srv.URL, endpoint.TargetPrefix+"ListApplications", "{}"); status != 400 || code != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", status, code)
	}
}

// TestRestart: a new server on the same data directory brings back the
// application, RUNNING again.
//
// Mutant killed: none in this package (the Service does it); the test
// guards that the handler keeps nothing of its own that a restart loses.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, lifecycle.Options{Dir: dir}, endpoint.Options{})
	ctx := ctxT(t)
	d := create(t, e, "app")
	out, err := e.client.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	waitOp(t, e, "app", out.OperationId)
	e.close()

	e2 := start(t, lifecycle.Options{Dir: dir}, endpoint.Options{})
	if _, err := e2.svc.WaitForStatus(ctx, "app", lifecycle.StatusRunning); err != nil {
		t.Fatal(err)
	}
	d2 := describe(t, e2, "app")
	if d2.ApplicationStatus != types.ApplicationStatusRunning || !aws.ToTime(d2.CreateTimestamp).Equal(aws.ToTime(d.CreateTimestamp)) {
		t.Errorf("after restart: %s created %v (was %v)", d2.ApplicationStatus, aws.ToTime(d2.CreateTimestamp), aws.ToTime(d.CreateTimestamp))
	}
}
