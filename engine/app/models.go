package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/assist/llm"
	"github.com/larkspur-labs/assist/assist/redact"
)

// Models is what answers a call: the assistant over the knowledge base,
// with the chat server when one is configured, all behind redaction, and
// the guidance.
type Models struct {
	Assistant *assist.Assistant
	Knowledge *Knowledge
	Guidance  *guide.Config
	// Status describes the models for the status line.
	Status string
	// StoreRedact is applied to published and stored text; nil unless
	// RedactConfig.Store.
	StoreRedact func(string) string
	// Calls is the redaction the model-server clients send text through;
	// the engine that runs the calls must be given it (engine.Options), so
	// that answers to the agent's questions are redacted too.
	Calls *redact.Calls
}

// LoadModels loads the knowledge base with its index, the embedded
// models, the chat server's client when configured, and the guidance.
func LoadModels(ctx context.Context, cfg Config) (*Models, error) {
	log := cfg.logger()
	r, err := newRedactor(cfg.Redact)
	if err != nil {
		return nil, err
	}
	calls := redact.NewCalls(r)
	k, err := openKnowledge(ctx, cfg, calls.Redact)
	if err != nil {
		return nil, err
	}
	m := &Models{Knowledge: k, Calls: calls}
	if m.Assistant, err = k.assistant(); err != nil {
		k.Close()
		return nil, err
	}
	llmStatus, err := useModelServer(m.Assistant, cfg.Model, calls.Redact, log)
	if err != nil {
		k.Close()
		return nil, err
	}
	if m.Guidance, err = loadGuidance(cfg.Guidance, k.Base.Articles, log); err != nil {
		k.Close()
		return nil, err
	}
	m.Status = fmt.Sprintf("embedded · %s · %s", m.Assistant.Sentiment.Name(), k.Status())
	if llmStatus != "" {
		m.Status += " · " + llmStatus
	}
	if cfg.Redact.Store {
		m.StoreRedact = calls.Redact
	}
	return m, nil
}

// Close releases the knowledge base.
func (m *Models) Close() { m.Knowledge.Close() }

// newRedactor builds the configured redaction.
func newRedactor(cfg RedactConfig) (*redact.Redactor, error) {
	return redact.New(redact.Config{Kinds: cfg.Kinds})
}

// useModelServer gives the assistant the chat server's drafts and
// summaries (and emotion and translation when asked), every text sent
// through redactOut, and returns a word for the status line ("" without a
// server).
func useModelServer(a *assist.Assistant, cfg ModelConfig, redactOut func(string) string, log *slog.Logger) (string, error) {
	if cfg.URL == "" {
		if cfg.Emotion || cfg.AgentLang != "" {
			return "", configErrorf("--llm-emotion and --agent-lang need a chat server: --llm-url")
		}
		return "", nil
	}
	if cfg.Model == "" {
		return "", configErrorf("--llm-url needs --llm-model")
	}
	c, err := llm.New(llm.Config{
		BaseURL: cfg.URL, Model: cfg.Model, APIKey: cfg.Key,
		Timeout: cfg.Timeout, Redact: redactOut,
	})
	if err != nil {
		return "", fmt.Errorf("chat server: %w", err)
	}
	a.Drafter, a.Summarizer = c, c
	if cfg.Emotion {
		a.Emotion = c
	}
	if cfg.AgentLang != "" {
		a.Translator, a.AgentLang = c, cfg.AgentLang
	}
	log.Info("drafts and summaries from the chat server", "url", cfg.URL, "model", cfg.Model)
	return "llm " + cfg.Model, nil
}
