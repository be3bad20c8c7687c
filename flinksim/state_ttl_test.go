package flinksim_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// The TTL tests run on the concurrent executor with a ManualClock that the
// keyed function itself advances: a "tick" command moves it V minutes.
// With one source and a keyed operator of parallelism 1 the commands are
// handled in order, so every read sees exactly the time the script says.
// (The simulation runs on its own virtual clock, which a test cannot move
// by hand.)

var ttlT0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// ttlHour is the TTL configuration of most tests: an hour, the defaults.
var ttlHour = flinksim.TTLConfig{TTL: time.Hour}

// ttlOpen declares a test's state and returns its answer to each command.
type ttlOpen func(rt *flinksim.KeyedRuntimeContext[string]) func(c cmd) string

// ttlProcess is the keyed operator "state" of the TTL tests over src.
func ttlProcess(src flinksim.Stream[cmd], clk *flinksim.ManualClock, open ttlOpen) flinksim.Stream[string] {
	return flinksim.Process(flinksim.KeyBy(src, func(c cmd) string { return c.K }), "state",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
			answer := open(rt)
			return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
				if c.Op == "tick" {
					clk.Advance(time.Duration(c.V) * time.Minute)
					out.Collect("tick")
					return nil
				}
				out.Collect(answer(c))
				return nil
			}), nil
		}, flinksim.Parallelism(1))
}

// runTTL runs cmds (key "k" unless a command names one) from t0 and
// returns the answers in order.
func runTTL(t *testing.T, cmds []cmd, open ttlOpen) []string {
	t.Helper()
	clk := flinksim.NewManualClock(ttlT0)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clk))
	for i := range cmds {
		if cmds[i].K == "" {
			cmds[i].K = "k"
		}
	}
	out := flinksim.Collect(ttlProcess(flinksim.FromSlice(env, "cmds", cmds), clk, open), "out")
	_, err := env.Execute(t.Context(), t.Name())
	require.NoError(t, err)
	return slices.DeleteFunc(out.Values(), func(s string) bool { return s == "tick" })
}

// ttlEnv returns an environment on clk checkpointing to store (no
// periodic checkpoints; a timeout the tests' ticks never reach),
// restoring from savepoint restore if it is not "".
func ttlEnv(clk *flinksim.ManualClock, store *snapshot.Store, restore string, opts ...flinksim.Option) *flinksim.Environment {
	opts = append(opts, flinksim.WithParallelism(1), flinksim.WithClock(clk),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Timeout: 1000 * time.Hour}))
	if restore != "" {
		opts = append(opts, flinksim.WithRestoreFrom("savepoints/"+restore, false))
	}
	return flinksim.NewEnvironment(opts...)
}

// runTTLSavepoint runs cmds from t0 and stops the job with savepoint name
// once the state operator has handled them all; it returns the answers.
func runTTLSavepoint(t *testing.T, store *snapshot.Store, name string, cmds []cmd, open ttlOpen) []string {
	t.Helper()
	clk := flinksim.NewManualClock(ttlT0)
	env := ttlEnv(clk, store, "", flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "state", After: int64(len(cmds)), Name: name, Stop: true}))
	out := flinksim.Collect(ttlProcess(flinksim.FromChan(env, "cmds", ttlChan(cmds, false)), clk, open), "out")
	_, err := env.Execute(cpDeadline(t), t.Name())
	require.NoError(t, err)
	return out.Values()
}

// ttlChan returns a channel holding cmds, closed after them if closed.
// The jobs of savepoints and their restores read from channels: a job
// stops with its savepoint while its channel is open, and a FromChan
// source restores from another FromChan.
func ttlChan(cmds []cmd, closed bool) <-chan cmd {
	ch := make(chan cmd, len(cmds))
	for _, c := range cmds {
		ch <- c
	}
	if closed {
		close(ch)
	}
	return ch
}

// ttlScript is a script of commands with the answers it must give.
type ttlScript struct {
	name string
	cfg  flinksim.TTLConfig
	cmds []cmd
	want []string
}

func runTTLScripts(t *testing.T, scripts []ttlScript, open func(cfg flinksim.TTLConfig) ttlOpen) {
	t.Helper()
	for _, s := range scripts {
		t.Run(s.name, func(t *testing.T) {
			assert.Equal(t, s.want, runTTL(t, slices.Clone(s.cmds), open(s.cfg)))
		})
	}
}

// ticks of the scripts, in minutes.
var (
	tick59 = cmd{Op: "tick", V: 59}
	tick1  = cmd{Op: "tick", V: 1}
	tick30 = cmd{Op: "tick", V: 30}
)

// TestTTLValueState: a value expires TTL after it was written (present a
// minute before, absent at TTL); OnCreateAndWrite reads do not refresh it,
// OnReadAndWrite reads do, writes always do; ReturnExpiredIfNotCleanedUp
// returns the expired value once and removes it.
//
// Mutants: expiry only after the deadline instead of at it (the value is
// read at TTL); OnReadAndWrite not refreshing on Value; Update not
// stamping the write time (stamping 0: expired at once); expired values
// returned under NeverReturnExpired; the expired value not removed under
// ReturnExpiredIfNotCleanedUp (read twice) — each fails this test.
func TestTTLValueState(t *testing.T) {
	get, put := cmd{Op: "get"}, cmd{Op: "put", V: 7}
	runTTLScripts(t, []ttlScript{
		{"expires", ttlHour, []cmd{get, put, tick59, get, tick1, get, get}, []string{"none", "ok", "7", "none", "none"}},
		{"write refreshes", ttlHour, []cmd{put, tick30, put, tick59, get, tick1, get}, []string{"ok", "ok", "7", "none"}},
		{"read does not refresh", ttlHour, []cmd{put, tick30, get, tick30, get}, []string{"ok", "7", "none"}},
		{"read refreshes", flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite},
			[]cmd{put, tick30, get, tick59, get, tick59, tick1, get}, []string{"ok", "7", "7", "none"}},
		{"return expired once", flinksim.TTLConfig{TTL: time.Hour, Visibility: flinksim.ReturnExpiredIfNotCleanedUp},
			[]cmd{put, tick59, tick1, get, get}, []string{"ok", "7", "none"}},
		{"clear", ttlHour, []cmd{put, {Op: "clear"}, get}, []string{"ok", "ok", "none"}},
	}, func(cfg flinksim.TTLConfig) ttlOpen {
		return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
			s := flinksim.NewValueState[int](rt, "v", flinksim.WithTTL(cfg))
			return func(c cmd) string {
				switch c.Op {
				case "put":
					s.Update(c.V)
				case "clear":
					s.Clear()
				default:
					if v, ok := s.Value(); ok {
						return strconv.Itoa(v)
					}
					return "none"
				}
				return "ok"
			}
		}
	})
}

// TestTTLListState: list elements expire one by one, each TTL after it
// was added; Update stamps every element anew; OnReadAndWrite reads
// refresh the elements they return; ReturnExpiredIfNotCleanedUp returns
// expired elements once, in their places.
//
// Mutants: Add not stamping its element (all expire at once); Get
// returning expired elements; Get not refreshing under OnReadAndWrite;
// Get not removing the expired elements it skips (ReturnExpired reads
// them twice) — each fails this test.
func TestTTLListState(t *testing.T) {
	get := cmd{Op: "get"}
	add := func(s string) cmd { return cmd{Op: "add", A: s} }
	runTTLScripts(t, []ttlScript{
		{"per element", ttlHour, []cmd{add("a"), tick30, add("b"), tick30, get, tick30, get},
			[]string{"ok", "ok", "[b]", "[]"}},
		{"update restamps", ttlHour, []cmd{add("a"), tick30, {Op: "update", A: "x,y"}, tick59, get, tick1, get},
			[]string{"ok", "ok", "[x y]", "[]"}},
		{"addall", ttlHour, []cmd{add("a"), tick30, {Op: "addall", A: "b,c"}, tick30, get},
			[]string{"ok", "ok", "[b c]"}},
		{"read refreshes", flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite},
			[]cmd{add("a"), tick30, add("b"), tick1, get, tick59, get, tick59, tick1, get},
			[]string{"ok", "ok", "[a b]", "[a b]", "[]"}},
		{"return expired once", flinksim.TTLConfig{TTL: time.Hour, Visibility: flinksim.ReturnExpiredIfNotCleanedUp},
			[]cmd{add("a"), tick30, add("b"), add("c"), tick30, get, get},
			[]string{"ok", "ok", "ok", "[a b c]", "[b c]"}},
	}, func(cfg flinksim.TTLConfig) ttlOpen {
		return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
			l := flinksim.NewListState[string](rt, "l", flinksim.WithTTL(cfg))
			return func(c cmd) string {
				switch c.Op {
				case "add":
					l.Add(c.A)
				case "addall":
					l.AddAll(strings.Split(c.A, ","))
				case "update":
					l.Update(strings.Split(c.A, ","))
				default:
					return fmt.Sprint(l.Get())
				}
				return "ok"
			}
		}
	})
}

// TestTTLMapState: map entries expire one by one; Get, Contains, All and
// Len see only unexpired entries; OnReadAndWrite refreshes the entries
// Get and All read; ReturnExpiredIfNotCleanedUp returns an expired entry
// once.
//
// Mutants: Put not stamping its entry; Get returning an expired entry;
// All yielding expired entries; Get, or All, not refreshing under
// OnReadAndWrite; Len counting expired entries; Get under ReturnExpired
// not removing the entry — each fails this test.
func TestTTLMapState(t *testing.T) {
	put := func(k string, v int) cmd { return cmd{Op: "put", A: k, V: v} }
	get := func(k string) cmd { return cmd{Op: "get", A: k} }
	all, n := cmd{Op: "all"}, cmd{Op: "len"}
	runTTLScripts(t, []ttlScript{
		{"per entry", ttlHour, []cmd{put("a", 1), tick30, put("b", 2), tick30, get("a"), get("b"), {Op: "contains", A: "a"}, all, n, tick30, all, n},
			[]string{"ok", "ok", "none", "2", "false", "[b=2]", "1", "[]", "0"}},
		{"len", ttlHour, []cmd{put("a", 1), tick30, put("b", 2), tick30, n, all}, []string{"ok", "ok", "1", "[b=2]"}},
		{"put refreshes", ttlHour, []cmd{put("a", 1), tick30, put("a", 3), tick59, get("a"), tick1, get("a")},
			[]string{"ok", "ok", "3", "none"}},
		{"get refreshes", flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite},
			[]cmd{put("a", 1), put("b", 2), tick30, get("a"), tick59, all},
			[]string{"ok", "ok", "1", "[a=1]"}},
		{"all refreshes", flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite},
			[]cmd{put("a", 1), put("b", 2), tick30, all, tick59, n, all},
			[]string{"ok", "ok", "[a=1 b=2]", "2", "[a=1 b=2]"}},
		{"return expired once", flinksim.TTLConfig{TTL: time.Hour, Visibility: flinksim.ReturnExpiredIfNotCleanedUp},
			[]cmd{put("a", 1), put("b", 2), tick59, tick1, get("a"), get("a"), all, all},
			[]string{"ok", "ok", "1", "none", "[b=2]", "[]"}},
	}, func(cfg flinksim.TTLConfig) ttlOpen {
		return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
			m := flinksim.NewMapState[string, int](rt, "m", flinksim.WithTTL(cfg))
			return func(c cmd) string {
				switch c.Op {
				case "put":
					m.Put(c.A, c.V)
					return "ok"
				case "get":
					if v, ok := m.Get(c.A); ok {
						return strconv.Itoa(v)
					}
					return "none"
				case "contains":
					return strconv.FormatBool(m.Contains(c.A))
				case "len":
					return strconv.Itoa(m.Len())
				}
				var es []string
				for k, v := range m.All() {
					es = append(es, k+"="+strconv.Itoa(v))
				}
				slices.Sort(es)
				return fmt.Sprint(es)
			}
		}
	})
}

func sumReduce(a, b int) (int, error)    { return a + b, nil }
func ttlSum(v int, ok bool) string       { return map[bool]string{true: strconv.Itoa(v), false: "none"}[ok] }
func ttlResult(s string, ok bool) string { return map[bool]string{true: s, false: "none"}[ok] }

// TestTTLReducingAndAggregatingState: the accumulator expires TTL after
// the last Add; an Add after expiry starts afresh; OnReadAndWrite Gets
// refresh it; under ReturnExpiredIfNotCleanedUp an Add folds the expired
// accumulator in, as Flink's does.
//
// Mutants: Add folding in an expired accumulator under NeverReturnExpired
// (reducing, and aggregating); Add not stamping; Get not refreshing under
// OnReadAndWrite (reducing, and aggregating) — each fails this test.
func TestTTLReducingAndAggregatingState(t *testing.T) {
	add, get := cmd{Op: "add", V: 5}, cmd{Op: "get"}
	scripts := []ttlScript{
		{"expires", ttlHour, []cmd{add, tick30, add, tick59, get, tick1, get}, []string{"ok", "ok", "10", "none"}},
		{"restarts after expiry", ttlHour, []cmd{add, tick59, tick1, add, get}, []string{"ok", "ok", "5"}},
		{"read refreshes", flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite},
			[]cmd{add, tick30, get, tick59, get}, []string{"ok", "5", "5"}},
		{"return expired folds in", flinksim.TTLConfig{TTL: time.Hour, Visibility: flinksim.ReturnExpiredIfNotCleanedUp},
			[]cmd{add, tick59, tick1, add, get}, []string{"ok", "ok", "10"}},
	}
	t.Run("reducing", func(t *testing.T) {
		runTTLScripts(t, scripts, func(cfg flinksim.TTLConfig) ttlOpen {
			return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
				r := flinksim.NewReducingState(rt, "r", sumReduce, flinksim.WithTTL(cfg))
				return func(c cmd) string {
					if c.Op == "add" {
						if err := r.Add(c.V); err != nil {
							return err.Error()
						}
						return "ok"
					}
					return ttlSum(r.Get())
				}
			}
		})
	})
	t.Run("aggregating", func(t *testing.T) {
		runTTLScripts(t, scripts, func(cfg flinksim.TTLConfig) ttlOpen {
			return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
				a := flinksim.NewAggregatingState[int, int64, string](rt, "a", sumAgg{}, flinksim.WithTTL(cfg))
				return func(c cmd) string {
					if c.Op == "add" {
						a.Add(c.V)
						return "ok"
					}
					return ttlResult(a.Get())
				}
			}
		})
	})
}

// ttlAllKinds declares one state of every kind with TTL cfg (or without a
// time to live if cfg is nil): "put" writes A to each (an element, a map
// entry), "get" reads them all.
func ttlAllKinds(cfg *flinksim.TTLConfig) ttlOpen {
	return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
		var opts []flinksim.StateOption
		if cfg != nil {
			opts = append(opts, flinksim.WithTTL(*cfg))
		}
		v := flinksim.NewValueState[string](rt, "value", opts...)
		l := flinksim.NewListState[string](rt, "list", opts...)
		m := flinksim.NewMapState[string, int](rt, "map", opts...)
		r := flinksim.NewReducingState(rt, "reducing", sumReduce, opts...)
		a := flinksim.NewAggregatingState[int, int64, string](rt, "aggregating", sumAgg{}, opts...)
		return func(c cmd) string {
			if c.Op == "put" {
				v.Update(c.A)
				l.Add(c.A)
				m.Put(c.A, c.V)
				if err := r.Add(c.V); err != nil {
					return err.Error()
				}
				a.Add(c.V)
				return "ok"
			}
			val, _ := v.Value()
			var es []string
			for k, n := range m.All() {
				es = append(es, k+"="+strconv.Itoa(n))
			}
			slices.Sort(es)
			return fmt.Sprintf("value %q list %v map %v reducing %s aggregating %s", val, l.Get(), es, ttlSum(r.Get()), ttlResult(a.Get()))
		}
	}
}

// TestTTLSnapshotCleanupAndRestore: a savepoint leaves out what had
// expired when it was taken, and keeps the timestamps of the rest, for
// every kind of state. Key "old" is written at t0, key "new" at t0+30m,
// and key "both" at both times; the savepoint is taken at t0+60m, when
// what was written at t0 has expired. The job restored from it starts its
// clock at t0 again — so an entry the savepoint had kept would be alive —
// and finds only what was written at t0+30m; moving the clock to
// t0+89m keeps it, to t0+90m (30m plus the TTL) expires it: the restored
// entries count from their original write.
//
// Mutants: snapshots not leaving out expired entries (appendGroup without
// the filter: "old" is restored); the list filter keeping every element;
// the map filter keeping every entry; the timestamp not encoded, or not
// decoded (restored entries expire at once) — each fails this test.
func TestTTLSnapshotCleanupAndRestore(t *testing.T) {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{})
	require.NoError(t, err)
	cfg := ttlHour
	first := []cmd{
		{K: "old", Op: "put", A: "x", V: 1}, {K: "both", Op: "put", A: "x", V: 1},
		{K: "tick", Op: "tick", V: 30},
		{K: "new", Op: "put", A: "y", V: 2}, {K: "both", Op: "put", A: "y", V: 2},
		{K: "tick", Op: "tick", V: 30},
	}
	runTTLSavepoint(t, store, "sp", first, ttlAllKinds(&cfg))

	clk := flinksim.NewManualClock(ttlT0)
	env := ttlEnv(clk, store, "sp")
	second := []cmd{
		{K: "old", Op: "get"}, {K: "new", Op: "get"}, {K: "both", Op: "get"},
		{K: "tick", Op: "tick", V: 89}, {K: "new", Op: "get"}, {K: "both", Op: "get"},
		{K: "tick", Op: "tick", V: 1}, {K: "new", Op: "get"}, {K: "both", Op: "get"},
	}
	out := flinksim.Collect(ttlProcess(flinksim.FromChan(env, "cmds", ttlChan(second, true)), clk, ttlAllKinds(&cfg)), "out")
	_, err = env.Execute(cpDeadline(t), t.Name())
	require.NoError(t, err)
	none := `value "" list [] map [] reducing none aggregating none`
	assert.Equal(t, []string{
		none,
		`value "y" list [y] map [y=2] reducing 2 aggregating 2`,
		`value "y" list [y] map [y=2] reducing 3 aggregating 3`, // written as a whole at t0+30m
		"tick",
		`value "y" list [y] map [y=2] reducing 2 aggregating 2`,
		`value "y" list [y] map [y=2] reducing 3 aggregating 3`,
		"tick",
		none, none,
	}, out.Values())
}

// TestTTLRestoreMismatchRefused: a state saved with a time to live does
// not restore into a declaration without one, nor the reverse — even with
// a WithCodec, which otherwise lets a restored state change its type —
// and the error names the state and both descriptions. A changed TTL
// restores.
//
// Mutants: the description not marking TTL (all restore); the TTL check
// dropped (the WithCodec cases restore, the others fail without saying
// why) — each fails this test.
func TestTTLRestoreMismatchRefused(t *testing.T) {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{})
	require.NoError(t, err)
	cfg := ttlHour
	put := []cmd{{K: "k", Op: "put", A: "x", V: 1}}
	runTTLSavepoint(t, store, "ttl", put, ttlAllKinds(&cfg))
	runTTLSavepoint(t, store, "plain", put, ttlAllKinds(nil))

	restore := func(t *testing.T, from string, open ttlOpen) error {
		clk := flinksim.NewManualClock(ttlT0)
		env := ttlEnv(clk, store, from)
		flinksim.Collect(ttlProcess(flinksim.FromChan(env, "cmds", ttlChan([]cmd{{K: "k", Op: "get"}}, true)), clk, open), "out")
		_, err := env.Execute(cpDeadline(t), t.Name())
		return err
	}
	withCodec := func(opts ...flinksim.StateOption) ttlOpen {
		return func(rt *flinksim.KeyedRuntimeContext[string]) func(cmd) string {
			v := flinksim.NewValueState[string](rt, "value", append(opts, flinksim.WithCodec[string](flinksim.JSONCodec[string]{}))...)
			return func(cmd) string { s, _ := v.Value(); return s }
		}
	}
	for _, tc := range []struct {
		name, from string
		open       ttlOpen
		was, is    string
	}{
		{"ttl into plain", "ttl", ttlAllKinds(nil), "with TTL in the snapshot", `declared value state of string (`},
		{"plain into ttl", "plain", ttlAllKinds(&cfg), "value state of string in the snapshot", "declared value state of string with TTL"},
		{"ttl into plain with codec", "ttl", withCodec(), "with TTL in the snapshot", `declared value state of string (`},
		{"plain into ttl with codec", "plain", withCodec(flinksim.WithTTL(cfg)), "value state of string in the snapshot", "declared value state of string with TTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := restore(t, tc.from, tc.open)
			require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
			assert.Contains(t, err.Error(), `state "value" was `)
			assert.Contains(t, err.Error(), tc.was)
			assert.Contains(t, err.Error(), tc.is)
			assert.Contains(t, err.Error(), "cannot gain or lose its time to live")
		})
	}
	t.Run("ttl changed", func(t *testing.T) {
		longer := flinksim.TTLConfig{TTL: 2 * time.Hour, Update: flinksim.OnReadAndWrite}
		require.NoError(t, restore(t, "ttl", ttlAllKinds(&longer)))
	})
}

// TestTTLInvalidConfig: a TTL that is not positive, an unknown update type
// or visibility, WithTTL twice, or WithTTL on operator state fails the job
// as it opens with ErrInvalidConfig naming the state; one name declared
// with two TTL configurations is ErrStateConflict.
//
// Mutants: validate accepting TTL 0 (or negative); the update-type and
// visibility checks dropped; a second WithTTL ignored; WithTTL on operator
// state reported as an unused WithCodec (ErrInvalidOperator); the
// configuration check on a second declaration dropped — each fails this
// test.
func TestTTLInvalidConfig(t *testing.T) {
	keyed := func(opts ...flinksim.StateOption) func(*flinksim.Environment) {
		return func(env *flinksim.Environment) {
			src := flinksim.FromSlice(env, "cmds", []cmd{{K: "k"}})
			p := flinksim.Process(flinksim.KeyBy(src, func(c cmd) string { return c.K }), "state",
				func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
					flinksim.NewValueState[int](rt, "v", opts...)
					return flinksim.ProcessFunc[string, cmd, string](func(*flinksim.KeyedContext[string], cmd, flinksim.Collector[string]) error { return nil }), nil
				})
			flinksim.Collect(p, "out")
		}
	}
	for _, tc := range []struct {
		name  string
		build func(*flinksim.Environment)
		is    error
		msg   string
	}{
		{"zero TTL", keyed(flinksim.WithTTL(flinksim.TTLConfig{})), flinksim.ErrInvalidConfig, `state "v": TTL 0s, want > 0`},
		{"negative TTL", keyed(flinksim.WithTTL(flinksim.TTLConfig{TTL: -time.Second})), flinksim.ErrInvalidConfig, "TTL -1s, want > 0"},
		{"unknown update", keyed(flinksim.WithTTL(flinksim.TTLConfig{TTL: time.Second, Update: 2})), flinksim.ErrInvalidConfig, "unknown update type TTLUpdateType(2)"},
		{"unknown visibility", keyed(flinksim.WithTTL(flinksim.TTLConfig{TTL: time.Second, Visibility: -1})), flinksim.ErrInvalidConfig, "unknown visibility TTLVisibility(-1)"},
		{"twice", keyed(flinksim.WithTTL(ttlHour), flinksim.WithTTL(ttlHour)), flinksim.ErrInvalidConfig, `state "v": WithTTL given twice`},
		{"operator state", func(env *flinksim.Environment) {
			flinksim.SinkTo(flinksim.FromSlice(env, "src", []int{1}), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
				flinksim.NewOperatorListState[int](rt, "l", flinksim.RedistributeSplit, flinksim.WithTTL(ttlHour))
				return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
			})
		}, flinksim.ErrInvalidConfig, `state "l": WithTTL is for keyed state only`},
		{"two configurations", func(env *flinksim.Environment) {
			src := flinksim.FromSlice(env, "cmds", []cmd{{K: "k"}})
			p := flinksim.Process(flinksim.KeyBy(src, func(c cmd) string { return c.K }), "state",
				func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
					flinksim.NewValueState[int](rt, "v", flinksim.WithTTL(ttlHour))
					flinksim.NewValueState[int](rt, "v", flinksim.WithTTL(flinksim.TTLConfig{TTL: time.Minute}))
					return flinksim.ProcessFunc[string, cmd, string](func(*flinksim.KeyedContext[string], cmd, flinksim.Collector[string]) error { return nil }), nil
				})
			flinksim.Collect(p, "out")
		}, flinksim.ErrStateConflict, `"v" has time to live "TTL 1h0m0s, OnCreateAndWrite, NeverReturnExpired", declared again with "TTL 1m0s, OnCreateAndWrite, NeverReturnExpired"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
			tc.build(env)
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}
