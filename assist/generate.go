package assist

import (
	"context"
	"errors"
)

// The generative models are optional: an OpenAI-compatible server (see
// package assist/llm) when one is configured. The engine shows the
// embedded models' results first and adds these when they arrive.

// ErrDegraded is returned by a generative model that is not asked at all
// right now (its server failed repeatedly; the circuit breaker is open).
var ErrDegraded = errors.New("model server degraded")

// DraftArticle is a knowledge article a draft may draw on.
type DraftArticle struct {
	ID     string
	Title  string
	Answer string
}

// DraftRequest is what a drafted reply is grounded in: the last turns of
// the conversation, the customer's last, and the top articles.
type DraftRequest struct {
	Turns    []Turn
	Articles []DraftArticle
}

// Draft is a generated reply and the articles it was grounded in.
type Draft struct {
	Text       string
	ArticleIDs []string
}

// Drafter writes a reply for the agent to choose or not, streaming it.
type Drafter interface {
	// Draft generates a reply; onToken receives the text as it streams,
	// each call with the next piece. It stops when ctx is done.
	Draft(ctx context.Context, req DraftRequest, onToken func(string)) (Draft, error)
}

// Satisfaction levels of a summary.
const (
	Satisfied    = "satisfied"
	NotSure      = "neutral"
	Dissatisfied = "dissatisfied"
)

// Summary sums up a call for the wrap-up.
type Summary struct {
	// Situation is what the customer came with, in a sentence or two.
	Situation string
	// Action is what the agent did.
	Action string
	// Resolution is how the call ended for the customer's problem.
	Resolution string
	// Satisfaction is Satisfied, NotSure ("neutral") or Dissatisfied.
	Satisfaction string
	// Reason is the reason for contact, in a few words.
	Reason string
	// Entities are the things the call was about (products, amounts,
	// dates), redacted of personal data.
	Entities []string
	// Disposition is a short code for the call's outcome.
	Disposition string
	// Source is "llm" or "extractive".
	Source string
}

// SummaryRequest is what a summary is made from.
type SummaryRequest struct {
	// Turns is the whole transcript, oldest first.
	Turns []Turn
	// Topics are the titles of the articles the call matched, strongest
	// first; Dispositions the codes a summary may choose from.
	Topics       []string
	Dispositions []string
}

// Summarizer writes a call's summary.
type Summarizer interface {
	Summarize(ctx context.Context, req SummaryRequest) (Summary, error)
}

// ServerEmotion is a model server's reading of an utterance: polarity in
// −1..1 and a weight per gauge in Emotions, summing to 1.
type ServerEmotion struct {
	Polarity float64
	Emotions map[string]float64
}

// EmotionScorer scores an utterance with a model server, to blend with the
// embedded model.
type EmotionScorer interface {
	ScoreEmotion(ctx context.Context, text string) (ServerEmotion, error)
}

// Translator puts a customer's words into the agent's language (a BCP-47
// tag); text already in that language comes back unchanged.
type Translator interface {
	Translate(ctx context.Context, text, lang string) (string, error)
}

// ModelState says whether a generative model is usable; the header shows
// "degraded" with the reason when it is not.
type ModelState interface {
	// Degraded returns why the model is not asked right now, "" when it is.
	Degraded() string
}
