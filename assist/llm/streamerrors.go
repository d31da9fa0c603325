package llm

// Errors inside a stream. Once a server has sent the 200 status and begun
// a stream, a failure (out of memory, a worker lost) can only come as an
// event of the stream, and servers write it differently: OpenAI and vLLM as
// data: {"error":{"message","type","code"}}, TGI as data: {"error":"…",
// "error_type":"…"}, the llama.cpp server as a line of its own, error:
// {"code","message","type"}, others as event: error then data: {…}.
// go-openai reads the first form only, and only when no comment line (a
// keep-alive) came before it in the stream. streamErrors rewrites every
// form into the first and drops the lines an OpenAI stream gives no meaning
// to, so the error reaches the caller with its own code and message.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// streamErrors is an http.RoundTripper that passes server-sent event
// streams through an sseNormalizer.
type streamErrors struct{ base http.RoundTripper }

// withStreamErrors returns a copy of c (a new client when nil) whose
// transport normalises streams' error events.
func withStreamErrors(c *http.Client) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = streamErrors{base: base}
	return out
}

func (t streamErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp, err
	}
	resp.Body = &sseNormalizer{r: bufio.NewReader(resp.Body), body: resp.Body}
	return resp, nil
}

// sseNormalizer rewrites a server-sent event stream line by line: data
// lines and blank lines pass, an error in any of the forms above becomes
// data: {"error":{…}}, and other lines (comments, event:, id:, retry:) are
// dropped.
type sseNormalizer struct {
	r    *bufio.Reader
	body io.Closer
	out  []byte // rewritten bytes not yet read
	// errorEvent says the last event: line named an error, so its data is
	// the error.
	errorEvent bool
	err        error // the read error, returned once out is drained
}

func (n *sseNormalizer) Read(p []byte) (int, error) {
	for len(n.out) == 0 && n.err == nil {
		line, err := n.r.ReadBytes('\n')
		n.err = err
		n.out = n.rewrite(line)
	}
	if len(n.out) > 0 {
		k := copy(p, n.out)
		n.out = n.out[k:]
		return k, nil
	}
	return 0, n.err
}

func (n *sseNormalizer) Close() error { return n.body.Close() }

// rewrite returns what one line of the stream becomes.
func (n *sseNormalizer) rewrite(line []byte) []byte {
	text := bytes.TrimRight(line, "\r\n")
	field, value, hasColon := bytes.Cut(text, []byte(":"))
	value = bytes.TrimSpace(value)
	switch {
	case len(text) == 0:
		return line
	case !hasColon || len(field) == 0:
		// A comment (": keep-alive") or a field with no value.
		return nil
	}
	switch string(field) {
	case "data":
		if n.errorEvent {
			n.errorEvent = false
			return errorLine(value, true)
		}
		if bytes.Contains(value, []byte(`"error"`)) {
			if obj, ok := errorObject(value, false); ok {
				return obj
			}
		}
		return line
	case "error":
		return errorLine(value, true)
	case "event":
		n.errorEvent = string(value) == "error"
		return nil
	default:
		return nil
	}
}

// errorLine returns the data line of the error in payload, as go-openai
// reads it. whole says payload is the error itself when it holds no
// "error" key.
func errorLine(payload []byte, whole bool) []byte {
	if out, ok := errorObject(payload, whole); ok {
		return out
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": string(payload)}})
	return append(append([]byte("data: "), b...), '\n')
}

// errorObject reads an error payload: {"error":{…}}, {"error":"…",
// "error_type":"…"}, or, when whole, the error object alone. It returns
// the data line of it in OpenAI's form, and false when payload is none of
// these.
func errorObject(payload []byte, whole bool) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil {
		return nil, false
	}
	errObj := map[string]json.RawMessage{}
	raw, ok := obj["error"]
	switch {
	case ok && json.Unmarshal(raw, &errObj) == nil && errObj != nil:
	case ok:
		var msg string
		if json.Unmarshal(raw, &msg) != nil {
			return nil, false
		}
		errObj = map[string]json.RawMessage{"message": raw}
		if t, ok := obj["error_type"]; ok {
			errObj["type"] = t
		}
	case whole:
		errObj = obj
	default:
		return nil, false
	}
	if _, ok := errObj["message"]; !ok {
		errObj["message"] = json.RawMessage(`"error in the stream"`)
	}
	b, err := json.Marshal(map[string]any{"error": errObj})
	if err != nil {
		return nil, false
	}
	return append(append([]byte("data: "), b...), '\n'), true
}

// streamErrorStatus reads an HTTP status from the code of an error inside
// a stream: a number, or a string holding one, in 400..599; 0 for none.
func streamErrorStatus(code any) int {
	var n int
	switch c := code.(type) {
	case float64:
		n = int(c)
	case int:
		n = c
	case string:
		n, _ = strconv.Atoi(c)
	case json.Number:
		i, _ := c.Int64()
		n = int(i)
	}
	if n < 400 || n > 599 {
		return 0
	}
	return n
}
