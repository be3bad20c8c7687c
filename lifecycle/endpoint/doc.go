// Package endpoint serves the kinesisanalyticsv2 API — Amazon Managed
// Service for Apache Flink's — over HTTP, in front of a lifecycle.Service,
// so that the AWS CLI, boto3, the AWS SDKs and the tools built on them
// (Terraform, CloudFormation-style deploy scripts, CI/CD pipelines) manage
// real flinksim applications at a local endpoint.
//
// # The protocol
//
// The Handler speaks AWS JSON 1.1 as the model (kinesisanalyticsv2
// 2018-05-23) describes it: POST / with the header X-Amz-Target:
// KinesisAnalytics_20180523.ACTION and a JSON body of the action's input,
// Content-Type application/x-amz-json-1.1. Members and enums are spelt as in
// the model; timestamps are epoch seconds, fractional to the millisecond,
// both ways; blobs (ZipFileContent) are base64.
//
// Errors are answered as the service answers them: HTTP status 400, the
// header x-amzn-ErrorType and a body {"__type": CODE, "message": TEXT}, so
// that every SDK maps them to its typed exceptions (with aws-sdk-go-v2,
// errors.As(err, &types.ResourceNotFoundException{}) and so on). The codes
// are the lifecycle Service's exceptions, and the protocol's own:
//
//   - UnknownOperationException: an X-Amz-Target that names no action.
//   - SerializationException: a body that is not JSON, or a member of the
//     wrong type (413 for a body larger than Options.MaxBodyBytes).
//   - InvalidArgumentException: a required member missing, an enum value
//     not in the model, a number out of its range — the message names the
//     member, as "ApplicationConfiguration.ApplicationSnapshotConfiguration.SnapshotsEnabled is required".
//     The Service checks names, lengths, patterns and list limits the same way.
//   - UnsupportedOperationException: the actions of SQL applications and
//     VPC configurations, and members this service does not run
//     (encryption, VPC, SQL, Zeppelin).
//   - MissingAuthenticationTokenException, UnrecognizedClientException: a
//     request without or with another access key, when Options.AccessKeyID
//     restricts it.
//   - ServiceUnavailableException (503): the Service is closed;
//     InternalFailure (500): a bug.
//
// # Actions
//
// Every action of the lifecycle Service: CreateApplication,
// DescribeApplication, ListApplications, UpdateApplication,
// StartApplication, StopApplication, DeleteApplication,
// RollbackApplication, CreateApplicationSnapshot, ListApplicationSnapshots,
// DescribeApplicationSnapshot, DeleteApplicationSnapshot,
// ListApplicationVersions, DescribeApplicationVersion,
// ListApplicationOperations, DescribeApplicationOperation, TagResource,
// UntagResource, ListTagsForResource, AddApplicationCloudWatchLoggingOption,
// DeleteApplicationCloudWatchLoggingOption and
// UpdateApplicationMaintenanceConfiguration, with the Service's behaviour
// (see package lifecycle): operations return at once with an OperationId and
// go on in the background (an UpdateApplication of an application that is
// not running takes effect at once and has none), DeleteApplication compares
// CreateTimestamp to the second, ListApplications' NextToken is an
// application name. The API has no call that waits: an SDK user polls
// DescribeApplication (or DescribeApplicationOperation with the
// OperationId) until the status changes; a program that holds the Service
// too waits by event with its WaitForStatus and WaitForOperation.
//
// CloudWatch logging options (at create, by the two logging actions, and
// changed by UpdateApplication's CloudWatchLoggingOptionUpdates) and the
// maintenance window are recorded and described — every ApplicationDetail
// carries CloudWatchLoggingOptionDescriptions and
// ApplicationMaintenanceConfigurationDescription — but change nothing in
// how the job runs: no log reaches CloudWatch, and no maintenance happens
// in the window. Adding or deleting a logging option makes a new version,
// checked against CurrentApplicationVersionId or ConditionalToken (a stale
// one is ConcurrentModificationException), with an operation that has
// completed when the call returns.
//
// CreateApplicationPresignedUrl with UrlType FLINK_DASHBOARD_URL returns a
// URL on this server, /dashboard/NAME/?authToken=TOKEN, valid for
// SessionExpirationDurationInSeconds (default 12 h), of the Flink dashboard
// of the application's job (package flinksim/dashboard): the page, and
// beside it Flink's REST API (/dashboard/NAME/jobs/overview, …), which the
// page calls relative to its URL; the token travels to those calls as a
// cookie. The URL's host is the Host the request was sent to. Call
// Handler.Close after the server has shut down: it ends the dashboards'
// savepoints in progress.
//
// # Metrics
//
// Metrics returns a Prometheus collector of every running application's
// metrics under the service's names (uptime, downtime, fullRestarts,
// numberOfCompletedCheckpoints, numberOfFailedCheckpoints,
// lastCheckpointDuration, lastCheckpointSize, numRecordsIn, numRecordsOut,
// KPUs), labelled Application; examples/msf-local serves it at /metrics.
//
// # Authentication
//
// Requests are accepted with any credentials, signed or not, as a local
// emulator's are. Options.AccessKeyID restricts them to one access key: the
// Credential of the SigV4 Authorization header must name it. The signature
// itself is not verified.
//
// # Use
//
// The caller owns the Service and the server: it registers its job
// builders right after lifecycle.New, serves the Handler, and on the way
// out shuts the server down before it closes the Service.
//
//	svc, _ := lifecycle.New(lifecycle.Options{Dir: dir, Code: lifecycle.DirCodeStore{Dir: filepath.Join(dir, "s3")}})
//	defer svc.Close()
//	_ = svc.RegisterBuilder("counter", buildCounter)
//	h, _ := endpoint.New(svc, endpoint.Options{})
//	srv := &http.Server{Addr: "127.0.0.1:9700", Handler: h}
//
// A code package is what lifecycle.NewCodePackage makes, put in the code
// store: S3ContentLocation BucketARN arn:aws:s3:::BUCKET and FileKey KEY
// name the object KEY of bucket BUCKET (with DirCodeStore, the file
// DIR/s3/BUCKET/KEY above; in a test, svc.Code().Put on the default
// in-memory store). The SDK needs a Region and credentials, any of them
// (credentials.NewStaticCredentialsProvider is in the module
// github.com/aws/aws-sdk-go-v2/credentials; an aws.CredentialsProviderFunc
// needs none):
//
//	client := kinesisanalyticsv2.New(kinesisanalyticsv2.Options{
//		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9700"),
//		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
//	})
//
// Then point a client at it: aws --endpoint-url http://127.0.0.1:9700
// kinesisanalyticsv2 list-applications, boto3.client("kinesisanalyticsv2",
// endpoint_url=...), or kinesisanalyticsv2.Options.BaseEndpoint in
// aws-sdk-go-v2. examples/msf-local is such a server.
//
// aws-sdk-go-v2 has a race of its own (smithy-go's request body answers
// WriteTo with io.EOF once closed, and net/http then closes the connection
// whose response is being read): over loopback, a response larger than 4
// KiB is now and then reported as "failed to decode response body ... use
// of closed network connection", whatever the server sends. Its default
// retryer retries it; a client with RetryMaxAttempts 1 sees it, unless its
// HTTPClient's transport hides the request body's WriteTo method, as this
// package's tests do.
package endpoint
