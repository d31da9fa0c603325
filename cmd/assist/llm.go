package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/llm"
	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/spf13/pflag"
)

// modelFlags configure what leaves the process: the optional model server
// for drafts and summaries, and the redaction of personal data from
// everything sent to any model server, exported, or (optionally) stored.
type modelFlags struct {
	llmURL      string
	llmModel    string
	llmTimeout  time.Duration
	llmEmotion  bool
	agentLang   string
	redactKinds string
	redactStore bool
}

func (f *modelFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.llmURL, "llm-url", os.Getenv("ASSIST_LLM_URL"), "OpenAI-compatible chat server for drafted replies and summaries, base URL with /v1 ($ASSIST_LLM_URL; key from $ASSIST_LLM_API_KEY)")
	fs.StringVar(&f.llmModel, "llm-model", os.Getenv("ASSIST_LLM_MODEL"), "chat model name ($ASSIST_LLM_MODEL)")
	fs.DurationVar(&f.llmTimeout, "llm-timeout", 20*time.Second, "bound on each request to the chat server")
	fs.BoolVar(&f.llmEmotion, "llm-emotion", false, "also score customer turns on the chat server and blend its emotions with the embedded model's")
	fs.StringVar(&f.agentLang, "agent-lang", os.Getenv("ASSIST_AGENT_LANG"), "the agent's language (BCP-47, e.g. en): customer turns in another are translated by the chat server ($ASSIST_AGENT_LANG)")
	fs.StringVar(&f.redactKinds, "redact", "all", "personal data removed from every text sent to a model server: all, or a list of card,iban,ssn,phone,email,dob,account")
	fs.BoolVar(&f.redactStore, "redact-store", false, "also redact utterance text in the events published and stored")
}

// redactor builds the redaction the flags ask for.
func (f *modelFlags) redactor() (*redact.Redactor, error) {
	kinds, err := redact.ParseKinds(f.redactKinds)
	if err != nil {
		return nil, usagef("--redact: %v", err)
	}
	return redact.New(redact.Config{Kinds: kinds})
}

// storeRedaction is what the engine applies to published text: the
// redactor with --redact-store, else nothing.
func (f *modelFlags) storeRedaction(r *redact.Redactor) func(string) string {
	if !f.redactStore {
		return nil
	}
	return r.Redact
}

// apply gives the assistant the chat server's drafts and summaries, and
// returns a word for the header ("" without a server).
func (f *modelFlags) apply(a *assist.Assistant, r *redact.Redactor, log *slog.Logger) (string, error) {
	if f.llmURL == "" {
		if f.llmEmotion || f.agentLang != "" {
			return "", usagef("--llm-emotion and --agent-lang need a chat server: --llm-url")
		}
		return "", nil
	}
	if f.llmModel == "" {
		return "", usagef("--llm-url needs --llm-model")
	}
	c, err := llm.New(llm.Config{
		BaseURL: f.llmURL, Model: f.llmModel, APIKey: os.Getenv("ASSIST_LLM_API_KEY"),
		Timeout: f.llmTimeout, Redact: r.Redact,
	})
	if err != nil {
		return "", fmt.Errorf("chat server: %w", err)
	}
	a.Drafter, a.Summarizer = c, c
	if f.llmEmotion {
		a.Emotion = c
	}
	if f.agentLang != "" {
		a.Translator, a.AgentLang = c, f.agentLang
	}
	log.Info("drafts and summaries from the chat server", "url", f.llmURL, "model", f.llmModel)
	return "llm " + f.llmModel, nil
}
