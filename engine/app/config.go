// Package app is the composition root of the assist commands: from one
// Config it builds what answers a call (the knowledge base with its
// indexes and models, the assistant, the model-server clients, redaction
// and guidance) and what carries it (the bus and the engine in one
// process, or the service's NATS server, store, worker and ingest
// endpoints), and the speech recognizer. The commands turn their flags
// into a Config and call Start, Listen or Serve.
//
// The run functions of the commands that need no view live here too, as
// cli/cli's live beside their command: each takes its command's options
// struct, with the writers its output goes to, does the work and prints
// the result (LintArticles, ImportArticles, IndexArticles,
// SearchArticles, MineAllowlist, WriteIntentModel, TranscribeFile,
// Simulate, Export, Report, IssueCreds). A command with a view gets what
// the view shows from here: PrepareReplay (with the headless path,
// Replayer.Headless), Listen, StartPlayground, FollowAgent and
// FollowCalls. Nothing here parses flags or draws on a terminal.
package app

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
)

// Config is everything the commands can configure.
type Config struct {
	KB       KBConfig
	Model    ModelConfig
	Redact   RedactConfig
	Guidance GuidanceConfig
	ASR      ASRConfig
	// Logger receives what the parts log; discarded when nil.
	Logger *slog.Logger
	// Notices receives the few lines the user is told once, outside the
	// log: a missing sentence encoder, a newly generated ingest key.
	// Nothing is told when nil.
	Notices io.Writer
}

// KBConfig says where the knowledge base, its cache and the optional
// retrieval extras are.
type KBConfig struct {
	// Dir is a folder of Markdown articles; the bundled sample when empty.
	Dir string
	// Data is the data folder: the index and model cache, the agents'
	// feedback, cached article vectors. Nothing is kept when empty.
	Data string
	// Replies is a reply allowlist mined with 'assist kb mine' (JSONL).
	Replies string
	// EmbedURL, EmbedModel and EmbedKey reach an OpenAI-compatible
	// embeddings server for dense retrieval; off without EmbedURL.
	EmbedURL, EmbedModel, EmbedKey string
	// Encoder is the folder of the embedded sentence encoder; off when
	// empty.
	Encoder string
	// EncoderInBackground starts at once, answering from the intent model
	// alone until the sentence encoder's classifier is trained, which on
	// a large knowledge base's first start takes half a minute: for the
	// live commands. Replays and searches wait for it, so that their
	// answers do not depend on timing.
	EncoderInBackground bool
}

// ModelConfig is the optional chat server for drafts and summaries.
type ModelConfig struct {
	// URL is an OpenAI-compatible base URL with /v1; no server when empty.
	URL, Model, Key string
	// Timeout bounds each request.
	Timeout time.Duration
	// Emotion also scores customer turns on the server.
	Emotion bool
	// AgentLang is the agent's language (BCP-47): customer turns in
	// another are translated.
	AgentLang string
}

// RedactConfig is the redaction of personal data from everything sent to
// a model server and, with Store, from published and stored text.
type RedactConfig struct {
	// Kinds are the kinds of personal data removed; all when empty.
	Kinds []redact.Kind
	Store bool
}

// GuidanceConfig adds guided flows, personalised offers and risk warnings.
// "" or "none" leaves a part out; DefaultGuidance is the demo's.
type GuidanceConfig struct {
	// Flows is "kb" (the knowledge base's articles with follow-up
	// actions), a folder of Markdown articles, or ABCD guidelines.
	Flows string
	// Rules is a rules file (YAML) of offers and warnings, or "bundled"
	// for the sample center's.
	Rules string
	// Profiles is a JSON or CSV file of customer profiles, an http(s)
	// URL answering GET <url>/<customer id>, or "bundled" for the sample
	// calls' customers.
	Profiles string
}

// DefaultGuidance is the guidance of the demo and, unless the command line
// or the config file says otherwise, of replay, listen and serve: the
// knowledge base's flows and the bundled center's rules and profiles.
var DefaultGuidance = GuidanceConfig{Flows: "kb", Rules: "bundled", Profiles: "bundled"}

// ASRConfig chooses the speech recognizer.
type ASRConfig struct {
	// URL, Model and Key reach an OpenAI-compatible transcription server,
	// with the embedded recognizer as its fallback; embedded only when URL
	// is empty.
	URL, Model, Key string
	// Digits recognises spoken digits only (number entry), embedded.
	Digits bool
	// DigitsAdapt is the digits grammar's acoustic adaptation: empty for
	// the transform shipped for telephone speech (audio/sphinx/telephone),
	// DigitsAdaptOff for none, or the path of an MLLR transform.
	DigitsAdapt string
	// Recorded gives a recording decoded ahead of time the embedded
	// recognizer's full search; live audio gets the search tuned to keep
	// up and answer fast.
	Recorded bool
}

// ConfigError says the configuration, not the machine, is wrong: a value
// that cannot work as given. Commands report it as a usage error.
type ConfigError struct{ msg string }

func (e *ConfigError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{fmt.Sprintf(format, args...)}
}

// NewLogger returns the logger of a command: text to w at info level, or
// at debug level with debug; it discards everything when w is nil.
func NewLogger(w io.Writer, debug bool) *slog.Logger {
	if w == nil {
		return slog.New(slog.DiscardHandler)
	}
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// logger returns the configured logger, or one that discards.
func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// notice tells the user a line, once.
func (c Config) notice(format string, args ...any) {
	if c.Notices != nil {
		fmt.Fprintf(c.Notices, format+"\n", args...)
	}
}
