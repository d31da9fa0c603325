package llm

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/assist"
	"github.com/sashabaranov/go-openai"
)

// Emotion is the model's reading of one utterance, in the same terms as
// the embedded model's assist.Score.
type Emotion struct {
	// Polarity is in −1 (very negative) .. 1 (very positive).
	Polarity float64
	// Emotions maps every gauge in assist.Emotions to a weight in 0..1;
	// the weights sum to 1.
	Emotions map[string]float64
}

// emotionMaxTokens bounds the emotion's JSON, which is short.
const emotionMaxTokens = 200

// ScoreEmotion implements assist.EmotionScorer with Emotion.
func (c *Client) ScoreEmotion(ctx context.Context, text string) (assist.ServerEmotion, error) {
	e, err := c.Emotion(ctx, text)
	return assist.ServerEmotion{Polarity: e.Polarity, Emotions: e.Emotions}, err
}

// Emotion asks the model for the polarity and emotions of text, a customer
// utterance. The answer is read as Summarize's is (a strict JSON schema,
// or the first JSON object of a server that ignores it); values are
// clamped to their ranges and the emotions normalised to sum to 1 (all
// zero means neutral). It is one request, not retried: an utterance's
// gauges are stale by the time a retry answers. While the breaker is open
// it returns an error wrapping assist.ErrDegraded without a request.
func (c *Client) Emotion(ctx context.Context, text string) (Emotion, error) {
	creq := openai.ChatCompletionRequest{
		Model: c.srv.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: emotionSystemPrompt},
			{Role: openai.ChatMessageRoleUser, Content: userMessage(utteranceData{Utterance: c.redact(text)}, emotionTask)},
		},
		Temperature: c.temperature,
		MaxTokens:   emotionMaxTokens,
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: "utterance_emotion", Schema: emotionSchema(), Strict: true,
			},
		},
	}
	var out Emotion
	err := c.call(ctx, "emotion", 1, func(ctx context.Context) error {
		obj, err := c.completeJSON(ctx, creq, "emotion")
		if err != nil {
			return err
		}
		var ok bool
		if out, ok = parseEmotion(obj); !ok {
			return c.unusable("emotion: the answer has neither polarity nor emotions")
		}
		return nil
	})
	if err != nil {
		return Emotion{}, err
	}
	return out, nil
}

// emotionSchema is the JSON schema of an emotion, strict-mode style.
func emotionSchema() json.RawMessage {
	num := map[string]any{"type": "number"}
	props := map[string]any{}
	for _, e := range assist.Emotions {
		props[e] = num
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"polarity": num,
			"emotions": map[string]any{
				"type": "object", "properties": props,
				"required": assist.Emotions, "additionalProperties": false,
			},
		},
		"required":             []string{"polarity", "emotions"},
		"additionalProperties": false,
	}
	b, err := json.Marshal(schema)
	if err != nil {
		panic("llm: encode emotion schema: " + err.Error())
	}
	return b
}

// parseEmotion reads an emotion from the model's object: polarity clamped
// to −1..1, each known emotion to 0..1 and then normalised to sum to 1.
// Unknown emotions are dropped. ok is false when there is neither a
// polarity nor any emotion.
func parseEmotion(obj jsonObject) (e Emotion, ok bool) {
	p, hasPolarity := obj.num("polarity")
	e.Polarity = clamp(p, -1, 1)
	e.Emotions = make(map[string]float64, len(assist.Emotions))
	weights := obj.object("emotions")
	sum, found := 0.0, false
	for _, name := range assist.Emotions {
		w, ok := weights.num(name)
		found = found || ok
		w = clamp(w, 0, 1)
		e.Emotions[name] = w
		sum += w
	}
	if sum == 0 {
		e.Emotions[assist.EmotionNeutral], sum = 1, 1
	}
	for name, w := range e.Emotions {
		e.Emotions[name] = w / sum
	}
	return e, hasPolarity || found
}

// clamp returns x within lo..hi.
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// bcp47 is the shape of a BCP-47 language tag ("de", "pt-BR",
// "zh-Hant-TW"): the tag goes into a system prompt, so nothing else may.
var bcp47 = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)

// Translate asks the model to translate text, a customer utterance, into
// the language with the BCP-47 tag lang ("en", "pt-BR"). The translation
// is sanitised for display. Empty text is "" without a request. Like
// Emotion it is one request, not retried.
func (c *Client) Translate(ctx context.Context, text, lang string) (string, error) {
	lang = strings.TrimSpace(lang)
	if len(lang) > 35 || !bcp47.MatchString(lang) {
		return "", c.srv.Errorf("translate: %q is not a BCP-47 language tag such as en or pt-BR", sanitize(lang, 40))
	}
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	n := utf8.RuneCountInString(text)
	creq := openai.ChatCompletionRequest{
		Model: c.srv.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: translateSystemPrompt(lang)},
			{Role: openai.ChatMessageRoleUser, Content: userMessage(utteranceData{Utterance: c.redact(text)}, translateTask)},
		},
		Temperature: c.temperature,
		// A token is rarely less than one character of the output, and a
		// translation rarely twice as long as its source.
		MaxTokens: min(2*n+64, 4096),
	}
	var out string
	err := c.call(ctx, "translate", 1, func(ctx context.Context) error {
		content, _, err := c.complete(ctx, creq)
		if err != nil {
			return err
		}
		out = sanitize(stripThinking(content), max(maxTextRunes, 2*n))
		if out == "" {
			return c.unusable("translate: the model wrote no translation")
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return out, nil
}
