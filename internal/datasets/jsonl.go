package datasets

import (
	"bytes"
	"fmt"
	"io"
)

// readJSONL reads a JSONL file whose every non-blank line parse turns into
// a record; n is the line's number. A line parse rejects is a *LineError with its message; when
// skip is not nil, skip gets it and the line is left out instead.
func readJSONL[T any](name string, r io.Reader, skip func(*LineError), parse func(line []byte, n int) (T, error)) ([]T, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var out []T
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rec, err := parse(line, i+1)
		if err != nil {
			le := &LineError{File: name, Line: i + 1, Msg: err.Error()}
			if skip == nil {
				return nil, le
			}
			skip(le)
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}

// LoadJSONL reads the JSONL file at path, every non-blank line through
// parse; a line parse rejects is a *LineError naming the file and line.
func LoadJSONL[T any](path string, parse func(line []byte) (T, error)) ([]T, error) {
	return Load(path, func(name string, r io.Reader) ([]T, error) {
		return readJSONL(name, r, nil, func(line []byte, _ int) (T, error) { return parse(line) })
	})
}
