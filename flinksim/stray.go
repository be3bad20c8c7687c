package flinksim

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"weak"
)

// A zero Stream (one not made by a source or a transformation) has no
// environment on which a builder given it could record its error, so
// Execute would never hear of it: the job would run without the part the
// mistake left out and succeed. Instead, such a stray error is recorded on
// every environment that graph building on the same goroutine touched and
// that has not been executed yet. Graph building is not safe for
// concurrent use, so the environment being built is on the goroutine
// making the mistake; another goroutine's environments are not affected,
// so tests that build jobs in parallel do not fail one another.

// building holds, per goroutine, the environments graph building touched.
var building struct {
	sync.Mutex
	envs  map[uint64][]weak.Pointer[Environment]
	sweep int // sweep the map for dead entries when it grows past this
}

// noteBuilding records that graph building on this goroutine touched env.
func noteBuilding(env *Environment) {
	g := goroutineID()
	building.Lock()
	defer building.Unlock()
	if building.envs == nil {
		building.envs = make(map[uint64][]weak.Pointer[Environment])
	}
	wp := weak.Make(env)
	list := building.envs[g]
	for _, p := range list {
		if p == wp {
			return
		}
	}
	building.envs[g] = append(pending(list), wp)
	if len(building.envs) > building.sweep {
		for id, l := range building.envs {
			if l = pending(l); len(l) == 0 {
				delete(building.envs, id)
			} else {
				building.envs[id] = l
			}
		}
		building.sweep = 2*len(building.envs) + 16
	}
}

// pending returns the environments of list still alive and not executed.
func pending(list []weak.Pointer[Environment]) []weak.Pointer[Environment] {
	kept := list[:0]
	for _, p := range list {
		if env := p.Value(); env != nil && !env.isExecuted() {
			kept = append(kept, p)
		}
	}
	return kept
}

// strayError records err, the error of a builder that got a zero Stream,
// on the environments being built on this goroutine (see above).
func strayError(err error) {
	g := goroutineID()
	building.Lock()
	list := pending(building.envs[g])
	if len(list) == 0 {
		delete(building.envs, g)
	} else {
		building.envs[g] = list
	}
	envs := make([]*Environment, 0, len(list))
	for _, p := range list {
		if env := p.Value(); env != nil {
			envs = append(envs, env)
		}
	}
	building.Unlock()
	for _, env := range envs {
		env.addError(err)
	}
}

func (e *Environment) isExecuted() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.executed
}

// goroutineID returns the current goroutine's ID, from the first line of
// its stack trace ("goroutine 18 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
