package replies

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/larkspur-labs/assist/kb"
)

// Write writes replies as JSONL, one object a line with the keys id, text,
// count and contexts.
func Write(w io.Writer, replies []Reply) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // keep "&" and "<" readable in the file
	for i := range replies {
		if err := enc.Encode(&replies[i]); err != nil {
			return fmt.Errorf("write replies: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write replies: %w", err)
	}
	return nil
}

// Read reads replies written by Write from r; name is the file's name in
// errors. Blank lines are skipped. If any line is malformed, has an unknown
// key, lacks an id or text, has a count below 1 or repeats an id, it
// returns no replies and an error joining every problem, each a
// *kb.ParseError naming the line.
func Read(name string, r io.Reader) ([]Reply, error) {
	var (
		replies []Reply
		errs    []error
		seen    = map[string]int{} // id → line
	)
	br := bufio.NewReader(r) // no line limit: a reply with many long contexts is still one line
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(data)) > 0 {
			rep, msg := parseLine(data)
			if msg == "" {
				if first, dup := seen[rep.ID]; dup {
					msg = fmt.Sprintf("duplicate id %q: already on line %d", rep.ID, first)
				}
			}
			if msg != "" {
				errs = append(errs, &kb.ParseError{File: name, Line: line, Msg: msg})
			} else {
				seen[rep.ID] = line
				replies = append(replies, rep)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read replies %s: %w", name, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return replies, nil
}

// parseLine decodes one JSONL line, or says what is wrong with it.
func parseLine(data []byte) (Reply, string) {
	var rep Reply
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return Reply{}, "malformed reply: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Reply{}, "malformed reply: text after the JSON object"
	}
	switch {
	case strings.TrimSpace(rep.ID) == "":
		return Reply{}, "missing id"
	case strings.TrimSpace(rep.Text) == "":
		return Reply{}, "missing text"
	case rep.Count < 1:
		return Reply{}, fmt.Sprintf("count %d: want 1 or more", rep.Count)
	}
	return rep, ""
}
