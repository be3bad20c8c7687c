package flinksim

import "github.com/flinksim/go-flinksim/flinksim/internal/engine"

// Plan describes a running job's graph as Flink's job plan does: its tasks
// (chains of operators, each run as Parallelism subtasks) in graph order,
// and the edges between them with their partitioning. Edges inside a
// chain are not listed: records cross them by a function call.
type Plan struct {
	Tasks []PlanTask
}

// PlanTask is one task of a Plan: a chain of operators, Flink's job vertex.
type PlanTask struct {
	// Name is the chain's operator names joined by " -> ", as
	// SubtaskInfo.Task names it.
	Name string
	// Operators are the chain's operators, head first.
	Operators []PlanOperator
	// Parallelism is the task's number of subtasks; MaxParallelism the
	// least max parallelism of its operators.
	Parallelism    int
	MaxParallelism int
	// Inputs are the edges into the task, in input order.
	Inputs []PlanEdge
}

// PlanOperator is one operator of a task's chain.
type PlanOperator struct {
	Name string
	// UID names the operator's state in snapshots (see UID).
	UID string
}

// PlanEdge is an edge into a task: from which task and how its records
// are distributed over the consumer's subtasks.
type PlanEdge struct {
	// From is the name of the producing task.
	From string
	// Strategy is the partitioning, as Flink's ship strategy names it:
	// "FORWARD", "REBALANCE", "HASH" (KeyBy) or "BROADCAST".
	Strategy string
}

// Plan returns the graph of the job's current attempt.
func (j *JobClient) Plan() Plan {
	eg := j.job.Current()
	taskOf := make(map[*engine.Vertex]string)
	var heads []*engine.Task
	for _, t := range eg.Tasks {
		if t.Subtask != 0 {
			continue
		}
		heads = append(heads, t)
		for _, m := range t.Members {
			taskOf[m] = t.Name
		}
	}
	plan := Plan{Tasks: make([]PlanTask, len(heads))}
	for i, t := range heads {
		pt := PlanTask{Name: t.Name, Parallelism: t.Members[0].Parallelism}
		for _, m := range t.Members {
			pt.Operators = append(pt.Operators, PlanOperator{Name: m.Name, UID: m.UID})
			if pt.MaxParallelism == 0 || m.MaxParallelism < pt.MaxParallelism {
				pt.MaxParallelism = m.MaxParallelism
			}
			for _, e := range m.Inputs {
				if from := taskOf[e.From]; from != t.Name {
					pt.Inputs = append(pt.Inputs, PlanEdge{From: from, Strategy: e.Strategy.String()})
				}
			}
		}
		plan.Tasks[i] = pt
	}
	return plan
}
