package endpoint_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// benchEnv is a server over loopback with 100 applications.
func benchEnv(b *testing.B) *env {
	e := start(b, lifecycle.Options{}, endpoint.Options{})
	for i := range 100 {
		create(b, e, fmt.Sprintf("app-%03d", i))
	}
	return e
}

// BenchmarkDescribeApplication: requests/s of DescribeApplication through
// the SDK over loopback, 100 applications.
func BenchmarkDescribeApplication(b *testing.B) {
	e := benchEnv(b)
	ctx := ctxT(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := e.client.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String(fmt.Sprintf("app-%03d", i%100))}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkListApplications: requests/s of a ListApplications page of 50.
func BenchmarkListApplications(b *testing.B) {
	e := benchEnv(b)
	ctx := ctxT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.ListApplications(ctx, &kinesisanalyticsv2.ListApplicationsInput{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkStartToRunning: StartApplication until DescribeApplication
// through the SDK says RUNNING, then a forced stop (not timed).
func BenchmarkStartToRunning(b *testing.B) {
	e := start(b, lifecycle.Options{}, endpoint.Options{})
	create(b, e, "app")
	ctx := ctxT(b)
	var total time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.client.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("app")}); err != nil {
			b.Fatal(err)
		}
		for {
			d, err := e.client.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String("app")})
			if err != nil {
				b.Fatal(err)
			}
			if d.ApplicationDetail.ApplicationStatus == types.ApplicationStatusRunning {
				break
			}
		}
		total += time.Since(t0)
		b.StopTimer()
		out, err := e.client.StopApplication(ctx, &kinesisanalyticsv2.StopApplicationInput{ApplicationName: aws.String("app"), Force: aws.Bool(true)})
		if err != nil {
			b.Fatal(err)
		}
		waitOp(b, e, "app", out.OperationId)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/start")
}
