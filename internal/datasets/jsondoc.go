package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// jsonDoc is a JSON file walked in order: Go maps lose the order of an
// object's members, and encoding/json locates its errors by byte offset,
// which jsonDoc turns into a line and column.
type jsonDoc struct {
	name string
	data []byte
}

// jsonValue is one member of an object (key is its name) or element of an
// array (key is empty), with the byte offset of its start in the file.
type jsonValue struct {
	key    string
	raw    json.RawMessage
	offset int64
}

// members splits the JSON object raw, which starts at byte base of the
// file, into its members in file order. what names the object in errors.
func (d jsonDoc) members(raw []byte, base int64, what string) ([]jsonValue, error) {
	return d.split(raw, base, what, '{')
}

// elements splits the JSON array raw, which starts at byte base of the
// file, into its elements. what names the array in errors.
func (d jsonDoc) elements(raw []byte, base int64, what string) ([]jsonValue, error) {
	return d.split(raw, base, what, '[')
}

func (d jsonDoc) split(raw []byte, base int64, what string, open json.Delim) ([]jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, d.jsonError(base, err)
	}
	if tok != open {
		kind := "object"
		if open == '[' {
			kind = "array"
		}
		return nil, d.errorAt(base, "want %s to be a JSON %s", what, kind)
	}
	var out []jsonValue
	for dec.More() {
		var v jsonValue
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return nil, d.jsonError(base, err)
			}
			v.key = tok.(string)
		}
		if err := dec.Decode(&v.raw); err != nil {
			return nil, d.jsonError(base, err)
		}
		v.offset = base + dec.InputOffset() - int64(len(v.raw))
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil { // the closing brace or bracket
		return nil, d.jsonError(base, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, d.errorAt(base+dec.InputOffset(), "unexpected data after the end of %s", what)
	}
	return out, nil
}

// decode decodes v into dst, locating type errors in the file; what names v
// in errors.
func (d jsonDoc) decode(v jsonValue, what string, dst any) error {
	err := json.Unmarshal(v.raw, dst)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			what += " field " + te.Field
		}
		return d.errorAt(v.offset+te.Offset, "%s: want %s, got %s", what, jsonKind(te.Type), te.Value)
	}
	if err != nil {
		return d.jsonError(v.offset, err)
	}
	return nil
}

// jsonKind names a Go type in JSON terms.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	default:
		return "an object"
	}
}

// jsonError locates an error of encoding/json, whose offsets count from
// base; an error without an offset is wrapped with the file's name.
func (d jsonDoc) jsonError(base int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return d.errorAt(base+se.Offset, "bad JSON: %v", se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return d.errorAt(int64(len(d.data)), "bad JSON: the file ends before the JSON does")
	}
	return fmt.Errorf("%s: %w", d.name, err)
}

// errorAt returns a *LineError at byte offset off of the file, giving the
// column in the message since a JSON file may be one long line.
func (d jsonDoc) errorAt(off int64, format string, args ...any) error {
	off = min(max(off, 0), int64(len(d.data)))
	col := off - int64(bytes.LastIndexByte(d.data[:off], '\n'))
	return &LineError{File: d.name, Line: d.line(off), Msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (column %d)", col)}
}

// line is the 1-based line of byte offset off.
func (d jsonDoc) line(off int64) int {
	off = min(max(off, 0), int64(len(d.data)))
	return 1 + bytes.Count(d.data[:off], []byte("\n"))
}

// readJSON reads a whole JSON file into v, locating its errors.
func readJSON(name string, r io.Reader, what string, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	d := jsonDoc{name: name, data: data}
	return d.decode(jsonValue{raw: data}, what, v)
}
