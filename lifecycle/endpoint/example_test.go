package endpoint_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// The endpoint behind an HTTP server, driven by the official SDK: an
// application created from a code package in a bucket, started, and an
// error as the SDK's typed exception.
func Example() {
	ctx := context.Background()
	svc, err := lifecycle.New(lifecycle.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	_ = svc.RegisterBuilder("idle", idleJob)
	_ = svc.Code().Put("my-bucket", "job.zip", lifecycle.NewCodePackage("idle", nil))
	h, err := endpoint.New(svc, endpoint.Options{})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	client := kinesisanalyticsv2.New(kinesisanalyticsv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "any", SecretAccessKey: "any"}, nil
		}),
	})
	created, err := client.CreateApplication(ctx, &kinesisanalyticsv2.CreateApplicationInput{
		ApplicationName:      aws.String("demo"),
		RuntimeEnvironment:   types.RuntimeEnvironmentFlink120,
		ServiceExecutionRole: aws.String("arn:aws:iam::123456789012:role/flink"),
		ApplicationConfiguration: &types.ApplicationConfiguration{
			ApplicationCodeConfiguration: &types.ApplicationCodeConfiguration{
				CodeContentType: types.CodeContentTypeZipfile,
				CodeContent: &types.CodeContent{S3ContentLocation: &types.S3ContentLocation{
					BucketARN: aws.String("arn:aws:s3:::my-bucket"), FileKey: aws.String("job.zip")}},
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.ApplicationDetail.ApplicationStatus, *created.ApplicationDetail.ApplicationVersionId)

	started, err := client.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("demo")})
	if err != nil {
		log.Fatal(err)
	}
	op, _ := svc.WaitForOperation(ctx, "demo", *started.OperationId)
	fmt.Println("start:", op.OperationStatus)

	_, err = client.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String("nope")})
	var notFound *types.ResourceNotFoundException
	fmt.Println(errors.As(err, &notFound))
	// Output:
	// READY 1
	// start: SUCCESSFUL
	// true
}
