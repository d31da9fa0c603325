package llm

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/sashabaranov/go-openai"
)

// Caps on a summary's fields, in runes and entries.
const (
	maxReasonRunes      = 200
	maxEntityRunes      = 100
	maxEntities         = 20
	maxDispositionRunes = 64
	// summaryMaxTokens is sized to the answer: seven fields of a sentence
	// or two each, some 300 tokens, twice over for a long call and a
	// language that takes more tokens. It stays well inside a small
	// server's context with the transcript (vLLM refuses a request whose
	// prompt and max_tokens exceed it). An answer cut there keeps its whole
	// fields (closeCutJSON).
	summaryMaxTokens = 800
)

// otherDisposition is the disposition of a summary that found none to fit
// and had no topic to fall back on.
const otherDisposition = "other"

// Summarize asks the model for the call's wrap-up summary as a JSON object.
// The request asks for a strict JSON schema (response_format json_schema),
// which vLLM, SGLang, Ollama, the llama.cpp server and OpenAI enforce; a
// server that ignores it and answers in prose, or in a ```json fence, works
// too, since the first JSON object in the answer is what is read. Fields
// are checked and normalised: an unknown satisfaction becomes "neutral", a
// disposition not in req.Dispositions the first topic or "other", and every
// string is sanitised for display. Source is "llm".
//
// A summary is idempotent, so a 5xx answer or a broken connection is
// retried once, after a short pause, if ctx leaves time for it; a 4xx
// answer and a timeout are not. While the breaker is open it returns an
// error wrapping assist.ErrDegraded without a request.
func (c *Client) Summarize(ctx context.Context, req assist.SummaryRequest) (assist.Summary, error) {
	dispositions := c.redactAll(req.Dispositions)
	data := summaryData{
		Topics:       c.redactAll(req.Topics),
		Dispositions: dispositions,
		Transcript:   c.turns(req.Turns),
	}
	creq := openai.ChatCompletionRequest{
		Model: c.srv.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: summarySystemPrompt},
			{Role: openai.ChatMessageRoleUser, Content: userMessage(data, summaryTask)},
		},
		Temperature: c.temperature,
		MaxTokens:   summaryMaxTokens,
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   "call_summary",
				Schema: summarySchema(dispositions),
				Strict: true,
			},
		},
	}
	var out assist.Summary
	err := c.call(ctx, "summarize", 2, func(ctx context.Context) error {
		obj, err := c.completeJSON(ctx, creq, "summary")
		if err != nil {
			return err
		}
		out = parseSummary(obj, req, dispositions)
		if out.Situation == "" && out.Action == "" && out.Resolution == "" && out.Reason == "" {
			return c.unusable("summary: the answer has none of the summary's fields")
		}
		return nil
	})
	if err != nil {
		return assist.Summary{}, err
	}
	return out, nil
}

// summarySchema is the JSON schema of a summary, in the form strict mode
// wants: every property required, no others allowed. The disposition is
// one of dispositions when there are any.
func summarySchema(dispositions []string) json.RawMessage {
	str := map[string]any{"type": "string"}
	disposition := map[string]any{"type": "string"}
	// An enum with a repeated or empty value is an invalid schema to some
	// servers' grammar compilers.
	var enum []string
	for _, d := range dispositions {
		if d != "" && !slices.Contains(enum, d) {
			enum = append(enum, d)
		}
	}
	if len(enum) > 0 {
		disposition["enum"] = enum
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"situation":    str,
			"action":       str,
			"resolution":   str,
			"satisfaction": map[string]any{"type": "string", "enum": []string{assist.Satisfied, assist.NotSure, assist.Dissatisfied}},
			"reason":       str,
			"entities":     map[string]any{"type": "array", "items": str},
			"disposition":  disposition,
		},
		"required":             []string{"situation", "action", "resolution", "satisfaction", "reason", "entities", "disposition"},
		"additionalProperties": false,
	}
	b, err := json.Marshal(schema)
	if err != nil {
		panic("llm: encode summary schema: " + err.Error())
	}
	return b
}

// parseSummary reads a summary from the model's JSON object, normalising
// every field. dispositions are req.Dispositions as the model saw them.
func parseSummary(obj jsonObject, req assist.SummaryRequest, dispositions []string) assist.Summary {
	s := assist.Summary{
		Situation:    sanitize(obj.str("situation"), maxTextRunes),
		Action:       sanitize(obj.str("action"), maxTextRunes),
		Resolution:   sanitize(obj.str("resolution"), maxTextRunes),
		Satisfaction: satisfaction(obj.str("satisfaction")),
		Reason:       sanitize(obj.str("reason"), maxReasonRunes),
		Source:       "llm",
	}
	seen := map[string]bool{}
	for _, e := range obj.strs("entities") {
		e = sanitize(e, maxEntityRunes)
		if key := strings.ToLower(e); e != "" && !seen[key] && len(s.Entities) < maxEntities {
			seen[key] = true
			s.Entities = append(s.Entities, e)
		}
	}
	s.Disposition = disposition(sanitize(obj.str("disposition"), maxDispositionRunes), req, dispositions)
	return s
}

// satisfaction normalises the model's satisfaction to one of the three
// levels; anything else is "neutral".
func satisfaction(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "satisfied", "very satisfied", "positive", "happy":
		return assist.Satisfied
	case "dissatisfied", "unsatisfied", "not satisfied", "very dissatisfied", "negative", "unhappy":
		return assist.Dissatisfied
	default:
		return assist.NotSure
	}
}

// disposition returns the request's disposition the model chose (matched
// without regard to case), or, when it chose none of them, the first topic
// or "other". Without a list, the model's own code stands.
func disposition(got string, req assist.SummaryRequest, sent []string) string {
	key := strings.ToLower(strings.TrimSpace(got))
	if len(req.Dispositions) == 0 && key != "" {
		return got
	}
	for i, d := range req.Dispositions {
		if key != "" && (key == strings.ToLower(strings.TrimSpace(d)) || key == strings.ToLower(strings.TrimSpace(sent[i]))) {
			return d
		}
	}
	if len(req.Topics) > 0 {
		if t := sanitize(req.Topics[0], maxDispositionRunes); t != "" {
			return t
		}
	}
	return otherDisposition
}
