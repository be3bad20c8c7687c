package flinksim_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

type order struct {
	User string
	Item string
}

type user struct {
	ID   string
	Name string
}

// namer enriches orders with their user's name: the users input fills
// keyed state, orders that come before their user wait in it.
type namer struct {
	name    flinksim.ValueState[string]
	waiting flinksim.ListState[string]
}

func (n *namer) ProcessElement1(_ *flinksim.KeyedContext[string], o order, out flinksim.Collector[string]) error {
	if name, ok := n.name.Value(); ok {
		out.Collect(name + " ordered " + o.Item)
		return nil
	}
	n.waiting.Add(o.Item)
	return nil
}

func (n *namer) ProcessElement2(_ *flinksim.KeyedContext[string], u user, out flinksim.Collector[string]) error {
	n.name.Update(u.Name)
	for _, item := range n.waiting.Get() {
		out.Collect(u.Name + " ordered " + item)
	}
	n.waiting.Clear()
	return nil
}

// Two keyed streams connected: orders and users share their key's state.
func ExampleKeyedCoProcess() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	orders := flinksim.KeyBy(flinksim.FromSlice(env, "orders", []order{{"u1", "book"}, {"u2", "pen"}, {"u1", "lamp"}}),
		func(o order) string { return o.User })
	users := flinksim.KeyBy(flinksim.FromSlice(env, "users", []user{{"u1", "Ann"}, {"u2", "Bob"}}),
		func(u user) string { return u.ID })
	named := flinksim.KeyedCoProcess(flinksim.ConnectKeyed(orders, users), "name",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedCoProcessFunction[string, order, user, string], error) {
			return &namer{name: flinksim.NewValueState[string](rt, "name"), waiting: flinksim.NewListState[string](rt, "waiting")}, nil
		})
	sink := flinksim.Collect(named, "sink")
	if _, err := env.Execute(context.Background(), "enrich"); err != nil {
		fmt.Println(err)
		return
	}
	lines := sink.Values()
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// Ann ordered book
	// Ann ordered lamp
	// Bob ordered pen
}

type tick struct {
	Key string
	At  int64
}

// Pairs of an impression and a click of one key at most 5 ms after it.
func ExampleIntervalJoin() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	stamped := func(name string, ts []tick) flinksim.KeyedStream[string, tick] {
		s := flinksim.AssignTimestampsAndWatermarks(flinksim.FromSlice(env, name, ts), name+"-time",
			flinksim.ForMonotonousTimestamps[tick]().WithTimestampAssigner(func(t tick, _ int64) int64 { return t.At }))
		return flinksim.KeyBy(s, func(t tick) string { return t.Key })
	}
	views := stamped("views", []tick{{"a", 1}, {"b", 2}, {"a", 10}})
	clicks := stamped("clicks", []tick{{"a", 4}, {"b", 20}, {"a", 12}})
	pairs := flinksim.IntervalJoin(views, clicks, 0, 5*time.Millisecond, "join",
		func(v, c tick, ctx *flinksim.JoinContext, out flinksim.Collector[string]) error {
			out.Collect(fmt.Sprintf("%s: view %d, click %d", v.Key, v.At, c.At))
			return nil
		})
	sink := flinksim.Collect(pairs, "sink")
	if _, err := env.Execute(context.Background(), "join"); err != nil {
		fmt.Println(err)
		return
	}
	lines := sink.Values()
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// a: view 1, click 4
	// a: view 10, click 12
}
