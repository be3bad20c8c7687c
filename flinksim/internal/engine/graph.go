package engine

import (
	"errors"
	"fmt"
)

// Strategy says how records of an edge are distributed over the subtasks
// of its target.
type Strategy uint8

// Partitioning strategies, as in Flink.
const (
	// StrategyDefault is forward when both sides have the same
	// parallelism, rebalance otherwise.
	StrategyDefault Strategy = iota
	// StrategyForward sends subtask i's records to subtask i.
	StrategyForward
	// StrategyRebalance distributes records round-robin.
	StrategyRebalance
	// StrategyHash sends each record to the subtask owning its key group.
	StrategyHash
	// StrategyBroadcast sends every record to every subtask.
	StrategyBroadcast
)

func (s Strategy) String() string {
	switch s {
	case StrategyForward:
		return "FORWARD"
	case StrategyRebalance:
		return "REBALANCE"
	case StrategyHash:
		return "HASH"
	case StrategyBroadcast:
		return "BROADCAST"
	}
	return "DEFAULT"
}

// Vertex is one operator of the logical graph.
type Vertex struct {
	ID   int
	Name string // unique in the job
	// UID identifies the operator's state in snapshots (default: Name),
	// so a renamed operator keeps its state; unique in the job.
	UID string
	// Parallelism and MaxParallelism take the job's defaults when not set
	// (their *Set flag false); a max parallelism not set, by the operator
	// or for the whole job, is adopted from a snapshot the job restores.
	Parallelism       int
	MaxParallelism    int
	ParallelismSet    bool
	MaxParallelismSet bool
	IsSource          bool
	IsSink            bool
	// Keyed vertices are fed by hash edges and own key groups.
	Keyed  bool
	Inputs []*Edge
	// New builds one subtask's operator. out is a Collector[Out] (as any)
	// that fans out to the vertex's consumers.
	New func(ctx *OperatorContext, out any) (Operator, error)
	// Fanout combines the Collector[Out] values (as any) of the vertex's
	// consumers into one counting collector.
	Fanout func(outs []any, counter *int64) any
}

// Edge connects two vertices.
type Edge struct {
	From, To *Vertex
	Strategy Strategy
	// Input is the logical input of To the edge feeds (0, or 1 for the
	// second stream of a two-input operator).
	Input int
	// Tag names the side output of From the edge reads ("": the main
	// output); Fanout then combines the Collector[T] values (as any) of
	// the tag's consumers, as Vertex.Fanout does for the main output.
	Tag    string
	Fanout func(outs []any, counter *int64) any
	// NewWriter builds the partitioning writer that sends From's records
	// over out; it returns a Collector[Out of From] (as any) and the writer.
	NewWriter func(out *ChannelOutput) (any, Writer)
}

// Graph is a logical dataflow graph under construction.
type Graph struct {
	Vertices []*Vertex
}

// Add appends a vertex with a fresh ID.
func (g *Graph) Add(v *Vertex) *Vertex {
	v.ID = len(g.Vertices)
	g.Vertices = append(g.Vertices, v)
	return v
}

// Graph validation errors.
var (
	ErrEmptyGraph         = errors.New("flinksim: the job has no operators")
	ErrNoSink             = errors.New("flinksim: the job has no sink")
	ErrDuplicateName      = errors.New("flinksim: duplicate operator name")
	ErrInvalidParallelism = errors.New("flinksim: invalid parallelism")
	ErrForwardParallelism = errors.New("flinksim: forward partitioning needs equal parallelism on both sides")
)

// Resolve fills in default parallelism and max parallelism and checks the
// graph. It returns every problem found, joined.
func (g *Graph) Resolve(defaultParallelism, defaultMaxParallelism int, defaultMax func(p int) int) error {
	if len(g.Vertices) == 0 {
		return ErrEmptyGraph
	}
	var errs []error
	names := make(map[string]bool, len(g.Vertices))
	uids := make(map[string]bool, len(g.Vertices))
	sinks := 0
	for _, v := range g.Vertices {
		if names[v.Name] {
			errs = append(errs, fmt.Errorf("%w: %q", ErrDuplicateName, v.Name))
		}
		names[v.Name] = true
		if v.UID == "" {
			v.UID = v.Name
		}
		if uids[v.UID] {
			errs = append(errs, fmt.Errorf("%w: UID %q", ErrDuplicateName, v.UID))
		}
		uids[v.UID] = true
		if v.IsSink {
			sinks++
		}
		if !v.ParallelismSet {
			v.Parallelism = defaultParallelism
		}
		switch {
		case v.MaxParallelismSet:
		case defaultMaxParallelism != 0: // set for the whole job: explicit too
			v.MaxParallelism, v.MaxParallelismSet = defaultMaxParallelism, true
		default:
			v.MaxParallelism = defaultMax(v.Parallelism)
		}
		if v.Parallelism < 1 || v.MaxParallelism < 1 || v.MaxParallelism > maxKeyGroups {
			errs = append(errs, fmt.Errorf("%w: operator %q has parallelism %d and max parallelism %d (want 1 <= parallelism <= max parallelism <= %d)",
				ErrInvalidParallelism, v.Name, v.Parallelism, v.MaxParallelism, maxKeyGroups))
		} else if v.Parallelism > v.MaxParallelism {
			errs = append(errs, fmt.Errorf("%w: operator %q has parallelism %d above its max parallelism %d",
				ErrInvalidParallelism, v.Name, v.Parallelism, v.MaxParallelism))
		}
	}
	if sinks == 0 {
		errs = append(errs, ErrNoSink)
	}
	for _, v := range g.Vertices {
		for _, e := range v.Inputs {
			if e.Strategy == StrategyDefault {
				if e.From.Parallelism == e.To.Parallelism {
					e.Strategy = StrategyForward
				} else {
					e.Strategy = StrategyRebalance
				}
			}
			if e.Strategy == StrategyForward && e.From.Parallelism != e.To.Parallelism {
				errs = append(errs, fmt.Errorf("%w: %q (parallelism %d) -> %q (parallelism %d)",
					ErrForwardParallelism, e.From.Name, e.From.Parallelism, e.To.Name, e.To.Parallelism))
			}
		}
	}
	return errors.Join(errs...)
}

// maxKeyGroups bounds max parallelism, as Flink's 2^15.
const maxKeyGroups = 1 << 15
