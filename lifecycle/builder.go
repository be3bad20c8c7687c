package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/flinksim/go-flinksim/flinksim"
)

// JobBuilder builds an application's dataflow on env, as the main() of a
// Flink application does when the service starts it: this is where the
// logical graph is generated. env is prepared by the service — checkpointing
// from the application's configuration, its checkpoint and snapshot store,
// the snapshot to restore, the current parallelism — and the builder only
// adds sources, transformations and sinks. An error fails the start, as a
// main() that throws.
type JobBuilder func(env *flinksim.Environment, job JobContext) error

// JobContext is what a JobBuilder is given about the application.
type JobContext struct {
	// ApplicationName and ApplicationVersionID say what runs.
	ApplicationName      string
	ApplicationVersionID int64
	// Parallelism is the application's current parallelism, also the
	// environment's default.
	Parallelism int
	// PropertyGroups are the runtime properties.
	PropertyGroups []PropertyGroup
	// Package is the code package, the whole JSON document (see
	// NewCodePackage): what it carries for its builder besides the
	// builder's name, such as a version tag or settings.
	Package []byte
}

// Property returns the value of key in the property group id.
func (j JobContext) Property(id, key string) (string, bool) {
	for _, g := range j.PropertyGroups {
		if g.PropertyGroupID == id {
			v, ok := g.PropertyMap[key]
			return v, ok
		}
	}
	return "", false
}

// PackageString returns the string member name of the code package.
func (j JobContext) PackageString(name string) (string, bool) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(j.Package, &doc) != nil {
		return "", false
	}
	var v string
	if raw, ok := doc[name]; !ok || json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}

// NewCodePackage returns the bytes of a code package — what a build puts in
// the bucket, the stand-in for a JAR — that runs the JobBuilder registered
// (Service.RegisterBuilder) under job. A code package is a JSON document, an
// object whose string member "job" names the builder; fields are its other
// members, which the builder reads from JobContext.Package.
func NewCodePackage(job string, fields map[string]string) []byte {
	doc := maps.Clone(fields)
	if doc == nil {
		doc = map[string]string{}
	}
	doc["job"] = job
	data, _ := json.Marshal(doc) // strings always marshal
	return data
}

// ErrBadCodePackage is why an application whose code is not a code package
// of this service, or names no registered builder, fails to start.
var ErrBadCodePackage = errors.New("lifecycle: not a runnable code package")

// parseCodePackage returns the builder a code package names.
func parseCodePackage(data []byte) (job string, err error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("%w: it is not a JSON document: %v", ErrBadCodePackage, err)
	}
	raw, ok := doc["job"]
	if !ok {
		return "", fmt.Errorf("%w: it has no \"job\" member naming its job builder", ErrBadCodePackage)
	}
	if err := json.Unmarshal(raw, &job); err != nil || job == "" {
		return "", fmt.Errorf("%w: its \"job\" member is not the name of a job builder", ErrBadCodePackage)
	}
	return job, nil
}
