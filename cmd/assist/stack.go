package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/intent"
	"github.com/larkspur-labs/assist/kb/replies"
	"github.com/spf13/pflag"
)

// engineStack is the running engine with what it stands on.
type engineStack struct {
	bus       *engine.Bus
	engine    *engine.Engine
	knowledge *knowledge
	log       *slog.Logger
	// status describes the models for the header.
	status string
}

// startEngine loads the knowledge base, the embedded models, the model
// server's when one is configured, and the in-process bus.
func startEngine(ctx context.Context, kf *kbFlags, mf *modelFlags, gf *guidanceFlags, log *slog.Logger) (*engineStack, error) {
	asst, k, status, storeRedact, err := loadModels(ctx, kf, mf, log)
	if err != nil {
		return nil, err
	}
	guidance, err := gf.load(k.base.Articles, log)
	if err != nil {
		k.Close()
		return nil, err
	}
	bus, err := engine.StartBus()
	if err != nil {
		k.Close()
		return nil, err
	}
	eng, err := engine.New(bus, asst, engine.Options{Logger: log, Redact: storeRedact, Guidance: guidance})
	if err != nil {
		bus.Close()
		k.Close()
		return nil, err
	}
	return &engineStack{bus: bus, engine: eng, knowledge: k, log: log, status: status}, nil
}

// loadModels loads what answers a call: the knowledge base with its
// index, the embedded models, and the chat server when configured, all
// behind the redaction the flags ask for. It returns the status line for
// the header and the redaction of stored text (nil without --redact-store).
func loadModels(ctx context.Context, kf *kbFlags, mf *modelFlags, log *slog.Logger) (*assist.Assistant, *knowledge, string, func(string) string, error) {
	r, err := mf.redactor()
	if err != nil {
		return nil, nil, "", nil, err
	}
	kf.redact = r.Redact
	k, err := kf.open(ctx, log)
	if err != nil {
		return nil, nil, "", nil, err
	}
	asst, err := k.assistant()
	if err != nil {
		k.Close()
		return nil, nil, "", nil, err
	}
	llmStatus, err := mf.apply(asst, r, log)
	if err != nil {
		k.Close()
		return nil, nil, "", nil, err
	}
	status := fmt.Sprintf("embedded · %s · %s", asst.Sentiment.Name(), k.status())
	if llmStatus != "" {
		status += " · " + llmStatus
	}
	return asst, k, status, mf.storeRedaction(r), nil
}

// Close stops the engine, the bus and the knowledge base.
func (s *engineStack) Close() {
	s.engine.Close()
	s.bus.Close()
	s.knowledge.Close()
}

// kbFlags are the flags of every command that answers from the knowledge base.
type kbFlags struct {
	dir        string
	data       string
	replies    string
	embedURL   string
	embedModel string
	encoder    string
	// encoderInBackground is set by the live commands (listen, serve): they
	// start at once, answering from the intent model alone until the
	// sentence encoder's classifier is trained, which on a large knowledge
	// base's first start takes half a minute. Replays and searches wait for
	// it, so that their answers do not depend on timing.
	encoderInBackground bool
	// redact is applied to every text sent to the embeddings server; all
	// kinds of personal data when nil.
	redact func(string) string
}

func (f *kbFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "kb", "", "knowledge-base folder of Markdown articles (default: the bundled sample)")
	fs.StringVar(&f.data, "data", defaultDataDir(), "data folder: the index and model cache, agents' feedback ($ASSIST_DATA)")
	fs.StringVar(&f.replies, "replies", "", "reply allowlist mined with 'assist kb mine' (JSONL)")
	fs.StringVar(&f.embedURL, "embed-url", os.Getenv("ASSIST_EMBED_URL"), "OpenAI-compatible embeddings server, base URL with /v1 ($ASSIST_EMBED_URL; key from $ASSIST_EMBED_API_KEY)")
	fs.StringVar(&f.embedModel, "embed-model", os.Getenv("ASSIST_EMBED_MODEL"), "embedding model name ($ASSIST_EMBED_MODEL)")
	fs.StringVar(&f.encoder, "encoder", defaultEncoderDir(), encoderUsage)
}

const encoderUsage = "folder of the embedded sentence encoder, on by default where installed: more accurate intents, about 5 ms a turn; '' leaves it out ($ASSIST_ENCODER)"

// defaultEncoderDir is where the sentence encoder is looked for when
// --encoder is not given: $ASSIST_ENCODER when set (empty turns it off),
// else the default data folder's encoder/, else .cache/use-lite of the
// checkout the binary was built in (make encoder fills it; make build puts
// the binary in bin/), whichever holds a model. It is on wherever it is
// installed because it is worth its cost: four points of in-scope accuracy
// on CLINC150 and two of top-1 on BANKING77, for a few milliseconds a turn
// and a first start that is cached.
func defaultEncoderDir() string {
	if dir, ok := os.LookupEnv("ASSIST_ENCODER"); ok {
		return dir
	}
	var candidates []string
	if data := defaultDataDir(); data != "" {
		candidates = append(candidates, filepath.Join(data, "encoder"))
	}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", ".cache", "use-lite"))
	}
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "model.json")); err == nil {
			return filepath.Clean(dir)
		}
	}
	return ""
}

// defaultDataDir is $ASSIST_DATA, else the user's data folder.
func defaultDataDir() string {
	if d := os.Getenv("ASSIST_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "assist")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "assist")
	}
	return ""
}

// knowledge is a loaded knowledge base with what ranks its answers.
type knowledge struct {
	base      *kb.Base
	retriever *kb.Retriever
	feedback  *kb.Feedback
	replies   *replies.Index
	dense     bool
}

// open loads the articles (the bundled sample without --kb), their cached
// index and model, the feedback store, the reply allowlist and the dense
// index when an embeddings server is configured.
func (f *kbFlags) open(ctx context.Context, log *slog.Logger) (*knowledge, error) {
	articles, err := loadArticles(f.dir)
	if err != nil {
		return nil, err
	}
	cache := ""
	if f.data != "" {
		cache = filepath.Join(f.data, "cache")
	}
	base, err := kb.Open(articles, cache, log)
	if err != nil {
		return nil, fmt.Errorf("index knowledge base: %w", err)
	}
	k := &knowledge{base: base, retriever: base.Retriever()}
	if f.data != "" {
		if k.feedback, err = kb.OpenFeedback(filepath.Join(f.data, "feedback.jsonl")); err != nil {
			k.Close()
			return nil, err
		}
		if n := k.feedback.Skipped(); n > 0 {
			log.Warn("feedback store: unreadable lines skipped", "lines", n)
		}
		k.retriever.Feedback = k.feedback
	}
	if f.encoder != "" && base.Model != nil {
		// A folder without a model is an error at once, in either mode.
		enc, err := encoder.Load(f.encoder)
		if err != nil {
			k.Close()
			return nil, err
		}
		if f.encoderInBackground {
			late := &lateSemantic{}
			k.retriever.Semantic = late
			go func() {
				if c, err := openSemantic(f.encoder, enc, base, log); err != nil {
					log.Warn("sentence encoder off", "err", err)
				} else {
					late.c.Store(c)
				}
			}()
		} else {
			sem, err := openSemantic(f.encoder, enc, base, log)
			if err != nil {
				k.Close()
				return nil, err
			}
			k.retriever.Semantic = sem
		}
	}
	if f.replies != "" {
		if k.replies, err = loadReplies(f.replies); err != nil {
			k.Close()
			return nil, err
		}
	}
	if f.embedURL != "" {
		if err := k.openDense(ctx, f, log); err != nil {
			// Dense retrieval is an extra: say why it is off and carry on.
			log.Warn("dense retrieval off", "err", err)
		}
	}
	return k, nil
}

// openSemantic loads the classifier of the base's example questions over
// the sentence encoder enc (loaded from dir), training it when it is not
// cached.
func openSemantic(dir string, enc *encoder.Model, base *kb.Base, log *slog.Logger) (*encoder.Classifier, error) {
	start := time.Now()
	c, err := base.Semantic(enc, log)
	if err != nil {
		return nil, err
	}
	log.Info("sentence encoder on", "dir", dir, "ready_in", time.Since(start).Round(time.Millisecond))
	return c, nil
}

// lateSemantic is the retriever's semantic classifier while it is being
// trained: until c is set it has no distributions, and the retriever ranks
// by the intent model alone.
type lateSemantic struct {
	c atomic.Pointer[encoder.Classifier]
}

func (l *lateSemantic) PredictBatch(texts []string) [][]intent.Prediction {
	if c := l.c.Load(); c != nil {
		return c.PredictBatch(texts)
	}
	return make([][]intent.Prediction, len(texts))
}

// loadArticles reads the knowledge base in dir, or the bundled sample when
// dir is empty.
func loadArticles(dir string) ([]kb.Article, error) {
	var (
		articles []kb.Article
		err      error
	)
	if dir == "" {
		articles, err = kb.Sample()
	} else {
		articles, err = kb.LoadDir(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load knowledge base: %w (run 'assist kb lint DIR' to list every problem)", err)
	}
	return articles, nil
}

func loadReplies(path string) (*replies.Index, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load replies: %w", err)
	}
	defer file.Close()
	list, err := replies.Read(path, file)
	if err != nil {
		return nil, fmt.Errorf("load replies: %w", err)
	}
	return replies.NewIndex(list)
}

func (k *knowledge) openDense(ctx context.Context, f *kbFlags, log *slog.Logger) error {
	if f.embedModel == "" {
		return fmt.Errorf("--embed-url needs --embed-model")
	}
	key := os.Getenv("ASSIST_EMBED_API_KEY")
	if key == "" {
		key = os.Getenv("ASSIST_LLM_API_KEY")
	}
	redactFn := f.redact
	if redactFn == nil {
		r, err := redact.New(redact.Config{})
		if err != nil {
			return err
		}
		redactFn = r.Redact
	}
	e, err := kb.NewOpenAIEmbedder(f.embedURL, f.embedModel, key, kb.WithEmbedRedact(redactFn))
	if err != nil {
		return err
	}
	dense, err := openDenseIndex(ctx, e, k.base.Articles, f.data, log)
	if err != nil {
		return err
	}
	k.retriever.Dense = dense
	k.retriever.OnDenseError = func(err error) { log.Warn("dense retrieval failed; ranking without it", "err", err) }
	k.dense = true
	return nil
}

// openDenseIndex loads the articles' vectors from the data folder when they
// were computed by the same model for the same articles, and otherwise
// embeds the articles and saves the vectors for next time: embedding a large
// knowledge base takes many requests.
func openDenseIndex(ctx context.Context, e *kb.OpenAIEmbedder, articles []kb.Article, data string, log *slog.Logger) (*kb.DenseIndex, error) {
	if data == "" {
		return kb.NewDenseIndex(ctx, e, articles)
	}
	path := filepath.Join(data, "cache", "dense-"+kb.DenseFingerprint(e.Model(), articles)+".vec")
	if file, err := os.Open(path); err == nil {
		v, err := kb.LoadVectors(file)
		file.Close()
		if err == nil {
			if d, err := kb.NewDenseIndexFromVectors(e, v, articles); err == nil {
				return d, nil
			}
		}
		log.Warn("cached article vectors unusable; embedding again", "file", path, "err", err)
	}
	d, err := kb.NewDenseIndex(ctx, e, articles)
	if err != nil {
		return nil, err
	}
	if err := saveVectors(path, d); err != nil {
		log.Warn("cache article vectors", "err", err)
	}
	return d, nil
}

// saveVectors writes the index's vectors to path through a temporary file.
func saveVectors(path string, d *kb.DenseIndex) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, d.SaveVectors)
}

// assistant returns the embedded models over the knowledge base.
func (k *knowledge) assistant() (*assist.Assistant, error) {
	emotion, err := assist.EmbeddedEmotionModel()
	if err != nil {
		return nil, err
	}
	return &assist.Assistant{Sentiment: emotion, Ranker: k.ranker(), Feedback: k.feedback}, nil
}

// ranker ranks the knowledge base's articles and the mined replies.
func (k *knowledge) ranker() *assist.Ranker {
	r := assist.NewRanker(k.retriever)
	r.Replies = k.replies
	return r
}

// status describes the knowledge base for the header.
func (k *knowledge) status() string {
	parts := []string{fmt.Sprintf("kb %d", len(k.base.Articles))}
	if k.base.Model != nil {
		parts = append(parts, fmt.Sprintf("intents %d", len(k.base.Model.Labels())))
	}
	if k.retriever.Semantic != nil {
		parts = append(parts, "encoder")
	}
	if k.dense {
		parts = append(parts, "dense")
	}
	return strings.Join(parts, " · ")
}

// Close releases the index and the feedback store.
func (k *knowledge) Close() {
	k.base.Close()
	if k.feedback != nil {
		k.feedback.Close()
	}
	if k.replies != nil {
		k.replies.Close()
	}
}
