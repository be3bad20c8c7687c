package lifecycle

import (
	"bytes"
	"errors"
	"fmt"

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
	// Payload is the code package's payload (see NewCodePackage): data the
	// package carries for its builder, such as a version tag.
	Payload []byte
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

// codePackageMagic starts every code package.
const codePackageMagic = "flinksim-application 1\n"

// NewCodePackage returns the bytes of a code package — what a build puts in
// the bucket, the stand-in for a JAR — that runs the JobBuilder registered
// (Service.RegisterBuilder) under builder, handing it payload. The format
// is text: the line "flinksim-application 1", the line "builder: NAME",
// an empty line, then the payload.
func NewCodePackage(builder string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString(codePackageMagic)
	b.WriteString("builder: " + builder + "\n\n")
	b.Write(payload)
	return b.Bytes()
}

// ErrBadCodePackage is why an application whose code is not a code package
// of this service, or names no registered builder, fails to start.
var ErrBadCodePackage = errors.New("lifecycle: not a runnable code package")

// parseCodePackage returns the builder name and payload of a code package.
func parseCodePackage(data []byte) (builder string, payload []byte, err error) {
	rest, ok := bytes.CutPrefix(data, []byte(codePackageMagic))
	if !ok {
		return "", nil, fmt.Errorf("%w: it does not start with %q", ErrBadCodePackage, codePackageMagic[:len(codePackageMagic)-1])
	}
	line, payload, ok := bytes.Cut(rest, []byte("\n\n"))
	name, found := bytes.CutPrefix(line, []byte("builder: "))
	if !ok || !found || len(name) == 0 || bytes.ContainsAny(name, "\n") {
		return "", nil, fmt.Errorf("%w: no \"builder: NAME\" line followed by an empty line", ErrBadCodePackage)
	}
	return string(name), payload, nil
}
