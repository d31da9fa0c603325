package kb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/internal/modelserver"
	"github.com/sashabaranov/go-openai"
)

// DefaultEmbedTimeout bounds one request to an embeddings server. A
// suggestion that comes after the customer has moved on is useless, so a
// slow server fails fast and the caller can fall back to full-text search.
const DefaultEmbedTimeout = 2 * time.Second

// DefaultEmbedBatchSize is how many texts go in one request: enough to keep
// a server's batching busy, few enough for a CPU-only server to answer
// within the timeout.
const DefaultEmbedBatchSize = 64

// OpenAIEmbedder embeds texts with a server that speaks OpenAI's
// /v1/embeddings API, such as vLLM, Ollama, the llama.cpp server, TEI,
// LocalAI or OpenAI itself. It returns unit vectors, so a dot product is a
// cosine similarity. It is safe for concurrent use.
type OpenAIEmbedder struct {
	srv       *modelserver.Server
	batchSize int
	redact    func(string) string
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// OpenAIEmbedderOption changes a setting of an OpenAIEmbedder.
type OpenAIEmbedderOption func(*OpenAIEmbedder)

// WithEmbedTimeout bounds each request to the server by d instead of
// DefaultEmbedTimeout; d <= 0 keeps the default.
func WithEmbedTimeout(d time.Duration) OpenAIEmbedderOption {
	return func(e *OpenAIEmbedder) {
		if d > 0 {
			e.srv.Timeout = d
		}
	}
}

// WithEmbedBatchSize sends at most n texts per request instead of
// DefaultEmbedBatchSize; n < 1 keeps the default.
func WithEmbedBatchSize(n int) OpenAIEmbedderOption {
	return func(e *OpenAIEmbedder) {
		if n >= 1 {
			e.batchSize = n
		}
	}
}

// WithEmbedRedact applies fn to every text before it leaves the process
// (personal data redaction); nil keeps texts as they are.
func WithEmbedRedact(fn func(string) string) OpenAIEmbedderOption {
	return func(e *OpenAIEmbedder) { e.redact = fn }
}

// NewOpenAIEmbedder returns an embedder that asks the server at baseURL, API
// version included (http://localhost:8000/v1), for vectors from model. A
// non-empty apiKey is sent as a bearer token; it appears in no error.
func NewOpenAIEmbedder(baseURL, model, apiKey string, opts ...OpenAIEmbedderOption) (*OpenAIEmbedder, error) {
	srv, err := modelserver.New("embed", baseURL, model, apiKey, DefaultEmbedTimeout)
	if err != nil {
		return nil, err
	}
	e := &OpenAIEmbedder{srv: srv, batchSize: DefaultEmbedBatchSize}
	for _, opt := range opts {
		opt(e)
	}
	return e, nil
}

// Model returns the name of the model the server is asked for.
func (e *OpenAIEmbedder) Model() string { return e.srv.Model }

// Embed returns one unit vector per text, in the order of texts. Texts go in
// batches, one request at a time, each with its own timeout; the first
// failure ends the call. Errors name the server and say what went wrong.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		// Servers reject empty input, each with its own message.
		if strings.TrimSpace(t) == "" {
			return nil, e.srv.Errorf("text %d is blank", i)
		}
	}
	if e.redact != nil {
		redacted := make([]string, len(texts))
		for i, t := range texts {
			redacted[i] = e.redact(t)
		}
		texts = redacted
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batchSize {
		vecs, err := e.embedBatch(ctx, texts[start:min(start+e.batchSize, len(texts))])
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && len(vecs[0]) != len(out[0]) {
			return nil, e.srv.Errorf("mixed dimensions: %d in one batch, %d in an earlier one", len(vecs[0]), len(out[0]))
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// embedBatch makes one request and checks the answer.
func (e *OpenAIEmbedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	var resp openai.EmbeddingResponse
	err := e.srv.Do(ctx, func(ctx context.Context) (err error) {
		resp, err = e.srv.Client.CreateEmbeddings(ctx, openai.EmbeddingRequest{
			Input: texts,
			Model: openai.EmbeddingModel(e.srv.Model),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	vecs, err := vectorsInOrder(resp.Data, len(texts))
	if err != nil {
		return nil, e.srv.Errorf("%w", err)
	}
	return vecs, nil
}

// vectorsInOrder checks that data has one vector for each of n texts, all of
// one non-zero length, and returns them by their index as unit vectors.
// Servers may answer out of order, so the index, not the position, counts.
func vectorsInOrder(data []openai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, fmt.Errorf("got %d vectors for %d texts", len(data), n)
	}
	out := make([][]float32, n)
	for _, d := range data {
		switch {
		case d.Index < 0 || d.Index >= n:
			return nil, fmt.Errorf("vector index %d out of range for %d texts", d.Index, n)
		case out[d.Index] != nil:
			return nil, fmt.Errorf("vector index %d appears twice", d.Index)
		case len(d.Embedding) == 0:
			return nil, fmt.Errorf("vector %d is empty", d.Index)
		case len(d.Embedding) != len(data[0].Embedding):
			return nil, fmt.Errorf("mixed dimensions: vector %d has %d, vector %d has %d",
				data[0].Index, len(data[0].Embedding), d.Index, len(d.Embedding))
		}
		if err := toUnitLength(d.Embedding); err != nil {
			return nil, fmt.Errorf("vector %d: %w", d.Index, err)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}
