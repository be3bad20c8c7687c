package lifecycle_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// The input rules of the model (kinesisanalyticsv2-2018-05-23: min, max,
// pattern, enum, required) and of the service, each with the exception the
// API gives and a message naming the member.
//
// Mutants killed (each planted once, run, and restored):
//   - validate.go checkName: `len(v) > maxLen` as `len(v) > maxLen+1`
//     (an ApplicationName of 129 accepted);
//   - validate.go namePattern without its `$` anchor ("ab\n" accepted);
//   - validate.go checkLength counting bytes, not runes (a description of
//     1024 "é" refused);
//   - validate.go checkRuntime without the FLINK- check (SQL-1_0 and
//     ZEPPELIN-* accepted), and an unknown runtime as
//     UnsupportedOperationException instead of InvalidArgumentException;
//   - validate.go checkTags: 51 tags as InvalidArgumentException instead of
//     TooManyTagsException; no aws: check;
//   - config.go applyParallelism: the limit as ParallelismPerKPU × 65;
//   - validate.go checkLimit as `limit > maxListLimit+1`;
//   - validate.go checkVersionID as `v < 0` (version 0 accepted);
//   - actions.go DeleteApplication and snapshots.go DeleteApplicationSnapshot
//     without their sameSecond check;
//   - update.go checkCurrentLocked ignoring a stale token;
//   - validate.go checkPropertyGroups without the duplicate check;
//   - actions.go ListApplications' bad Limit as InvalidArgumentException
//     (the model gives ListApplications InvalidRequestException only).

// as reports whether err is (or wraps) an E.
func isException[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// exceptions maps each exception's code to the test of its type.
var exceptions = map[string]func(error) bool{
	"ResourceNotFoundException":                isException[*lifecycle.ResourceNotFoundException],
	"ResourceInUseException":                   isException[*lifecycle.ResourceInUseException],
	"InvalidArgumentException":                 isException[*lifecycle.InvalidArgumentException],
	"InvalidRequestException":                  isException[*lifecycle.InvalidRequestException],
	"ConcurrentModificationException":          isException[*lifecycle.ConcurrentModificationException],
	"CodeValidationException":                  isException[*lifecycle.CodeValidationException],
	"InvalidApplicationConfigurationException": isException[*lifecycle.InvalidApplicationConfigurationException],
	"UnsupportedOperationException":            isException[*lifecycle.UnsupportedOperationException],
	"LimitExceededException":                   isException[*lifecycle.LimitExceededException],
	"TooManyTagsException":                     isException[*lifecycle.TooManyTagsException],
}

// squash lowercases s and drops its spaces, so that "Tag Key" names the
// member TagKey.
func squash(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

// requireAPIError checks that err is exactly the exception code — its
// type, with errors.As, and its ErrorCode — and that its message names
// each of mentions. code "" means no error.
func requireAPIError(t *testing.T, err error, code string, mentions ...string) {
	t.Helper()
	if code == "" {
		require.NoError(t, err)
		return
	}
	require.Error(t, err, "want %s", code)
	is, ok := exceptions[code]
	require.True(t, ok, "unknown exception %s", code)
	require.True(t, is(err), "error %q (%T) is not a %s", err, err, code)
	for other, is := range exceptions {
		if other != code {
			require.False(t, is(err), "error %q is also a %s", err, other)
		}
	}
	var api lifecycle.APIError
	require.True(t, errors.As(err, &api), "%T is not an APIError", err)
	require.Equal(t, code, api.ErrorCode())
	require.Equal(t, code+": "+api.ErrorMessage(), err.Error())
	for _, m := range mentions {
		require.Contains(t, squash(api.ErrorMessage()), squash(m), "the message of %s names %s", code, m)
	}
}

func validCreate(name string) lifecycle.CreateApplicationRequest {
	return lifecycle.CreateApplicationRequest{
		ApplicationName: name, RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "count-v1.zip"}}},
		},
	}
}

func flinkConfig(r *lifecycle.CreateApplicationRequest) *lifecycle.FlinkApplicationConfiguration {
	if r.ApplicationConfiguration.FlinkApplicationConfiguration == nil {
		r.ApplicationConfiguration.FlinkApplicationConfiguration = &lifecycle.FlinkApplicationConfiguration{}
	}
	return r.ApplicationConfiguration.FlinkApplicationConfiguration
}

func codeContent(r *lifecycle.CreateApplicationRequest) *lifecycle.CodeContent {
	return &r.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent
}

func nGroups(n int) []lifecycle.PropertyGroup {
	out := make([]lifecycle.PropertyGroup, n)
	for i := range out {
		out[i] = lifecycle.PropertyGroup{PropertyGroupID: fmt.Sprintf("g%d", i), PropertyMap: map[string]string{"k": "v"}}
	}
	return out
}

func nProperties(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	return m
}

func nTags(n int) []lifecycle.Tag {
	out := make([]lifecycle.Tag, n)
	for i := range out {
		out[i] = lifecycle.Tag{Key: fmt.Sprintf("t%d", i), Value: "v"}
	}
	return out
}

type createCase struct {
	name   string
	mutate func(r *lifecycle.CreateApplicationRequest)
	code   string   // the exception; "" for a request that is valid
	names  []string // what the message names
}

func createCases() []createCase {
	long := strings.Repeat
	group := func(g lifecycle.PropertyGroup) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.EnvironmentProperties = &lifecycle.EnvironmentProperties{PropertyGroups: []lifecycle.PropertyGroup{g}}
		}
	}
	checkpoint := func(c lifecycle.CheckpointConfiguration) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) { flinkConfig(r).CheckpointConfiguration = &c }
	}
	monitoring := func(c lifecycle.MonitoringConfiguration) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) { flinkConfig(r).MonitoringConfiguration = &c }
	}
	parallelism := func(c lifecycle.ParallelismConfiguration) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) { flinkConfig(r).ParallelismConfiguration = &c }
	}
	withTags := func(ts ...lifecycle.Tag) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) { r.Tags = ts }
	}
	location := func(l lifecycle.S3ContentLocation) func(r *lifecycle.CreateApplicationRequest) {
		return func(r *lifecycle.CreateApplicationRequest) { codeContent(r).S3ContentLocation = &l }
	}
	const (
		ia  = "InvalidArgumentException"
		uo  = "UnsupportedOperationException"
		le  = "LimitExceededException"
		tmt = "TooManyTagsException"
	)
	custom := lifecycle.ConfigurationCustom
	def := lifecycle.ConfigurationDefault
	return []createCase{
		// ApplicationName: required, 1..128, [a-zA-Z0-9_.-]+.
		{"name missing", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "" }, ia, []string{"ApplicationName"}},
		{"name 129", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = long("n", 129) }, ia, []string{"ApplicationName", "128"}},
		{"name 128", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = long("n", 128) }, "", nil},
		{"name all classes", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "Az09_.-x" }, "", nil},
		{"name space", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "a b" }, ia, []string{"ApplicationName"}},
		{"name slash", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "a/b" }, ia, []string{"ApplicationName"}},
		{"name colon", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "a:b" }, ia, []string{"ApplicationName"}},
		{"name trailing newline", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "ab\n" }, ia, []string{"ApplicationName"}},
		{"name leading newline", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "\nab" }, ia, []string{"ApplicationName"}},
		{"name unicode", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "caf\u00e9" }, ia, []string{"ApplicationName"}},
		{"name NUL", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationName = "a\x00" }, ia, []string{"ApplicationName"}},

		// ApplicationDescription: 0..1024 characters.
		{"description 1025", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationDescription = long("d", 1025) }, ia, []string{"ApplicationDescription", "1024"}},
		{"description 1024", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationDescription = long("d", 1024) }, "", nil},
		{"description 1024 runes", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationDescription = long("\u00e9", 1024) }, "", nil},
		{"description 1025 runes", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationDescription = long("\u00e9", 1025) }, ia, []string{"ApplicationDescription"}},

		// RuntimeEnvironment: required, an enum, only FLINK-* supported.
		{"runtime missing", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = "" }, ia, []string{"RuntimeEnvironment"}},
		{"runtime unknown", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = "FLINK-9_9" }, ia, []string{"RuntimeEnvironment", "FLINK-9_9"}},
		{"runtime lowercase", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = "flink-1_20" }, ia, []string{"RuntimeEnvironment"}},
		{"runtime SQL", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeSQL1_0 }, uo, []string{"RuntimeEnvironment", "SQL-1_0"}},
		{"runtime Zeppelin 1", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeZeppelinFlink10 }, uo, []string{"ZEPPELIN-FLINK-1_0"}},
		{"runtime Zeppelin 2", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeZeppelinFlink20 }, uo, []string{"ZEPPELIN-FLINK-2_0"}},
		{"runtime Zeppelin 3", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeZeppelinFlink30 }, uo, []string{"ZEPPELIN-FLINK-3_0"}},
		{"runtime FLINK-1_6", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeFlink1_6 }, "", nil},
		{"runtime FLINK-2_2", func(r *lifecycle.CreateApplicationRequest) { r.RuntimeEnvironment = lifecycle.RuntimeFlink2_2 }, "", nil},

		// ServiceExecutionRole: required, 1..2048, arn:.*.
		{"role missing", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "" }, ia, []string{"ServiceExecutionRole"}},
		{"role not an ARN", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "my-role" }, ia, []string{"ServiceExecutionRole"}},
		{"role ARN uppercase", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "ARN:aws:iam::1:role/x" }, ia, []string{"ServiceExecutionRole"}},
		{"role 2049", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "arn:" + long("r", 2045) }, ia, []string{"ServiceExecutionRole"}},
		{"role 2048", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "arn:" + long("r", 2044) }, "", nil},
		{"role arn:", func(r *lifecycle.CreateApplicationRequest) { r.ServiceExecutionRole = "arn:" }, "", nil},

		// ApplicationMode.
		{"mode interactive", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationMode = lifecycle.ModeInteractive }, uo, []string{"INTERACTIVE"}},
		{"mode unknown", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationMode = "BATCH" }, ia, []string{"ApplicationMode"}},
		{"mode streaming", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationMode = lifecycle.ModeStreaming }, "", nil},

		// The code.
		{"no configuration", func(r *lifecycle.CreateApplicationRequest) { r.ApplicationConfiguration = nil }, ia, []string{"ApplicationCodeConfiguration"}},
		{"no code configuration", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.ApplicationCodeConfiguration = nil
		}, ia, []string{"ApplicationCodeConfiguration"}},
		{"code type missing", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContentType = ""
		}, ia, []string{"CodeContentType"}},
		{"code type PLAINTEXT", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContentType = lifecycle.CodePlainText
		}, ia, []string{"CodeContentType", "PLAINTEXT"}},
		{"code type unknown", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContentType = "JAR"
		}, ia, []string{"CodeContentType"}},
		{"text content", func(r *lifecycle.CreateApplicationRequest) { codeContent(r).TextContent = "SELECT 1" }, ia, []string{"TextContent"}},
		{"no code content", func(r *lifecycle.CreateApplicationRequest) { codeContent(r).S3ContentLocation = nil }, ia, []string{"CodeContent"}},
		{"both code contents", func(r *lifecycle.CreateApplicationRequest) { codeContent(r).ZipFileContent = []byte("x") }, ia, []string{"S3ContentLocation", "ZipFileContent"}},
		{"inline code", func(r *lifecycle.CreateApplicationRequest) {
			*codeContent(r) = lifecycle.CodeContent{ZipFileContent: lifecycle.NewCodePackage("count", nil)}
		}, "", nil},
		{"bucket missing", location(lifecycle.S3ContentLocation{FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"bucket not an ARN", location(lifecycle.S3ContentLocation{BucketARN: "code", FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"bucket 2049", location(lifecycle.S3ContentLocation{BucketARN: "arn:aws:s3:::" + long("b", 2036), FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"bucket not S3", location(lifecycle.S3ContentLocation{BucketARN: "arn:aws:iam::123456789012:role/code", FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"bucket empty name", location(lifecycle.S3ContentLocation{BucketARN: "arn:aws:s3:::", FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"bucket with path", location(lifecycle.S3ContentLocation{BucketARN: "arn:aws:s3:::code/sub", FileKey: "count-v1.zip"}), ia, []string{"BucketARN"}},
		{"file key missing", location(lifecycle.S3ContentLocation{BucketARN: testBucket}), ia, []string{"FileKey"}},
		{"file key 1025", location(lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: long("k", 1025)}), ia, []string{"FileKey", "1024"}},
		{"file key 1024 missing", location(lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: long("k", 1024)}), ia, []string{"does not exist"}},
		{"object version 1025", location(lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "count-v1.zip", ObjectVersion: long("v", 1025)}), ia, []string{"ObjectVersion"}},
		{"object missing", location(lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "missing.zip"}), ia, []string{"missing.zip", "does not exist"}},
		{"bucket missing object", location(lifecycle.S3ContentLocation{BucketARN: "arn:aws:s3:::nobucket", FileKey: "count-v1.zip"}), ia, []string{"nobucket"}},
		{"key escaping the bucket", location(lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: "../code/count-v1.zip"}), ia, nil},

		// Property groups: at most 50, Id 1..50 [a-zA-Z0-9_.-]+ and unique,
		// PropertyMap 1..50 entries, keys and values 1..2048.
		{"51 groups", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.EnvironmentProperties = &lifecycle.EnvironmentProperties{PropertyGroups: nGroups(51)}
		}, ia, []string{"PropertyGroups", "50"}},
		{"50 groups", func(r *lifecycle.CreateApplicationRequest) {
			r.ApplicationConfiguration.EnvironmentProperties = &lifecycle.EnvironmentProperties{PropertyGroups: nGroups(50)}
		}, "", nil},
		{"group id missing", group(lifecycle.PropertyGroup{PropertyMap: nProperties(1)}), ia, []string{"PropertyGroupId"}},
		{"group id pattern", group(lifecycle.PropertyGroup{PropertyGroupID: "a b", PropertyMap: nProperties(1)}), ia, []string{"PropertyGroupId"}},
		{"group id 51", group(lifecycle.PropertyGroup{PropertyGroupID: long("g", 51), PropertyMap: nProperties(1)}), ia, []string{"PropertyGroupId", "50"}},
		{"group id 50", group(lifecycle.PropertyGroup{PropertyGroupID: long("g", 50), PropertyMap: nProperties(1)}), "", nil},
		{"duplicate group ids", func(r *lifecycle.CreateApplicationRequest) {
			gs := nGroups(2)
			gs[1].PropertyGroupID = gs[0].PropertyGroupID
			r.ApplicationConfiguration.EnvironmentProperties = &lifecycle.EnvironmentProperties{PropertyGroups: gs}
		}, ia, []string{"PropertyGroupId", "g0"}},
		{"empty property map", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{}}), ia, []string{"properties"}},
		{"nil property map", group(lifecycle.PropertyGroup{PropertyGroupID: "g"}), ia, []string{"properties"}},
		{"51 properties", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: nProperties(51)}), ia, []string{"properties", "50"}},
		{"50 properties", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: nProperties(50)}), "", nil},
		{"empty key", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{"": "v"}}), ia, []string{"property key"}},
		{"key 2049", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{long("k", 2049): "v"}}), ia, []string{"property key", "2048"}},
		{"key 2048", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{long("k", 2048): "v"}}), "", nil},
		{"empty value", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{"k": ""}}), ia, []string{"PropertyValue of k"}},
		{"value 2049", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{"k": long("v", 2049)}}), ia, []string{"PropertyValue of k", "2048"}},
		{"value 2048", group(lifecycle.PropertyGroup{PropertyGroupID: "g", PropertyMap: map[string]string{"k": long("v", 2048)}}), "", nil},

		// Checkpoints: DEFAULT takes nothing else; no negative values.
		{"checkpoint type missing", checkpoint(lifecycle.CheckpointConfiguration{CheckpointInterval: 10}), ia, []string{"CheckpointConfiguration.ConfigurationType"}},
		{"checkpoint type unknown", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: "OWN"}), ia, []string{"CheckpointConfiguration.ConfigurationType"}},
		{"checkpoint DEFAULT interval", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: def, CheckpointInterval: 10}), ia, []string{"CheckpointConfiguration", "DEFAULT"}},
		{"checkpoint DEFAULT enabled", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: def, CheckpointingEnabled: ptr(false)}), ia, []string{"CheckpointConfiguration", "DEFAULT"}},
		{"checkpoint DEFAULT min pause", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: def, MinPauseBetweenCheckpoints: ptr(int64(0))}), ia, []string{"CheckpointConfiguration", "DEFAULT"}},
		{"checkpoint DEFAULT", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: def}), "", nil},
		{"checkpoint interval negative", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: custom, CheckpointInterval: -1}), ia, []string{"CheckpointInterval"}},
		{"checkpoint interval 1", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: custom, CheckpointInterval: 1}), "", nil},
		{"checkpoint min pause negative", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: custom, MinPauseBetweenCheckpoints: ptr(int64(-1))}), ia, []string{"MinPauseBetweenCheckpoints"}},
		{"checkpoint min pause 0", checkpoint(lifecycle.CheckpointConfiguration{ConfigurationType: custom, MinPauseBetweenCheckpoints: ptr(int64(0))}), "", nil},

		// Monitoring.
		{"monitoring type missing", monitoring(lifecycle.MonitoringConfiguration{LogLevel: lifecycle.LogWarn}), ia, []string{"MonitoringConfiguration.ConfigurationType"}},
		{"monitoring DEFAULT log level", monitoring(lifecycle.MonitoringConfiguration{ConfigurationType: def, LogLevel: lifecycle.LogWarn}), ia, []string{"MonitoringConfiguration", "DEFAULT"}},
		{"monitoring DEFAULT metrics level", monitoring(lifecycle.MonitoringConfiguration{ConfigurationType: def, MetricsLevel: lifecycle.MetricsTask}), ia, []string{"MonitoringConfiguration", "DEFAULT"}},
		{"log level unknown", monitoring(lifecycle.MonitoringConfiguration{ConfigurationType: custom, LogLevel: "TRACE"}), ia, []string{"LogLevel", "TRACE"}},
		{"metrics level unknown", monitoring(lifecycle.MonitoringConfiguration{ConfigurationType: custom, MetricsLevel: "JOB"}), ia, []string{"MetricsLevel", "JOB"}},
		{"monitoring custom", monitoring(lifecycle.MonitoringConfiguration{ConfigurationType: custom, LogLevel: lifecycle.LogDebug, MetricsLevel: lifecycle.MetricsOperator}), "", nil},

		// Parallelism: DEFAULT takes nothing else; at least 1; at most
		// ParallelismPerKPU × 64.
		{"parallelism type missing", parallelism(lifecycle.ParallelismConfiguration{Parallelism: 2}), ia, []string{"ParallelismConfiguration.ConfigurationType"}},
		{"parallelism DEFAULT parallelism", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: def, Parallelism: 2}), ia, []string{"ParallelismConfiguration", "DEFAULT"}},
		{"parallelism DEFAULT per KPU", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: def, ParallelismPerKPU: 2}), ia, []string{"ParallelismConfiguration", "DEFAULT"}},
		{"parallelism DEFAULT autoscaling", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: def, AutoScalingEnabled: ptr(false)}), ia, []string{"ParallelismConfiguration", "DEFAULT"}},
		{"parallelism negative", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, Parallelism: -1}), ia, []string{"Parallelism"}},
		{"parallelism per KPU negative", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, ParallelismPerKPU: -1}), ia, []string{"ParallelismPerKPU"}},
		{"parallelism 65 at 1 per KPU", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, Parallelism: 65}), le, []string{"Parallelism", "65", "64"}},
		{"parallelism 64 at 1 per KPU", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, Parallelism: 64}), "", nil},
		{"parallelism 129 at 2 per KPU", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, Parallelism: 129, ParallelismPerKPU: 2}), le, []string{"Parallelism", "129"}},
		{"parallelism 128 at 2 per KPU", parallelism(lifecycle.ParallelismConfiguration{ConfigurationType: custom, Parallelism: 128, ParallelismPerKPU: 2}), "", nil},

		// Tags: at most 50 (TooManyTagsException), key 1..128 without
		// aws:, value 0..256, keys unique.
		{"51 tags", withTags(nTags(51)...), tmt, []string{"tags", "50"}},
		{"50 tags", withTags(nTags(50)...), "", nil},
		{"tag key missing", withTags(lifecycle.Tag{Value: "v"}), ia, []string{"Key"}},
		{"tag key 129", withTags(lifecycle.Tag{Key: long("k", 129)}), ia, []string{"Key", "128"}},
		{"tag key 128", withTags(lifecycle.Tag{Key: long("k", 128)}), "", nil},
		{"tag value 257", withTags(lifecycle.Tag{Key: "k", Value: long("v", 257)}), ia, []string{"Value", "256"}},
		{"tag value 256", withTags(lifecycle.Tag{Key: "k", Value: long("v", 256)}), "", nil},
		{"tag value empty", withTags(lifecycle.Tag{Key: "k"}), "", nil},
		{"tag key aws:", withTags(lifecycle.Tag{Key: "aws:owner", Value: "v"}), ia, []string{"aws:owner", "aws:"}},
		{"duplicate tag keys", withTags(lifecycle.Tag{Key: "k", Value: "1"}, lifecycle.Tag{Key: "k", Value: "2"}), ia, []string{"key", `"k"`}},
	}
}

func TestCreateApplicationValidation(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	for i, c := range createCases() {
		t.Run(c.name, func(t *testing.T) {
			r := validCreate(fmt.Sprintf("case-%d", i))
			c.mutate(&r)
			out, err := s.CreateApplication(ctx(t), r)
			requireAPIError(t, err, c.code, c.names...)
			if c.code != "" {
				if r.ApplicationName != "" && utf8.ValidString(r.ApplicationName) {
					_, err := s.DescribeApplication(ctx(t), lifecycle.DescribeApplicationRequest{ApplicationName: r.ApplicationName})
					require.Error(t, err, "a refused application does not exist")
				}
				return
			}
			require.Equal(t, r.ApplicationName, out.ApplicationDetail.ApplicationName)
			require.Equal(t, lifecycle.StatusReady, out.ApplicationDetail.ApplicationStatus)
			require.EqualValues(t, 1, out.ApplicationDetail.ApplicationVersionID)
		})
	}
	// Nothing refused was created: only the valid cases are listed.
	valid := 0
	for _, c := range createCases() {
		if c.code == "" {
			valid++
		}
	}
	list, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{})
	require.NoError(t, err)
	require.Len(t, list.ApplicationSummaries, valid)
}

func TestCreateApplicationTwice(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	first, err := s.CreateApplication(ctx(t), validCreate("app"))
	require.NoError(t, err)
	again := validCreate("app")
	again.ApplicationDescription = "another"
	_, err = s.CreateApplication(ctx(t), again)
	requireAPIError(t, err, "ResourceInUseException", "app")
	d := describe(t, s, "app")
	require.Empty(t, d.ApplicationDescription, "the first application is unchanged")
	require.Equal(t, first.ApplicationDetail.CreateTimestamp, d.CreateTimestamp)
}

// TestZipFileContentLimit: inline code is at most 52,428,800 bytes. The
// buffer is allocated once.
func TestZipFileContentLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 50 MiB")
	}
	s := newService(t, lifecycle.Options{}, newCounts())
	r := validCreate("big")
	*codeContent(&r) = lifecycle.CodeContent{ZipFileContent: make([]byte, 52428800+1)}
	_, err := s.CreateApplication(ctx(t), r)
	requireAPIError(t, err, "InvalidArgumentException", "ZipFileContent", "52428800")
	r = validCreate("small")
	*codeContent(&r) = lifecycle.CodeContent{ZipFileContent: []byte("tiny")}
	out, err := s.CreateApplication(ctx(t), r)
	require.NoError(t, err)
	require.EqualValues(t, 4, codeOf(out.ApplicationDetail).CodeSize)
}

func TestUpdateApplicationValidation(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	created, err := s.CreateApplication(ctx(t), validCreate("app"))
	require.NoError(t, err)
	token := created.ApplicationDetail.ConditionalToken
	require.NotEmpty(t, token)
	const (
		ia  = "InvalidArgumentException"
		cme = "ConcurrentModificationException"
	)
	v1 := func(u lifecycle.UpdateApplicationRequest) lifecycle.UpdateApplicationRequest {
		u.ApplicationName, u.CurrentApplicationVersionID = "app", 1
		return u
	}
	restore := func(r lifecycle.ApplicationRestoreConfiguration) lifecycle.UpdateApplicationRequest {
		return v1(lifecycle.UpdateApplicationRequest{RunConfigurationUpdate: &lifecycle.RunConfigurationUpdate{ApplicationRestoreConfiguration: &r}})
	}
	flink := func(f lifecycle.FlinkApplicationConfigurationUpdate) lifecycle.UpdateApplicationRequest {
		return v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{FlinkApplicationConfigurationUpdate: &f}})
	}
	cases := []struct {
		name  string
		in    lifecycle.UpdateApplicationRequest
		code  string
		names []string
	}{
		{"name missing", lifecycle.UpdateApplicationRequest{CurrentApplicationVersionID: 1}, ia, []string{"ApplicationName"}},
		{"name pattern", lifecycle.UpdateApplicationRequest{ApplicationName: "a b", CurrentApplicationVersionID: 1}, ia, []string{"ApplicationName"}},
		{"neither version nor token", lifecycle.UpdateApplicationRequest{ApplicationName: "app"}, ia, []string{"CurrentApplicationVersionId", "ConditionalToken"}},
		{"both version and token", lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1, ConditionalToken: token}, ia, []string{"CurrentApplicationVersionId", "ConditionalToken"}},
		{"version negative", lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: -1}, ia, []string{"CurrentApplicationVersionId"}},
		{"version too big", lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1_000_000_000}, ia, []string{"CurrentApplicationVersionId", "999999999"}},
		{"version stale", lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 2}, cme, []string{"version"}},
		{"version max stale", lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 999_999_999}, cme, nil},
		{"token pattern", lifecycle.UpdateApplicationRequest{ApplicationName: "app", ConditionalToken: "no spaces"}, ia, []string{"ConditionalToken"}},
		{"token 513", lifecycle.UpdateApplicationRequest{ApplicationName: "app", ConditionalToken: strings.Repeat("t", 513)}, ia, []string{"ConditionalToken"}},
		{"token stale", lifecycle.UpdateApplicationRequest{ApplicationName: "app", ConditionalToken: "c3RhbGU="}, cme, []string{"conditional token"}},
		{"runtime SQL", v1(lifecycle.UpdateApplicationRequest{RuntimeEnvironmentUpdate: lifecycle.RuntimeSQL1_0}), "UnsupportedOperationException", []string{"SQL-1_0"}},
		{"runtime unknown", v1(lifecycle.UpdateApplicationRequest{RuntimeEnvironmentUpdate: "FLINK-0_1"}), ia, []string{"RuntimeEnvironment"}},
		{"role not an ARN", v1(lifecycle.UpdateApplicationRequest{ServiceExecutionRoleUpdate: "role"}), ia, []string{"ServiceExecutionRole"}},
		{"code missing", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: codeUpdate("missing.zip")}), "InvalidArgumentException", []string{"missing.zip"}},
		{"code PLAINTEXT", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
			ApplicationCodeConfigurationUpdate: &lifecycle.ApplicationCodeConfigurationUpdate{CodeContentTypeUpdate: lifecycle.CodePlainText}}}), ia, []string{"CodeContentType"}},
		{"code bucket not S3", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
			ApplicationCodeConfigurationUpdate: &lifecycle.ApplicationCodeConfigurationUpdate{CodeContentUpdate: &lifecycle.CodeContentUpdate{
				S3ContentLocationUpdate: &lifecycle.S3ContentLocationUpdate{BucketARNUpdate: "bucket"}}}}}), ia, []string{"BucketARN"}},
		{"properties duplicate", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: propertiesUpdate(nGroups(1)[0], nGroups(1)[0])}), ia, []string{"PropertyGroupId"}},
		{"properties 51", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: propertiesUpdate(nGroups(51)...)}), ia, []string{"PropertyGroups"}},
		{"parallelism 65", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(65)}), "LimitExceededException", []string{"Parallelism"}},
		{"parallelism negative", v1(lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: parallelismUpdate(-2)}), ia, []string{"Parallelism"}},
		{"parallelism DEFAULT with value", flink(lifecycle.FlinkApplicationConfigurationUpdate{ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{
			ConfigurationTypeUpdate: lifecycle.ConfigurationDefault, ParallelismUpdate: 2}}), ia, []string{"ParallelismConfiguration"}},
		{"per KPU lowered under parallelism", flink(lifecycle.FlinkApplicationConfigurationUpdate{ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{
			ConfigurationTypeUpdate: lifecycle.ConfigurationCustom, ParallelismUpdate: 100, ParallelismPerKPUUpdate: 1}}), "LimitExceededException", []string{"Parallelism"}},
		{"checkpoint DEFAULT with value", flink(lifecycle.FlinkApplicationConfigurationUpdate{CheckpointConfigurationUpdate: &lifecycle.CheckpointConfigurationUpdate{
			ConfigurationTypeUpdate: lifecycle.ConfigurationDefault, CheckpointIntervalUpdate: 5}}), ia, []string{"CheckpointConfiguration"}},
		{"checkpoint interval negative", flink(lifecycle.FlinkApplicationConfigurationUpdate{CheckpointConfigurationUpdate: &lifecycle.CheckpointConfigurationUpdate{
			CheckpointIntervalUpdate: -5}}), ia, []string{"CheckpointInterval"}},
		{"checkpoint type unknown", flink(lifecycle.FlinkApplicationConfigurationUpdate{CheckpointConfigurationUpdate: &lifecycle.CheckpointConfigurationUpdate{
			ConfigurationTypeUpdate: "SOME"}}), ia, []string{"ConfigurationType"}},
		{"monitoring DEFAULT with value", flink(lifecycle.FlinkApplicationConfigurationUpdate{MonitoringConfigurationUpdate: &lifecycle.MonitoringConfigurationUpdate{
			ConfigurationTypeUpdate: lifecycle.ConfigurationDefault, LogLevelUpdate: lifecycle.LogError}}), ia, []string{"MonitoringConfiguration"}},
		{"log level unknown", flink(lifecycle.FlinkApplicationConfigurationUpdate{MonitoringConfigurationUpdate: &lifecycle.MonitoringConfigurationUpdate{
			LogLevelUpdate: "LOUD"}}), ia, []string{"LogLevel"}},
		{"restore type missing", restore(lifecycle.ApplicationRestoreConfiguration{}), ia, []string{"ApplicationRestoreType"}},
		{"restore type unknown", restore(lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: "RESTORE_ANY"}), ia, []string{"ApplicationRestoreType"}},
		{"custom restore without name", restore(lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot}), ia, []string{"SnapshotName"}},
		{"custom restore bad name", restore(lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: "a b"}), ia, []string{"SnapshotName"}},
		{"skip restore with name", restore(lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.SkipRestoreFromSnapshot, SnapshotName: "s"}), ia, []string{"SnapshotName"}},
		{"custom restore of no snapshot", restore(lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: "nope"}), "InvalidArgumentException", []string{"nope", "does not exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.UpdateApplication(ctx(t), c.in)
			requireAPIError(t, err, c.code, c.names...)
			d := describe(t, s, "app")
			require.EqualValues(t, 1, d.ApplicationVersionID, "a refused update creates no version")
			require.Equal(t, token, d.ConditionalToken)
		})
	}

	// The current token updates, then is stale.
	out, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", ConditionalToken: token,
		ApplicationConfigurationUpdate: parallelismUpdate(2)})
	require.NoError(t, err)
	require.EqualValues(t, 2, out.ApplicationDetail.ApplicationVersionID)
	require.NotEqual(t, token, out.ApplicationDetail.ConditionalToken, "the token changes with the version")
	_, err = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", ConditionalToken: token,
		ApplicationConfigurationUpdate: parallelismUpdate(3)})
	requireAPIError(t, err, cme)
	_, err = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: parallelismUpdate(3)})
	requireAPIError(t, err, cme, "version 2")
	_, err = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 2,
		ApplicationConfigurationUpdate: parallelismUpdate(3)})
	require.NoError(t, err)
	require.EqualValues(t, 3, describe(t, s, "app").ApplicationVersionID)
}

// TestDefaultConfigurationMeansDefaults: a configuration described as
// DEFAULT has the default values, whatever an update without
// ConfigurationTypeUpdate asked: either it turned CUSTOM or the values
// stayed the defaults (AWS: "If ConfigurationType is DEFAULT, the
// application will use the following values, even if they are set to
// other values").
func TestDefaultConfigurationMeansDefaults(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	_, err := s.CreateApplication(ctx(t), validCreate("app"))
	require.NoError(t, err)
	_, err = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: 1,
		ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
			CheckpointConfigurationUpdate:  &lifecycle.CheckpointConfigurationUpdate{CheckpointIntervalUpdate: 20},
			MonitoringConfigurationUpdate:  &lifecycle.MonitoringConfigurationUpdate{LogLevelUpdate: lifecycle.LogDebug},
			ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{ParallelismUpdate: 4},
		}}})
	if err != nil {
		requireAPIError(t, err, "InvalidArgumentException")
		return
	}
	f := describe(t, s, "app").ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription
	if cp := f.CheckpointConfigurationDescription; cp.ConfigurationType == lifecycle.ConfigurationDefault {
		assert.EqualValues(t, 60_000, cp.CheckpointInterval, "checkpoints described as DEFAULT: %+v", cp)
	}
	if m := f.MonitoringConfigurationDescription; m.ConfigurationType == lifecycle.ConfigurationDefault {
		assert.Equal(t, lifecycle.LogInfo, m.LogLevel, "monitoring described as DEFAULT: %+v", m)
	}
	if p := f.ParallelismConfigurationDescription; p.ConfigurationType == lifecycle.ConfigurationDefault {
		assert.Equal(t, 1, p.Parallelism, "parallelism described as DEFAULT: %+v", p)
	}
}

// TestUnknownApplication: every action that names an application gives
// ResourceNotFoundException for one that does not exist.
func TestUnknownApplication(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	const name = "nobody"
	arn := "arn:aws:kinesisanalytics:us-east-1:123456789012:application/" + name
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	actions := map[string]func() error{
		"DescribeApplication": func() error {
			_, err := s.DescribeApplication(ctx(t), lifecycle.DescribeApplicationRequest{ApplicationName: name})
			return err
		},
		"UpdateApplication": func() error {
			_, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: name, CurrentApplicationVersionID: 1})
			return err
		},
		"UpdateApplication by token": func() error {
			_, err := s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: name, ConditionalToken: "abc"})
			return err
		},
		"StartApplication": func() error {
			_, err := s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: name})
			return err
		},
		"StopApplication": func() error {
			_, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: name})
			return err
		},
		"StopApplication force": func() error {
			_, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: name, Force: true})
			return err
		},
		"DeleteApplication": func() error {
			_, err := s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: name, CreateTimestamp: at})
			return err
		},
		"RollbackApplication": func() error {
			_, err := s.RollbackApplication(ctx(t), lifecycle.RollbackApplicationRequest{ApplicationName: name, CurrentApplicationVersionID: 1})
			return err
		},
		"CreateApplicationSnapshot": func() error {
			_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "s"})
			return err
		},
		"ListApplicationSnapshots": func() error {
			_, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: name})
			return err
		},
		"DescribeApplicationSnapshot": func() error {
			_, err := s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "s"})
			return err
		},
		"DeleteApplicationSnapshot": func() error {
			_, err := s.DeleteApplicationSnapshot(ctx(t), lifecycle.DeleteApplicationSnapshotRequest{ApplicationName: name, SnapshotName: "s", SnapshotCreationTimestamp: at})
			return err
		},
		"ListApplicationVersions": func() error {
			_, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: name})
			return err
		},
		"DescribeApplicationVersion": func() error {
			_, err := s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: name, ApplicationVersionID: 1})
			return err
		},
		"ListApplicationOperations": func() error {
			_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: name})
			return err
		},
		"DescribeApplicationOperation": func() error {
			_, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: name, OperationID: "op"})
			return err
		},
		"TagResource": func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: nTags(1)})
			return err
		},
		"UntagResource": func() error {
			_, err := s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: arn, TagKeys: []string{"t0"}})
			return err
		},
		"ListTagsForResource": func() error {
			_, err := s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: arn})
			return err
		},
		"Wait": func() error {
			_, err := s.Wait(ctx(t), name, func(lifecycle.ApplicationDetail) bool { return true })
			return err
		},
		"WaitForStatus": func() error {
			_, err := s.WaitForStatus(ctx(t), name, lifecycle.StatusReady)
			return err
		},
		"WaitForOperation": func() error {
			_, err := s.WaitForOperation(ctx(t), name, "op")
			return err
		},
		"ApplicationMetrics": func() error {
			_, err := s.ApplicationMetrics(ctx(t), name)
			return err
		},
		"Maintain": func() error {
			_, err := s.Maintain(ctx(t), name)
			return err
		},
	}
	for action, call := range actions {
		t.Run(action, func(t *testing.T) {
			requireAPIError(t, call(), "ResourceNotFoundException", name)
		})
	}
}

// TestNotFoundInsideAnApplication: a version or operation that does not
// exist is ResourceNotFoundException too; a snapshot that does not exist
// is InvalidArgumentException ("… does not exist"), as the service's
// clients expect.
func TestNotFoundInsideAnApplication(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	_, err := s.CreateApplication(ctx(t), validCreate("app"))
	require.NoError(t, err)
	_, err = s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: 2})
	requireAPIError(t, err, "ResourceNotFoundException", "2")
	_, err = s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: 999_999_999})
	requireAPIError(t, err, "ResourceNotFoundException")
	_, err = s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: "deadbeef"})
	requireAPIError(t, err, "ResourceNotFoundException", "deadbeef")
	_, err = s.WaitForOperation(ctx(t), "app", "deadbeef")
	requireAPIError(t, err, "ResourceNotFoundException", "deadbeef")
	_, err = s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: strings.Repeat("s", 256)})
	requireAPIError(t, err, "InvalidArgumentException", "does not exist")
	_, err = s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: "app", RunConfiguration: &lifecycle.RunConfiguration{
		ApplicationRestoreConfiguration: &lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: "none"}}})
	requireAPIError(t, err, "InvalidArgumentException", "none", "does not exist")
	require.Equal(t, lifecycle.StatusReady, describe(t, s, "app").ApplicationStatus)
}

// TestListAndIdentifierValidation: list limits, next tokens, snapshot
// names, version ids, operation ids and filters.
func TestListAndIdentifierValidation(t *testing.T) {
	s := newService(t, lifecycle.Options{}, newCounts())
	_, err := s.CreateApplication(ctx(t), validCreate("app"))
	require.NoError(t, err)
	const ia = "InvalidArgumentException"
	type call struct {
		name  string
		do    func() error
		code  string
		names []string
	}
	var calls []call
	for _, limit := range []int{-1, 51, 1000} {
		calls = append(calls,
			call{fmt.Sprintf("ListApplications limit %d", limit), func() error {
				_, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{Limit: limit})
				return err
			}, "InvalidRequestException", []string{"Limit"}},
			call{fmt.Sprintf("ListApplicationVersions limit %d", limit), func() error {
				_, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, ia, []string{"Limit"}},
			call{fmt.Sprintf("ListApplicationOperations limit %d", limit), func() error {
				_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, ia, []string{"Limit"}},
			call{fmt.Sprintf("ListApplicationSnapshots limit %d", limit), func() error {
				_, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, ia, []string{"Limit"}},
		)
	}
	for _, limit := range []int{0, 1, 50} {
		calls = append(calls,
			call{fmt.Sprintf("ListApplications limit %d", limit), func() error {
				_, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{Limit: limit})
				return err
			}, "", nil},
			call{fmt.Sprintf("ListApplicationVersions limit %d", limit), func() error {
				_, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, "", nil},
			call{fmt.Sprintf("ListApplicationOperations limit %d", limit), func() error {
				_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, "", nil},
			call{fmt.Sprintf("ListApplicationSnapshots limit %d", limit), func() error {
				_, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app", Limit: limit})
				return err
			}, "", nil},
		)
	}
	for _, tok := range []string{"not a token", "-1", "99", "x", strings.Repeat("9", 600)} {
		calls = append(calls,
			call{"ListApplicationVersions token " + tok, func() error {
				_, err := s.ListApplicationVersions(ctx(t), lifecycle.ListApplicationVersionsRequest{ApplicationName: "app", NextToken: tok})
				return err
			}, ia, []string{"NextToken"}},
			call{"ListApplicationOperations token " + tok, func() error {
				_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", NextToken: tok})
				return err
			}, ia, []string{"NextToken"}},
			call{"ListApplicationSnapshots token " + tok, func() error {
				_, err := s.ListApplicationSnapshots(ctx(t), lifecycle.ListApplicationSnapshotsRequest{ApplicationName: "app", NextToken: tok})
				return err
			}, ia, []string{"NextToken"}},
		)
	}
	for _, tok := range []string{"not a name", "a/b", strings.Repeat("n", 129)} {
		calls = append(calls, call{"ListApplications token " + tok, func() error {
			_, err := s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{NextToken: tok})
			return err
		}, "InvalidRequestException", []string{"NextToken"}})
	}
	calls = append(calls,
		call{"ListApplicationOperations operation 65", func() error {
			_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", Operation: strings.Repeat("o", 65)})
			return err
		}, ia, []string{"Operation"}},
		call{"ListApplicationOperations status unknown", func() error {
			_, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", OperationStatus: "DONE"})
			return err
		}, ia, []string{"OperationStatus"}},
		call{"DescribeApplicationOperation id missing", func() error {
			_, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app"})
			return err
		}, ia, []string{"OperationId"}},
		call{"DescribeApplicationOperation id 65", func() error {
			_, err := s.DescribeApplicationOperation(ctx(t), lifecycle.DescribeApplicationOperationRequest{ApplicationName: "app", OperationID: strings.Repeat("o", 65)})
			return err
		}, ia, []string{"OperationId"}},
	)
	for _, id := range []int64{0, -1, 1_000_000_000} {
		calls = append(calls,
			call{fmt.Sprintf("DescribeApplicationVersion %d", id), func() error {
				_, err := s.DescribeApplicationVersion(ctx(t), lifecycle.DescribeApplicationVersionRequest{ApplicationName: "app", ApplicationVersionID: id})
				return err
			}, ia, []string{"ApplicationVersionId"}},
			call{fmt.Sprintf("RollbackApplication %d", id), func() error {
				_, err := s.RollbackApplication(ctx(t), lifecycle.RollbackApplicationRequest{ApplicationName: "app", CurrentApplicationVersionID: id})
				return err
			}, ia, []string{"CurrentApplicationVersionId"}},
		)
	}
	for _, sn := range []string{"", "a b", "a/b", strings.Repeat("s", 257), "caf\u00e9"} {
		calls = append(calls,
			call{"CreateApplicationSnapshot " + sn, func() error {
				_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: sn})
				return err
			}, ia, []string{"SnapshotName"}},
			call{"DescribeApplicationSnapshot " + sn, func() error {
				_, err := s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: sn})
				return err
			}, ia, []string{"SnapshotName"}},
			call{"DeleteApplicationSnapshot " + sn, func() error {
				_, err := s.DeleteApplicationSnapshot(ctx(t), lifecycle.DeleteApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: sn, SnapshotCreationTimestamp: time.Now()})
				return err
			}, ia, []string{"SnapshotName"}},
			call{"StartApplication from snapshot " + sn, func() error {
				_, err := s.StartApplication(ctx(t), lifecycle.StartApplicationRequest{ApplicationName: "app", RunConfiguration: &lifecycle.RunConfiguration{
					ApplicationRestoreConfiguration: &lifecycle.ApplicationRestoreConfiguration{ApplicationRestoreType: lifecycle.RestoreFromCustomSnapshot, SnapshotName: sn}}})
				return err
			}, ia, []string{"SnapshotName"}},
		)
	}
	arn := describe(t, s, "app").ApplicationARN
	calls = append(calls,
		call{"TagResource no tags", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn})
			return err
		}, ia, []string{"Tags"}},
		call{"TagResource 51 tags", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: nTags(51)})
			return err
		}, "TooManyTagsException", []string{"tags"}},
		call{"TagResource aws: key", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: []lifecycle.Tag{{Key: "aws:cloudformation:stack-name"}}})
			return err
		}, ia, []string{"aws:"}},
		call{"TagResource key 129", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: []lifecycle.Tag{{Key: strings.Repeat("k", 129)}}})
			return err
		}, ia, []string{"Key"}},
		call{"TagResource value 257", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: arn, Tags: []lifecycle.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}})
			return err
		}, ia, []string{"Value"}},
		call{"TagResource not an ARN", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{ResourceARN: "app", Tags: nTags(1)})
			return err
		}, ia, []string{"ResourceARN"}},
		call{"TagResource ARN missing", func() error {
			_, err := s.TagResource(ctx(t), lifecycle.TagResourceRequest{Tags: nTags(1)})
			return err
		}, ia, []string{"ResourceARN"}},
		call{"UntagResource no keys", func() error {
			_, err := s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: arn})
			return err
		}, ia, []string{"TagKeys"}},
		call{"UntagResource empty key", func() error {
			_, err := s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: arn, TagKeys: []string{""}})
			return err
		}, ia, []string{"TagKey"}},
		call{"UntagResource key 129", func() error {
			_, err := s.UntagResource(ctx(t), lifecycle.UntagResourceRequest{ResourceARN: arn, TagKeys: []string{strings.Repeat("k", 129)}})
			return err
		}, ia, []string{"TagKey"}},
		call{"ListTagsForResource not an ARN", func() error {
			_, err := s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: "application/app"})
			return err
		}, ia, []string{"ResourceARN"}},
	)
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) { requireAPIError(t, c.do(), c.code, c.names...) })
	}
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusReady, d.ApplicationStatus)
	require.EqualValues(t, 1, d.ApplicationVersionID)
}

// TestDeleteTimestamps: DeleteApplication and DeleteApplicationSnapshot
// need the resource's own creation timestamp.
func TestDeleteTimestamps(t *testing.T) {
	s, _ := newIdleService(t, lifecycle.Options{})
	require.NoError(t, s.Code().Put("code", "idle.zip", lifecycle.NewCodePackage("idle", nil)))
	created := createIdle(t, s, "app", "idle.zip", true).CreateTimestamp
	require.False(t, created.IsZero())
	start(t, s, "app", nil)
	_, err := s.CreateApplicationSnapshot(ctx(t), lifecycle.CreateApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "snap"})
	require.NoError(t, err)
	var snap lifecycle.SnapshotDetails
	_, err = s.Wait(ctx(t), "app", func(lifecycle.ApplicationDetail) bool {
		out, err := s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "snap"})
		snap = out.SnapshotDetails
		return err != nil || snap.SnapshotStatus != lifecycle.SnapshotCreating
	})
	require.NoError(t, err)
	require.Equal(t, lifecycle.SnapshotReady, snap.SnapshotStatus)

	del := func(name string, at time.Time) error {
		_, err := s.DeleteApplicationSnapshot(ctx(t), lifecycle.DeleteApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: name, SnapshotCreationTimestamp: at})
		return err
	}
	requireAPIError(t, del("snap", time.Time{}), "InvalidArgumentException", "SnapshotCreationTimestamp")
	requireAPIError(t, del("snap", snap.SnapshotCreationTimestamp.Add(time.Hour)), "InvalidArgumentException", "SnapshotCreationTimestamp")
	requireAPIError(t, del("snap", snap.SnapshotCreationTimestamp.Add(-time.Second)), "InvalidArgumentException", "SnapshotCreationTimestamp")
	requireAPIError(t, del("other", snap.SnapshotCreationTimestamp), "InvalidArgumentException", "other", "does not exist")
	_, err = s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "snap"})
	require.NoError(t, err, "a refused deletion keeps the snapshot")
	// The timestamp as it travels, in seconds and another zone, is the snapshot's.
	require.NoError(t, del("snap", snap.SnapshotCreationTimestamp.Truncate(time.Second).In(time.FixedZone("X", 3600))))
	_, err = s.DescribeApplicationSnapshot(ctx(t), lifecycle.DescribeApplicationSnapshotRequest{ApplicationName: "app", SnapshotName: "snap"})
	requireAPIError(t, err, "InvalidArgumentException", "snap", "does not exist")

	delApp := func(at time.Time) error {
		_, err := s.DeleteApplication(ctx(t), lifecycle.DeleteApplicationRequest{ApplicationName: "app", CreateTimestamp: at})
		return err
	}
	requireAPIError(t, delApp(time.Time{}), "InvalidArgumentException", "CreateTimestamp")
	requireAPIError(t, delApp(created.Add(24*time.Hour)), "InvalidArgumentException", "CreateTimestamp")
	requireAPIError(t, delApp(created.Add(-2*time.Second)), "InvalidArgumentException", "CreateTimestamp")
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus, "a refused deletion leaves the application alone")
	require.NoError(t, delApp(created))
	_, err = s.Wait(ctx(t), "app", func(lifecycle.ApplicationDetail) bool { return false })
	requireAPIError(t, err, "ResourceNotFoundException", "app")
	requireAPIError(t, delApp(created), "ResourceNotFoundException", "app")
}

var modelNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// FuzzCreateApplication: no name or description makes CreateApplication
// (or the actions that take a name) panic, and each is accepted exactly
// when the model allows it.
func FuzzCreateApplication(f *testing.F) {
	for _, seed := range [][2]string{
		{"app", ""}, {"", "d"}, {"a b", ""}, {strings.Repeat("a", 128), strings.Repeat("d", 1024)},
		{strings.Repeat("a", 129), ""}, {"ok", strings.Repeat("\u00e9", 1025)}, {"x\n", ""}, {"\xff", "\xff\xfe"},
		{"../etc", ""}, {"a.b-c_D9", "description"},
	} {
		f.Add(seed[0], seed[1])
	}
	s, err := lifecycle.New(lifecycle.Options{})
	require.NoError(f, err)
	f.Cleanup(func() { require.NoError(f, s.Close()) })
	pkg := lifecycle.NewCodePackage("count", nil)
	f.Fuzz(func(t *testing.T, name, description string) {
		r := validCreate(name)
		r.ApplicationDescription = description
		*codeContent(&r) = lifecycle.CodeContent{ZipFileContent: pkg}
		_, err := s.CreateApplication(ctx(t), r)
		nameOK := len(name) <= 128 && modelNamePattern.MatchString(name)
		descriptionOK := utf8.RuneCountInString(description) <= 1024
		switch {
		case !nameOK:
			requireAPIError(t, err, "InvalidArgumentException", "ApplicationName")
		case !descriptionOK:
			requireAPIError(t, err, "InvalidArgumentException", "ApplicationDescription")
		case err != nil:
			requireAPIError(t, err, "ResourceInUseException", name) // the fuzzer repeats names
		default:
			d := describe(t, s, name)
			require.Equal(t, description, d.ApplicationDescription)
		}
		_, err = s.DescribeApplication(ctx(t), lifecycle.DescribeApplicationRequest{ApplicationName: name})
		if !nameOK {
			requireAPIError(t, err, "InvalidArgumentException", "ApplicationName")
		}
		_, _ = s.ListApplications(ctx(t), lifecycle.ListApplicationsRequest{NextToken: name})
		_, _ = s.ListTagsForResource(ctx(t), lifecycle.ListTagsForResourceRequest{ResourceARN: "arn:aws:kinesisanalytics:us-east-1:123456789012:application/" + name})
	})
}
