package endpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// decode reads a request body into the input shape T and checks what the
// model says of its members that this layer decodes: required members and
// enumerations. (The lifecycle Service checks names, lengths, patterns and
// ranges.) A body that is not JSON, or a member of the wrong type, is a
// SerializationException; a missing or bad member an
// InvalidArgumentException naming it.
func decode[T any](body []byte) (T, error) {
	var in T
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return in, serializationError(err)
	}
	if err := check(reflect.ValueOf(&in).Elem(), ""); err != nil {
		return in, err
	}
	return in, nil
}

func serializationError(err error) error {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the request"
		}
		return &protocolError{code: "SerializationException", msg: fmt.Sprintf("%s: a JSON %s is not a %s", field, typ.Value, typeName(typ.Type))}
	case errors.As(err, &syn):
		return &protocolError{code: "SerializationException", msg: fmt.Sprintf("the request body is not JSON: %v (at byte %d)", syn, syn.Offset)}
	case errors.Is(err, errTimestamp):
		return &protocolError{code: "SerializationException", msg: err.Error()}
	default:
		return &protocolError{code: "SerializationException", msg: "the request body is not the action's input: " + err.Error()}
	}
}

// typeName names a Go type as the JSON protocol would.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "blob (base64 string)"
		}
		return "list"
	case reflect.Map:
		return "map"
	case reflect.Struct:
		if t == reflect.TypeFor[epoch]() {
			return "timestamp"
		}
		return "structure"
	}
	return t.String()
}

// check walks a decoded shape for required members and enumerations; path
// is where v is in the request ("" at the top).
func check(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return check(v.Elem(), path)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := check(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	if v.Type() == reflect.TypeFor[epoch]() {
		return nil
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		member := name
		if path != "" {
			member = path + "." + name
		}
		fv := v.Field(i)
		if _, req := f.Tag.Lookup("req"); req && fv.IsZero() {
			return &lifecycle.InvalidArgumentException{Message: member + " is required"}
		}
		if enum, ok := f.Tag.Lookup("enum"); ok && fv.String() != "" {
			if !strings.Contains("|"+enum+"|", "|"+fv.String()+"|") {
				return &lifecycle.InvalidArgumentException{Message: fmt.Sprintf("%s %q is not one of %s", member, fv.String(), strings.ReplaceAll(enum, "|", ", "))}
			}
		}
		if err := check(fv, member); err != nil {
			return err
		}
	}
	return nil
}
