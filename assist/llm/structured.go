package llm

// Structured answers (summaries, emotions) from servers as they are in the
// field. A request asks for a strict JSON schema. Some servers accept the
// request but drop the schema (the llama.cpp server before its fix of early
// 2025, others still), and the model, asked for nothing in particular,
// answers in prose: such an answer gets one retry asking for
// {"type":"json_object"}, which they do honour, with the schema written
// into the system prompt. A server that needed it once gets the second
// form from then on. And an answer that max_tokens cut mid-JSON keeps the
// fields that came whole (a text cut mid-way kept up to its last sentence)
// rather than being thrown away.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/sashabaranov/go-openai"
)

// finishLength is the finish reason of an answer max_tokens cut.
const finishLength = "length"

// completeJSON makes one chat completion that asks for a JSON object under
// req's JSON schema and returns the first JSON object of the answer; its
// error is a contentError when the answer holds none.
func (c *Client) completeJSON(ctx context.Context, req openai.ChatCompletionRequest, what string) (jsonObject, error) {
	asObject := c.schemaDropped.Load()
	if asObject {
		req = jsonObjectRequest(req)
	}
	for {
		content, finish, err := c.complete(ctx, req)
		if err != nil {
			return nil, err
		}
		obj, perr := firstJSONObject(content)
		if perr != nil && finish == finishLength {
			obj, perr = firstJSONObject(closeCutJSON(stripThinking(content)))
		}
		switch {
		case perr == nil:
			if asObject && !c.schemaDropped.Load() {
				c.schemaDropped.Store(true)
			}
			return obj, nil
		case !asObject && errors.Is(perr, errNoJSON) && !strings.Contains(stripThinking(content), "{") && hasJSONSchema(req):
			// Prose for a strict schema: the server dropped it.
			asObject, req = true, jsonObjectRequest(req)
		default:
			return nil, c.unusable("%s: %v", what, perr)
		}
	}
}

// hasJSONSchema says whether req asks for a JSON schema.
func hasJSONSchema(req openai.ChatCompletionRequest) bool {
	rf := req.ResponseFormat
	return rf != nil && rf.Type == openai.ChatCompletionResponseFormatTypeJSONSchema && rf.JSONSchema != nil
}

// jsonObjectRequest returns req asking for {"type":"json_object"}, with
// its JSON schema written at the end of the system message.
func jsonObjectRequest(req openai.ChatCompletionRequest) openai.ChatCompletionRequest {
	if !hasJSONSchema(req) {
		return req
	}
	schema := req.ResponseFormat.JSONSchema.Schema
	req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	msgs := append([]openai.ChatCompletionMessage(nil), req.Messages...)
	for i, m := range msgs {
		if m.Role == openai.ChatMessageRoleSystem {
			if b, err := json.Marshal(schema); err == nil {
				msgs[i].Content = m.Content + "\n\nThe JSON object must follow this JSON schema:\n" + string(b)
			}
			break
		}
	}
	req.Messages = msgs
	return req
}

// closeCutJSON turns an answer cut mid-JSON into one that parses, keeping
// what came whole: the object is closed after its last complete member,
// or, when the cut fell inside a string value with a sentence ended in it,
// that string is closed after the sentence. It returns content as it is
// when it holds no object.
func closeCutJSON(content string) string {
	start := strings.IndexByte(content, '{')
	if start < 0 {
		return content
	}
	s := content[start:]
	var (
		stack    []byte // the closers of the open containers
		inString bool
		escaped  bool
		isKey    bool // the string being read is an object's key
		strStart int  // where the string being read begins
		// lastComma is where the text before the last comma between
		// members or items ends, with the closers open there.
		lastComma        = -1
		lastCommaClosers string
		expectKey        bool
	)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
			continue
		}
		switch ch {
		case '"':
			inString, strStart, isKey = true, i, expectKey
			expectKey = false
		case '{':
			stack = append(stack, '}')
			expectKey = true
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				return content // whole: nothing to close
			}
		case ',':
			lastComma, lastCommaClosers = i, closers(stack)
			expectKey = len(stack) > 0 && stack[len(stack)-1] == '}'
		}
	}
	if inString && !isKey {
		// Keep the value's text up to its last sentence, if it has one.
		text := s[strStart+1:]
		if end := lastSentenceEnd(text); end > 0 && !strings.HasSuffix(text[:end], `\`) {
			return s[:strStart+1+end] + `"` + closers(stack)
		}
	}
	if lastComma < 0 {
		return s[:1] + "}"
	}
	return s[:lastComma] + lastCommaClosers
}

// closers returns the closing brackets of the open containers, innermost
// first.
func closers(stack []byte) string {
	out := make([]byte, len(stack))
	for i, c := range stack {
		out[len(stack)-1-i] = c
	}
	return string(out)
}

// lastSentenceEnd returns the length of text up to and including its last
// sentence end — a '.', '!', '?' or '…', with any closing bracket or
// quote after it, followed by white space or the end — or 0 when it has
// none.
func lastSentenceEnd(text string) int {
	end := 0
	for i, r := range text {
		if r != '.' && r != '!' && r != '?' && r != '…' && r != '。' {
			continue
		}
		j := i + len(string(r))
		for j < len(text) {
			if text[j] == ')' || text[j] == ']' || text[j] == '\'' {
				j++
			} else if strings.HasPrefix(text[j:], `\"`) { // a quote, in JSON text
				j += 2
			} else {
				break
			}
		}
		// In JSON text a line break is written \n: a backslash after the
		// stop ends the sentence too.
		if j == len(text) || text[j] == ' ' || text[j] == '\n' || text[j] == '\\' {
			end = j
		}
	}
	return end
}
