package llm

// Reading JSON from a model's answer. A server that honours response_format
// returns the object alone; one that ignores it (or a model that thinks
// aloud first) wraps it in prose, a ```json fence, or <think>…</think>.
// Values come typed loosely too: a number as a string, one entity as a
// string instead of a list. What can be read is read.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// jsonObject is a JSON object with its keys lower-cased.
type jsonObject map[string]json.RawMessage

// errNoJSON is an answer with no JSON object in it.
var errNoJSON = errors.New("no JSON object in the answer")

// firstJSONObject returns the first JSON object in content, after any
// reasoning block.
func firstJSONObject(content string) (jsonObject, error) {
	content = stripThinking(content)
	for i := 0; i < len(content); i++ {
		j := strings.IndexByte(content[i:], '{')
		if j < 0 {
			break
		}
		i += j
		var raw map[string]json.RawMessage
		if err := json.NewDecoder(strings.NewReader(content[i:])).Decode(&raw); err == nil {
			obj := make(jsonObject, len(raw))
			for k, v := range raw {
				obj[strings.ToLower(strings.TrimSpace(k))] = v
			}
			return obj, nil
		}
	}
	if len(content) > 0 && strings.Contains(content, "{") {
		return nil, fmt.Errorf("%w (cut short, or not valid JSON)", errNoJSON)
	}
	return nil, errNoJSON
}

// stripThinking drops a reasoning model's <think>…</think> block, which
// some servers leave in the content.
func stripThinking(s string) string {
	if i := strings.LastIndex(s, "</think>"); i >= 0 && strings.Contains(s[:i], "<think>") {
		return s[i+len("</think>"):]
	}
	return s
}

// str returns the value of key as text: a string as it is, a number or a
// boolean as written, a list of strings joined with "; ", else "".
func (o jsonObject) str(key string) string {
	raw, ok := o[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(o.strs(key), "; ")
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		switch v.(type) {
		case float64, bool:
			return string(raw)
		}
	}
	return ""
}

// strs returns the value of key as a list of texts: a list's strings,
// numbers and booleans, or a string split at commas and semicolons.
func (o jsonObject) strs(key string) []string {
	raw, ok := o[key]
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		var v any
		if json.Unmarshal(item, &v) != nil {
			continue
		}
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case float64, bool:
			out = append(out, string(item))
		}
	}
	return out
}

// num returns the value of key as a finite number, read from a number or
// a string holding one, and whether there was one.
func (o jsonObject) num(key string) (float64, bool) {
	return jsonNumber(o[key])
}

// jsonNumber reads a number, or a string holding one, from raw.
func jsonNumber(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	text, scale := string(raw), 1.0
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = strings.TrimSpace(s)
		if t, ok := strings.CutSuffix(text, "%"); ok {
			text, scale = strings.TrimSpace(t), 0.01
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f * scale, true
}

// object returns the value of key as an object, nil if it is not one.
func (o jsonObject) object(key string) jsonObject {
	var raw map[string]json.RawMessage
	if json.Unmarshal(o[key], &raw) != nil || raw == nil {
		return nil
	}
	obj := make(jsonObject, len(raw))
	for k, v := range raw {
		obj[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return obj
}
