package snapshot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest savepoint or file name, in bytes.
const MaxNameLength = 255

// manifestName is the name of a snapshot's manifest file, reserved in every snapshot directory.
const manifestName = "MANIFEST"

// validateName checks a savepoint or file name: what says which, for the error.
// A valid name is a single, printable path element that cannot be confused
// with a temporary file, so it can never leave its directory.
func validateName(what, name string) error {
	reason := ""
	switch {
	case name == "":
		reason = "is empty"
	case len(name) > MaxNameLength:
		reason = fmt.Sprintf("is longer than %d bytes", MaxNameLength)
	case !utf8.ValidString(name):
		reason = "is not valid UTF-8"
	case strings.ContainsAny(name, `/\`):
		reason = "contains a path separator"
	case strings.Contains(name, ".."):
		reason = `contains ".."`
	case name[0] == '.':
		reason = `starts with "."`
	case strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }):
		reason = "contains a character that is not printable"
	case name == manifestName:
		reason = "is reserved"
	default:
		return nil
	}
	return fmt.Errorf("%w: %s %q %s", ErrInvalidName, what, name, reason)
}

// validateProps checks manifest properties: keys are non-empty and bounded,
// keys and values are valid UTF-8 (so they survive the JSON manifest).
func validateProps(props map[string]string) error {
	for k, v := range props {
		switch {
		case k == "":
			return fmt.Errorf("%w: empty key", ErrInvalidProperty)
		case len(k) > MaxNameLength:
			return fmt.Errorf("%w: key %q is longer than %d bytes", ErrInvalidProperty, k, MaxNameLength)
		case !utf8.ValidString(k):
			return fmt.Errorf("%w: key %q is not valid UTF-8", ErrInvalidProperty, k)
		case !utf8.ValidString(v):
			return fmt.Errorf("%w: value of %q is not valid UTF-8", ErrInvalidProperty, k)
		}
	}
	return nil
}
