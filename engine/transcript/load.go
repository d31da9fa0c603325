package transcript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Format names a transcript file format.
type Format string

// The formats Load reads.
const (
	FormatAuto  Format = ""
	FormatCalls Format = "jsonl" // the project's own call format
	FormatSGD   Format = "sgd"   // Schema-Guided Dialogue JSONL
	FormatHVB   Format = "hvb"   // Harper Valley Bank JSONL
	FormatABCD  Format = "abcd"  // ABCD JSON array
)

// ParseFormat checks a --format value; "" and "auto" mean detect.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case "", "auto":
		return FormatAuto, nil
	case FormatCalls, FormatSGD, FormatHVB, FormatABCD:
		return f, nil
	}
	return "", fmt.Errorf("unknown transcript format %q (want auto, jsonl, sgd, hvb or abcd)", s)
}

// ErrNoCalls is returned for a file that holds no replayable call.
var ErrNoCalls = errors.New("no calls")

// LoadFile reads the calls in a file of the given format (FormatAuto
// detects it).
func LoadFile(path string, f Format) ([]Call, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read transcript: %w", err)
	}
	return Parse(path, data, f)
}

// LoadFS reads a transcript file from a file system, such as the bundled samples.
func LoadFS(fsys fs.FS, name string, f Format) ([]Call, []Warning, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, fmt.Errorf("read transcript: %w", err)
	}
	return Parse(name, data, f)
}

// Parse reads the calls in data; name is used in warnings, errors and
// default call ids.
func Parse(name string, data []byte, f Format) ([]Call, []Warning, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, fmt.Errorf("%s: empty file: %w", name, ErrNoCalls)
	}
	if f == FormatAuto {
		var err error
		if f, err = Detect(data); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	var (
		calls []Call
		warns []Warning
		err   error
	)
	switch f {
	case FormatCalls:
		calls, warns = parseCalls(name, data)
	case FormatSGD:
		calls, warns, err = parseSGD(name, data)
	case FormatHVB:
		calls, warns, err = parseHVB(name, data)
	case FormatABCD:
		calls, warns, err = parseABCD(name, data)
	default:
		return nil, nil, fmt.Errorf("%s: unknown format %q", name, f)
	}
	if err != nil {
		return nil, warns, err
	}
	var kept []Call
	for _, c := range calls {
		if len(c.Utterances) == 0 {
			warns = append(warns, Warning{File: name, Msg: fmt.Sprintf("call %s has no utterances; skipped", c.ID)})
			continue
		}
		kept = append(kept, c)
	}
	if len(kept) == 0 {
		return nil, warns, fmt.Errorf("%s: %w (format %s)", name, ErrNoCalls, f)
	}
	return kept, warns, nil
}

// Detect guesses the format from the content.
func Detect(data []byte) (Format, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if bytes.Contains(trimmed[:min(len(trimmed), 4096)], []byte(`"convo_id"`)) {
			return FormatABCD, nil
		}
		return "", errors.New("unrecognised JSON array (only ABCD chats are read as arrays); pass --format")
	}
	line := trimmed
	if i := bytes.IndexByte(trimmed, '\n'); i >= 0 {
		line = trimmed[:i]
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(line, &probe); err != nil {
		return "", fmt.Errorf("first line is not a JSON object (%v); pass --format", err)
	}
	has := func(k string) bool { _, ok := probe[k]; return ok }
	switch {
	case has("dialogue_id") && has("turns"):
		return FormatSGD, nil
	case has("sid") && has("segments"):
		return FormatHVB, nil
	case has("type") || has("speaker") || has("call_id"):
		return FormatCalls, nil
	}
	return "", errors.New("unrecognised first line (want a call header or utterance); pass --format")
}

// lines splits data into lines, numbered from 1, without their line ends.
func lines(data []byte) [][]byte {
	ls := bytes.Split(data, []byte("\n"))
	for i, l := range ls {
		ls[i] = bytes.TrimRight(l, "\r")
	}
	return ls
}

// baseName is a file's name without folder and extension, for default ids.
func baseName(name string) string {
	b := filepath.Base(name)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// UniqueIDs renames calls whose id repeats one seen earlier (the same file
// replayed twice, say) by appending #2, #3, … so each replayed call has its
// own id on the bus.
func UniqueIDs(calls []Call) {
	seen := map[string]int{}
	for i := range calls {
		id := calls[i].ID
		seen[id]++
		if n := seen[id]; n > 1 {
			calls[i].ID = fmt.Sprintf("%s#%d", id, n)
		}
	}
}
