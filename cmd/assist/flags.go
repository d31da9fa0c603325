package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/spf13/pflag"
)

// engineFlags are the flags of the commands that run the engine (replay,
// listen, serve): knowledge base, model server and redaction, guidance,
// speech recognizer.
type engineFlags struct {
	kb       kbFlags
	models   modelFlags
	guidance app.GuidanceConfig
	asr      asrFlags
}

func (f *engineFlags) register(fs *pflag.FlagSet) {
	f.kb.register(fs)
	f.models.register(fs)
	f.registerGuidance(fs)
	f.asr.register(fs)
}

// registerGuidance adds the flags of the guidance: flows, rules, profiles.
func (f *engineFlags) registerGuidance(fs *pflag.FlagSet) {
	def := app.DefaultGuidance
	fs.StringVar(&f.guidance.Flows, "flows", def.Flows, "guided flows: kb (the knowledge base's articles with follow-up actions), a folder of Markdown articles, agent guidelines in ABCD's layout (guidelines.json, kb.json, ontology.json), or none")
	fs.StringVar(&f.guidance.Rules, "rules", def.Rules, "offers and risk/compliance warnings: a rules file (YAML), bundled (the sample center's), or none")
	fs.StringVar(&f.guidance.Profiles, "profiles", def.Profiles, "customer profiles: a JSON or CSV file, an http(s) URL answering GET <url>/<customer id>, bundled (the sample calls' customers), or none")
}

// config turns the flags into the app's configuration, with the logger and
// where the user's one-time notices go.
func (f *engineFlags) config(log *slog.Logger, notices io.Writer) (app.Config, error) {
	model, red, err := f.models.config()
	if err != nil {
		return app.Config{}, err
	}
	return app.Config{
		KB: f.kb.config(), Model: model, Redact: red, Guidance: f.guidance, ASR: f.asr.config(false), Logger: log, Notices: notices,
	}, nil
}

// viewFlags are the flags of the commands that draw a view: NDJSON on
// stdout instead, and where the logs go.
type viewFlags struct {
	headless bool
	logFile  string
	debug    bool
}

// logFileUsage is --log-file's usage for the commands of the agent view.
const logFileUsage = "write logs to this file (the agent view owns the terminal)"

// register adds the flags, with the usage of --headless and --log-file.
func (f *viewFlags) register(fs *pflag.FlagSet, headless, logFile string) {
	fs.BoolVar(&f.headless, "headless", false, headless)
	fs.StringVar(&f.logFile, "log-file", "", logFile)
	fs.BoolVar(&f.debug, "debug", false, "log debug detail")
}

// logger returns the command's logger: to the log file when given, else
// to stderr in headless mode, else nowhere (a view owns the terminal).
// done closes the log file.
func (f *viewFlags) logger(stderr io.Writer) (log *slog.Logger, done func(), err error) {
	if f.logFile != "" {
		file, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open log file: %w", err)
		}
		return app.NewLogger(file, f.debug), func() { file.Close() }, nil
	}
	if f.headless {
		return app.NewLogger(stderr, f.debug), func() {}, nil
	}
	return app.NewLogger(nil, f.debug), func() {}, nil
}

// kbFlags are the flags of every command that answers from the knowledge
// base. The live commands set EncoderInBackground.
type kbFlags app.KBConfig

func (f *kbFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.Dir, "kb", "", "knowledge-base folder of Markdown articles (default: the bundled sample)")
	fs.StringVar(&f.Data, "data", app.DefaultDataDir(), "data folder: the index and model cache, agents' feedback ($ASSIST_DATA)")
	fs.StringVar(&f.Replies, "replies", "", "reply allowlist mined with 'assist kb mine' (JSONL)")
	fs.StringVar(&f.EmbedURL, "embed-url", os.Getenv("ASSIST_EMBED_URL"), "OpenAI-compatible embeddings server, base URL with /v1 ($ASSIST_EMBED_URL; key from $ASSIST_EMBED_API_KEY)")
	fs.StringVar(&f.EmbedModel, "embed-model", os.Getenv("ASSIST_EMBED_MODEL"), "embedding model name ($ASSIST_EMBED_MODEL)")
	fs.StringVar(&f.Encoder, "encoder", app.DefaultEncoderDir(), encoderUsage)
}

// config is the flags' configuration, with the key from the environment.
func (f *kbFlags) config() app.KBConfig {
	c := app.KBConfig(*f)
	c.EmbedKey = apiKey("ASSIST_EMBED_API_KEY")
	return c
}

// apiKey is the environment variable's key, else the chat server's: one
// server often serves every model. API keys never come from flags.
func apiKey(name string) string {
	if key := os.Getenv(name); key != "" {
		return key
	}
	return os.Getenv("ASSIST_LLM_API_KEY")
}

const encoderUsage = "folder of the embedded sentence encoder, on by default where installed: more accurate intents, about 5 ms a turn; '' leaves it out ($ASSIST_ENCODER)"

// modelFlags configure what leaves the process: the optional model server
// for drafts and summaries, and the redaction of personal data from
// everything sent to any model server, exported, or (optionally) stored.
type modelFlags struct {
	app.ModelConfig
	redactKinds string
	redactStore bool
}

func (f *modelFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.URL, "llm-url", os.Getenv("ASSIST_LLM_URL"), "OpenAI-compatible chat server for drafted replies and summaries, base URL with /v1 ($ASSIST_LLM_URL; key from $ASSIST_LLM_API_KEY)")
	fs.StringVar(&f.Model, "llm-model", os.Getenv("ASSIST_LLM_MODEL"), "chat model name ($ASSIST_LLM_MODEL)")
	fs.DurationVar(&f.Timeout, "llm-timeout", 20*time.Second, "bound on each request to the chat server")
	fs.BoolVar(&f.Emotion, "llm-emotion", false, "also score customer turns on the chat server and blend its emotions with the embedded model's")
	fs.StringVar(&f.AgentLang, "agent-lang", os.Getenv("ASSIST_AGENT_LANG"), "the agent's language (BCP-47, e.g. en): customer turns in another are translated by the chat server ($ASSIST_AGENT_LANG)")
	fs.StringVar(&f.redactKinds, "redact", "all", "personal data removed from every text sent to a model server: all, or a list of card,iban,ssn,phone,email,dob,account")
	fs.BoolVar(&f.redactStore, "redact-store", false, "also redact utterance text in the events published and stored")
}

func (f *modelFlags) config() (app.ModelConfig, app.RedactConfig, error) {
	kinds, err := redact.ParseKinds(f.redactKinds)
	if err != nil {
		return app.ModelConfig{}, app.RedactConfig{}, usagef("--redact: %v", err)
	}
	m := f.ModelConfig
	m.Key = os.Getenv("ASSIST_LLM_API_KEY")
	return m, app.RedactConfig{Kinds: kinds, Store: f.redactStore}, nil
}

// asrFlags choose the speech recognizer: the embedded one, or a
// transcription server with the embedded one as its fallback.
type asrFlags app.ASRConfig

func (f *asrFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.URL, "asr-url", os.Getenv("ASSIST_ASR_URL"), "OpenAI-compatible transcription server, base URL with /v1 ($ASSIST_ASR_URL; key from $ASSIST_ASR_API_KEY); the embedded recognizer is the fallback")
	fs.StringVar(&f.Model, "asr-model", os.Getenv("ASSIST_ASR_MODEL"), "transcription model name ($ASSIST_ASR_MODEL)")
}

// config is the flags' configuration, with the key from the environment;
// recorded gives a recording the embedded recognizer's full search.
func (f *asrFlags) config(recorded bool) app.ASRConfig {
	c := app.ASRConfig(*f)
	c.Key, c.Recorded = apiKey("ASSIST_ASR_API_KEY"), recorded
	return c
}

// serviceFlags say how a terminal reaches a running service: by --nats and
// --creds, or by the data folder a service on this machine writes its
// address and credentials into.
type serviceFlags app.ServiceAddress

func (f *serviceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.NATS, "nats", os.Getenv("ASSIST_NATS_URL"), "NATS URL of the service ($ASSIST_NATS_URL; default: the 'assist serve' using --data)")
	fs.StringVar(&f.Creds, "creds", os.Getenv("ASSIST_NATS_CREDS"), "nkey seed file of your user ($ASSIST_NATS_CREDS; default: from --data)")
	fs.StringVar(&f.CA, "nats-ca", os.Getenv("ASSIST_NATS_CA"), "CA certificate (PEM) of a service whose NATS TLS certificate is private ($ASSIST_NATS_CA)")
	fs.StringVar(&f.Data, "data", app.DefaultDataDir(), "data folder of an 'assist serve' on this machine ($ASSIST_DATA)")
}

// defaultSince is how far back export and report look unless told.
const defaultSince = 24 * time.Hour

// storeFlags choose the stored calls export and report read: the service
// that keeps them, how far back, and which queue.
type storeFlags app.StoredCalls

func (f *storeFlags) register(fs *pflag.FlagSet, sinceUsage, queueUsage string) {
	(*serviceFlags)(&f.Service).register(fs)
	fs.DurationVar(&f.Since, "since", defaultSince, sinceUsage+" calls that started within this long ago, such as 24h or 90m; 0 for every stored call")
	fs.StringVar(&f.Queue, "queue", "", queueUsage)
	fs.StringVar(&f.Analyst, "analyst", os.Getenv("ASSIST_ANALYST"), "read as this analyst, through the service's API, with the analyst's --creds ($ASSIST_ANALYST; default: the service user, from the store)")
}

func (f *storeFlags) check() error {
	if f.Since < 0 {
		return usagef("--since must be a duration such as 24h, or 0 for every stored call, got %s", f.Since)
	}
	return nil
}

// viewConfig opens the log the view flags ask for and builds the app's
// configuration from the engine flags: what every command with the agent
// view starts from. done closes the log.
func viewConfig(e *engineFlags, v *viewFlags, stderr io.Writer) (cfg app.Config, done func(), err error) {
	log, done, err := v.logger(stderr)
	if err != nil {
		return app.Config{}, nil, err
	}
	if cfg, err = e.config(log, stderr); err != nil {
		done()
		return app.Config{}, nil, err
	}
	return cfg, done, nil
}
