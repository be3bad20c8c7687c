package endpoint_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

// TestMetrics: a running application's metrics under the service's names,
// labelled with the application; one that is not running has none.
//
// Mutant killed: the READY check inverted (the READY application listed,
// the running one not).
func TestMetrics(t *testing.T) {
	e := start(t, lifecycle.Options{}, endpoint.Options{})
	create(t, e, "running")
	create(t, e, "ready")
	out, err := e.svc.StartApplication(ctxT(t), lifecycle.StartApplicationRequest{ApplicationName: "running"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.WaitForOperation(ctxT(t), "running", out.OperationID); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(endpoint.Metrics(e.svc))
	want := `
# HELP fullRestarts How many times the job restarted.
# TYPE fullRestarts gauge
fullRestarts{Application="running"} 0
# HELP KPUs KPUs the application uses: its current parallelism over its parallelism per KPU, rounded up.
# TYPE KPUs gauge
KPUs{Application="running"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "fullRestarts", "KPUs"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 10 {
		t.Fatalf("%d series (%v), want the 10 metrics of the one running application", n, err)
	}
}
