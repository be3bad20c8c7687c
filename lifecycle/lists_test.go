package lifecycle_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// The lists — applications, versions, operations, snapshots — their order,
// pagination and filters; the tags; the ARNs.
//
// Mutants killed (each planted once, run, and restored):
//   - actions.go ListApplications' NextToken as the first name of the next
//     page (TestListApplicationsPagination: that application is skipped);
//   - actions.go ListApplications comparing `a.rec.Name < in.NextToken`
//     (the token's application listed twice);
//   - lists.go paginate's next token as strconv.Itoa(end-1) (duplicates in
//     the versions, operations and snapshots);
//   - lists.go ListApplicationVersions oldest first;
//   - lists.go ListApplicationOperations ignoring OperationStatus;
//   - lists.go DescribeApplicationVersion describing the current version;
//   - tags.go TagResource appending a tag with an existing key instead of
//     replacing it;
//   - tags.go lookupARNLocked matching ":application/NAME" only (another
//     region's, account's or service's ARN found);
//   - snapshots.go ListApplicationSnapshots oldest first.

func putIdle(t *testing.T, s *lifecycle.Service, key string, payload string) {
	t.Helper()
	require.NoError(t, s.Code().Put("code", key, lifecycle.NewCodePackage("idle", map[string]string{"version": payload})))
}

// listAll pages through ListApplications with limit and returns the pages.
func listAll(t *testing.T, s *lifecycle.Service, limit int) [][]lifecycle.ApplicationSummary {
	t.Helper()
	var pages [][]lifecycle.ApplicationSummary
	token := ""
	for {
		out, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{Limit: limit, NextToken: token})
		require.NoError(t, err)
		pages = append(pages, out.ApplicationSummaries)
		if out.NextToken == "" {
			return pages
		}
		require.NotEmpty(t, out.ApplicationSummaries)
		require.Equal(t, out.ApplicationSummaries[len(out.ApplicationSummaries)-1].ApplicationName, out.NextToken,
			"NextToken is the last name of the page")
		token = out.NextToken
		require.Less(t, len(pages), 200, "pagination does not end")
	}
}

func names(pages [][]lifecycle.ApplicationSummary) []string {
	var out []string
	for _, p := range pages {
		for _, a := range p {
			out = append(out, a.ApplicationName)
		}
	}
	return out
}

func TestListApplicationsPagination(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	putIdle(t, s, "idle.zip", "")
	out, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{})
	require.NoError(t, err)
	require.Empty(t, out.ApplicationSummaries)
	require.Empty(t, out.NextToken)

	// 120 names of mixed case and punctuation, created out of order.
	prefixes := []string{"a", "B", "c.", "d_", "E-", "_f", "0g", "Zz"}
	var want []string
	for i := range 120 {
		want = append(want, fmt.Sprintf("%s%03d", prefixes[i%len(prefixes)], (i*37)%1000))
	}
	require.Len(t, want, 120)
	for _, n := range want {
		createIdle(t, s, n, "idle.zip", false)
	}
	sort.Strings(want)

	pages := listAll(t, s, 0) // 0 means 50
	require.Equal(t, []int{50, 50, 20}, []int{len(pages[0]), len(pages[1]), len(pages[2])})
	require.Len(t, pages, 3)
	require.Equal(t, want, names(pages), "every application once, sorted by name")
	for _, p := range pages {
		for _, a := range p {
			require.Equal(t, "arn:aws:kinesisanalytics:us-east-1:123456789012:application/"+a.ApplicationName, a.ApplicationARN)
			require.Equal(t, lifecycle.StatusReady, a.ApplicationStatus)
			require.EqualValues(t, 1, a.ApplicationVersionID)
			require.Equal(t, lifecycle.RuntimeFlink1_20, a.RuntimeEnvironment)
			require.Equal(t, lifecycle.ModeStreaming, a.ApplicationMode)
		}
	}

	pages = listAll(t, s, 40)
	require.Len(t, pages, 3, "a last page that is full ends the list: no empty page after it")
	require.Equal(t, want, names(pages))
	pages = listAll(t, s, 7)
	require.Len(t, pages, 18)
	require.Equal(t, want, names(pages))
	pages = listAll(t, s, 1)
	require.Len(t, pages, 120)
	require.Equal(t, want, names(pages))

	// A token that is no application's name: the page starts after it.
	mid := want[60]
	out, err = s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{Limit: 3, NextToken: mid + "0"})
	require.NoError(t, err)
	require.Equal(t, want[61], out.ApplicationSummaries[0].ApplicationName)
	// A token whose application was deleted meanwhile: the same.
	d := describe(t, s, mid)
	_, err = s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: mid, CreateTimestamp: d.CreateTimestamp})
	require.NoError(t, err)
	_, err = s.Wait(ctx(t), mid, func(lifecycle.ApplicationDetail) bool { return false })
	requireAPIError(t, err, "ResourceNotFoundException")
	out, err = s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{Limit: 1, NextToken: mid})
	require.NoError(t, err)
	require.Equal(t, []string{want[61]}, names([][]lifecycle.ApplicationSummary{out.ApplicationSummaries}))
	// The token after the last name: an empty page.
	out, err = s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{NextToken: want[len(want)-1]})
	require.NoError(t, err)
	require.Empty(t, out.ApplicationSummaries)
	require.Empty(t, out.NextToken)
}

func TestApplicationARNs(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{Region: "eu-west-3", AccountID: "111122223333"})
	putIdle(t, s, "idle.zip", "")
	created := createIdle(t, s, "app", "idle.zip", false)
	const arn = "arn:aws:kinesisanalytics:eu-west-3:111122223333:application/app"
	require.Equal(t, arn, created.ApplicationARN)
	require.Equal(t, arn, describe(t, s, "app").ApplicationARN)
	list, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{})
	require.NoError(t, err)
	require.Equal(t, arn, list.ApplicationSummaries[0].ApplicationARN)
	_, err = s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: []lifecycle.Tag{{Key: "k", Value: "v"}}})
	require.NoError(t, err)
	tagsOut, err := s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, []lifecycle.Tag{{Key: "k", Value: "v"}}, tagsOut.Tags)

	// The default region and account are not this service's.
	_, err = s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: "arn:aws:kinesisanalytics:us-east-1:123456789012:application/app"})
	requireAPIError(t, err, "ResourceNotFoundException")

	v, err := s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: 1})
	require.NoError(t, err)
	require.Equal(t, arn, v.ApplicationVersionDetail.ApplicationARN)
}

func TestTags(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	putIdle(t, s, "idle.zip", "")
	in := []lifecycle.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
	out, err := s.CreateApplication(ctx(t), lifecycle.CreateApplicationRequest{
		ApplicationName: "app", RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole, Tags: in,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{
			CodeContentType: lifecycle.CodeZipFile, CodeContent: lifecycle.CodeContent{
				S3ContentLocation: &lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "idle.zip"}}}},
	})
	require.NoError(t, err)
	in[0].Value = "changed" // the service kept a copy
	arn := out.ApplicationDetail.ApplicationARN
	list := func() []lifecycle.Tag {
		t.Helper()
		out, err := s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: arn})
		require.NoError(t, err)
		return out.Tags
	}
	tag := func(ts ...lifecycle.Tag) error {
		_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: ts})
		return err
	}
	untag := func(keys ...string) error {
		_, err := s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: arn, TagKeys: keys})
		return err
	}
	require.ElementsMatch(t, []lifecycle.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}, list())
	got := list()
	got[0].Value = "mutated" // and hands out copies
	require.ElementsMatch(t, []lifecycle.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}, list())

	require.NoError(t, tag(lifecycle.Tag{Key: "b", Value: "3"}, lifecycle.Tag{Key: "c", Value: ""}))
	require.ElementsMatch(t, []lifecycle.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "3"}, {Key: "c", Value: ""}}, list(),
		"TagResource replaces the tags with the same keys")
	require.NoError(t, untag("a", "unknown"))
	require.ElementsMatch(t, []lifecycle.Tag{{Key: "b", Value: "3"}, {Key: "c", Value: ""}}, list(),
		"UntagResource ignores keys the application does not have")
	require.NoError(t, untag("unknown"))
	require.Len(t, list(), 2)

	// At most 50 tags in all.
	more := nTags(48)
	require.NoError(t, tag(more...))
	require.Len(t, list(), 50)
	before := list()
	requireAPIError(t, tag(lifecycle.Tag{Key: "one-too-many"}), "TooManyTagsException", "50")
	require.ElementsMatch(t, before, list(), "a refused TagResource changes nothing")
	requireAPIError(t, tag(lifecycle.Tag{Key: "b", Value: "4"}, lifecycle.Tag{Key: "new"}), "TooManyTagsException")
	require.ElementsMatch(t, before, list())
	require.NoError(t, tag(lifecycle.Tag{Key: "b", Value: "5"}), "replacing a tag at 50 adds none")
	require.Len(t, list(), 50)
	require.Contains(t, list(), lifecycle.Tag{Key: "b", Value: "5"})

	// Tags of a running application.
	start(t, s, "app", nil)
	require.NoError(t, untag("b"))
	require.Len(t, list(), 49)
	stop(t, s, "app", true)

	// ARNs that are not this application's.
	for _, other := range []string{
		"arn:aws:kinesisanalytics:us-west-2:123456789012:application/app",    // another region
		"arn:aws:kinesisanalytics:us-east-1:210987654321:application/app",    // another account
		"arn:aws:kinesis:us-east-1:123456789012:application/app",             // another service
		"arn:aws-cn:kinesisanalytics:us-east-1:123456789012:application/app", // another partition
		"arn:aws:kinesisanalytics:us-east-1:123456789012:stream/app",         // another resource type
		"arn:aws:kinesisanalytics:us-east-1:123456789012:application/other",  // no such application
		"arn:aws:kinesisanalytics:us-east-1:123456789012:application/ap",
	} {
		_, err := s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: other})
		requireAPIError(t, err, "ResourceNotFoundException")
		_, err = s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: other, Tags: []lifecycle.Tag{{Key: "x"}}})
		requireAPIError(t, err, "ResourceNotFoundException")
		_, err = s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: other, TagKeys: []string{"c"}})
		requireAPIError(t, err, "ResourceNotFoundException")
	}
	require.Len(t, list(), 49)
}

func TestListAndDescribeApplicationVersions(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	putIdle(t, s, "v1.zip", "one")
	putIdle(t, s, "v2.zip", "two")
	createIdle(t, s, "app", "v1.zip", false)
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(3)})
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: propertiesUpdate(
		lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{"k": "v3"}})})
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("v2.zip")})
	update(t, s, "app", lifecycle.UpdateApplicationRequest{ServiceExecutionRoleUpdate: "arn:aws:iam::123456789012:role/v5",
		RuntimeEnvironmentUpdate: lifecycle.RuntimeFlink1_19})

	out, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app"})
	require.NoError(t, err)
	var ids []int64
	for _, v := range out.ApplicationVersionSummaries {
		ids = append(ids, v.ApplicationVersionID)
	}
	require.Equal(t, []int64{5, 4, 3, 2, 1}, ids, "newest first")
	require.Empty(t, out.NextToken)
	require.Equal(t, lifecycle.StatusReady, out.ApplicationVersionSummaries[0].ApplicationStatus)

	// Pages of 2.
	ids = nil
	token := ""
	for range 10 {
		page, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app", Limit: 2, NextToken: token})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.ApplicationVersionSummaries), 2)
		for _, v := range page.ApplicationVersionSummaries {
			ids = append(ids, v.ApplicationVersionID)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	require.Equal(t, []int64{5, 4, 3, 2, 1}, ids)

	version := func(id int64) lifecycle.ApplicationDetail {
		t.Helper()
		out, err := s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: id})
		require.NoError(t, err)
		require.Equal(t, id, out.ApplicationVersionDetail.ApplicationVersionID)
		return out.ApplicationVersionDetail
	}
	par := func(d lifecycle.ApplicationDetail) int {
		return d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.Parallelism
	}
	props := func(d lifecycle.ApplicationDetail) []lifecycle.PropertyGroup {
		return d.ApplicationConfigurationDescription.EnvironmentPropertyDescriptions.PropertyGroupDescriptions
	}
	v1, v2, v3, v4, v5 := version(1), version(2), version(3), version(4), version(5)
	require.Equal(t, 1, par(v1))
	require.Equal(t, 3, par(v2))
	require.Empty(t, props(v2))
	require.Equal(t, []lifecycle.PropertyGroup{{PropertyGroupID: "g", PropertyMap: map[string]string{"k": "v3"}}}, props(v3))
	require.Equal(t, 3, par(v3))
	require.Equal(t, md5hex(lifecycle.NewCodePackage("idle", map[string]string{"version": "one"})), codeOf(v3).CodeMD5)
	require.Equal(t, md5hex(lifecycle.NewCodePackage("idle", map[string]string{"version": "two"})), codeOf(v4).CodeMD5)
	require.Equal(t, "v2.zip", codeOf(v4).S3ApplicationCodeLocationDescription.FileKey)
	require.Equal(t, "v1.zip", codeOf(v1).S3ApplicationCodeLocationDescription.FileKey)
	require.Equal(t, testRole, v4.ServiceExecutionRole)
	require.Equal(t, lifecycle.RuntimeFlink1_20, v4.RuntimeEnvironment)
	require.Equal(t, "arn:aws:iam::123456789012:role/v5", v5.ServiceExecutionRole)
	require.Equal(t, lifecycle.RuntimeFlink1_19, v5.RuntimeEnvironment)
	for i, v := range []lifecycle.ApplicationDetail{v1, v2, v3, v4, v5} {
		require.EqualValues(t, i, v.ApplicationVersionUpdatedFrom, "version %d", i+1)
		require.Equal(t, "app", v.ApplicationName)
	}
	require.Equal(t, describe(t, s, "app").ConditionalToken, v5.ConditionalToken)

	// The description of an old version is a copy: changing it changes nothing.
	props(v3)[0].PropertyMap["k"] = "mutated"
	require.Equal(t, "v3", props(version(3))[0].PropertyMap["k"])
}

func TestListApplicationOperations(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	putIdle(t, s, "idle.zip", "")
	require.NoError(t, s.Code().Put("code", "bad.zip", []byte("not a package")))
	createIdle(t, s, "app", "idle.zip", true)

	startOut, err := s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: "app"})
	require.NoError(t, err)
	op, err := s.WaitForOperation(ctx(t), "app", startOut.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus)
	upd, op := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(2)})
	require.Equal(t, lifecycle.OperationSuccessful, op.OperationStatus, "%+v", op)
	stopOut, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: "app"})
	require.NoError(t, err)
	_, err = s.WaitForOperation(ctx(t), "app", stopOut.OperationID)
	require.NoError(t, err)
	noop, _ := update(t, s, "app", lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("bad.zip")})
	require.Empty(t, noop.OperationID, "an update of a READY application is no operation")
	failOut, err := s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: "app"})
	require.NoError(t, err)
	op, err = s.WaitForOperation(ctx(t), "app", failOut.OperationID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.OperationFailed, op.OperationStatus)

	ids := []string{failOut.OperationID, stopOut.OperationID, upd.OperationID, startOut.OperationID}
	require.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), 4, "operation ids are distinct")
	list := func(in lifecycle.ListApplicationOperationsRequest) ([]string, []lifecycle.ApplicationOperationInfo) {
		t.Helper()
		in.ApplicationName = "app"
		var got []string
		var infos []lifecycle.ApplicationOperationInfo
		for range 20 {
			out, err := s.ListApplicationOperations(ctx(t), in)
			require.NoError(t, err)
			for _, o := range out.ApplicationOperationInfoList {
				got = append(got, o.OperationID)
				infos = append(infos, o)
			}
			if in.NextToken = out.NextToken; in.NextToken == "" {
				return got, infos
			}
		}
		t.Fatal("pagination does not end")
		return nil, nil
	}
	all, infos := list(lifecycle.ListApplicationOperationsRequest{})
	require.Equal(t, ids, all, "newest first")
	require.Equal(t, []string{lifecycle.OpStartApplication, lifecycle.OpStopApplication, lifecycle.OpUpdateApplication, lifecycle.OpStartApplication},
		[]string{infos[0].Operation, infos[1].Operation, infos[2].Operation, infos[3].Operation})
	for i := 1; i < len(infos); i++ {
		require.False(t, infos[i].StartTime.After(infos[i-1].StartTime), "newest first by StartTime")
	}
	for _, o := range infos {
		require.False(t, o.EndTime.IsZero(), "%+v has ended", o)
		require.False(t, o.EndTime.Before(o.StartTime))
	}
	paged, _ := list(lifecycle.ListApplicationOperationsRequest{Limit: 1})
	require.Equal(t, ids, paged)
	paged, _ = list(lifecycle.ListApplicationOperationsRequest{Limit: 3})
	require.Equal(t, ids, paged)

	got, _ := list(lifecycle.ListApplicationOperationsRequest{Operation: lifecycle.OpStartApplication})
	require.Equal(t, []string{failOut.OperationID, startOut.OperationID}, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{Operation: lifecycle.OpStartApplication, Limit: 1})
	require.Equal(t, []string{failOut.OperationID, startOut.OperationID}, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{OperationStatus: lifecycle.OperationFailed})
	require.Equal(t, []string{failOut.OperationID}, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{OperationStatus: lifecycle.OperationSuccessful})
	require.Equal(t, []string{stopOut.OperationID, upd.OperationID, startOut.OperationID}, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{Operation: lifecycle.OpStartApplication, OperationStatus: lifecycle.OperationSuccessful})
	require.Equal(t, []string{startOut.OperationID}, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{Operation: lifecycle.OpUpdateApplication, OperationStatus: lifecycle.OperationFailed})
	require.Empty(t, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{Operation: "NoSuchOperation"})
	require.Empty(t, got)
	got, _ = list(lifecycle.ListApplicationOperationsRequest{OperationStatus: lifecycle.OperationInProgress})
	require.Empty(t, got)

	d, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: upd.OperationID})
	require.NoError(t, err)
	require.Equal(t, lifecycle.OpUpdateApplication, d.ApplicationOperationInfoDetails.Operation)
	require.Equal(t, &lifecycle.ApplicationVersionChangeDetails{ApplicationVersionUpdatedFrom: 1, ApplicationVersionUpdatedTo: 2},
		d.ApplicationOperationInfoDetails.ApplicationVersionChangeDetails)
	require.Nil(t, d.ApplicationOperationInfoDetails.OperationFailureDetails)
	d, err = s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: failOut.OperationID})
	require.NoError(t, err)
	require.NotNil(t, d.ApplicationOperationInfoDetails.OperationFailureDetails)
	require.Contains(t, d.ApplicationOperationInfoDetails.OperationFailureDetails.ErrorInfo.ErrorString, "not a runnable code package")
}

// waitSnapshot waits until the snapshot is no longer CREATING.
func waitSnapshot(t *testing.T, s *lifecycle.Service, app, name string) lifecycle.SnapshotDetails {
	t.Helper()
	var d lifecycle.SnapshotDetails
	_, err := s.Wait(ctx(t), app, func(lifecycle.ApplicationDetail) bool {
		out, err := s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: app, SnapshotName: name})
		d = out.SnapshotDetails
		return err != nil || d.SnapshotStatus != lifecycle.SnapshotCreating
	})
	require.NoError(t, err)
	require.Equal(t, lifecycle.SnapshotReady, d.SnapshotStatus, "snapshot %s", name)
	return d
}

func snapshotNames(t *testing.T, s *lifecycle.Service, app string, limit int) []string {
	t.Helper()
	var got []string
	token := ""
	for range 50 {
		out, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: app, Limit: limit, NextToken: token})
		require.NoError(t, err)
		for _, sn := range out.SnapshotSummaries {
			got = append(got, sn.SnapshotName)
		}
		if token = out.NextToken; token == "" {
			return got
		}
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestListApplicationSnapshots(t *testing.T) {
	clock := flinksim.NewManualClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	s, _ := newIdleService(t, lifecycle.Options{Clock: clock})
	putIdle(t, s, "idle.zip", "")
	createIdle(t, s, "app", "idle.zip", true)
	start(t, s, "app", nil)
	for _, n := range []string{"first", "second", "third"} {
		clock.Advance(time.Second)
		_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: n})
		require.NoError(t, err)
		d := waitSnapshot(t, s, "app", n)
		require.Equal(t, clock.Now().UTC(), d.SnapshotCreationTimestamp.UTC())
		require.EqualValues(t, 1, d.ApplicationVersionID)
		require.Equal(t, lifecycle.RuntimeFlink1_20, d.RuntimeEnvironment)
	}
	_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "second"})
	requireAPIError(t, err, "ResourceInUseException", "second")

	require.Equal(t, []string{"third", "second", "first"}, snapshotNames(t, s, "app", 0), "newest first")
	require.Equal(t, []string{"third", "second", "first"}, snapshotNames(t, s, "app", 2))
	require.Equal(t, []string{"third", "second", "first"}, snapshotNames(t, s, "app", 1))

	// The stop's snapshot is the newest.
	clock.Advance(time.Second)
	stop(t, s, "app", false)
	got := snapshotNames(t, s, "app", 0)
	require.Len(t, got, 4)
	require.Equal(t, []string{"third", "second", "first"}, got[1:])
	require.NotContains(t, []string{"third", "second", "first"}, got[0])
}

// TestListApplicationSnapshotsSameInstant: snapshots taken within one tick
// of the service's clock (a ManualClock that does not move, or a coarse
// clock) are still listed newest first: by the order they were taken.
func TestListApplicationSnapshotsSameInstant(t *testing.T) {
	clock := flinksim.NewManualClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	s, _ := newIdleService(t, lifecycle.Options{Clock: clock})
	putIdle(t, s, "idle.zip", "")
	createIdle(t, s, "app", "idle.zip", true)
	start(t, s, "app", nil)
	for _, n := range []string{"a", "b", "c"} {
		_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: n})
		require.NoError(t, err)
		waitSnapshot(t, s, "app", n)
	}
	require.Equal(t, []string{"c", "b", "a"}, snapshotNames(t, s, "app", 0), "newest first")
	stop(t, s, "app", true)
}
