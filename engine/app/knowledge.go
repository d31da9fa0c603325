package app

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
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/encoder"
	"github.com/larkspur-labs/assist/kb/intent"
	"github.com/larkspur-labs/assist/kb/replies"
)

// Knowledge is a loaded knowledge base with what ranks its answers.
type Knowledge struct {
	// Base is the articles with their full-text index and intent model.
	Base *kb.Base
	// Retriever ranks the articles for a conversation.
	Retriever *kb.Retriever
	feedback  *kb.Feedback
	replies   *replies.Index
	dense     bool
}

// OpenKnowledge loads the articles (the bundled sample without a folder),
// their cached index and model, the feedback store, the reply allowlist,
// the sentence encoder's classifier and, when an embeddings server is
// configured, the dense index. A dense index that cannot be built is
// logged and left out: it is an extra.
func OpenKnowledge(ctx context.Context, cfg Config) (*Knowledge, error) {
	return openKnowledge(ctx, cfg, nil)
}

// openKnowledge is OpenKnowledge with the redaction of the texts sent to
// the embeddings server: redactOut, or the configured redaction when nil.
func openKnowledge(ctx context.Context, cfg Config, redactOut func(string) string) (*Knowledge, error) {
	log := cfg.logger()
	f := cfg.KB
	articles, err := LoadArticles(f.Dir)
	if err != nil {
		return nil, err
	}
	cache := ""
	if f.Data != "" {
		cache = filepath.Join(f.Data, "cache")
	}
	base, err := kb.Open(articles, cache, log)
	if err != nil {
		return nil, fmt.Errorf("index knowledge base: %w", err)
	}
	if base.Locked != nil {
		cfg.notice("assist: %v\nThis run built the knowledge base's index in memory. Stop that process, or give this one its own --data.", base.Locked)
	}
	k := &Knowledge{Base: base, Retriever: base.Retriever()}
	if err := k.openFeedback(f.Data, log); err != nil {
		k.Close()
		return nil, err
	}
	if err := k.openEncoder(f, log); err != nil {
		k.Close()
		return nil, err
	}
	if f.Replies != "" {
		if k.replies, err = loadReplies(f.Replies); err != nil {
			k.Close()
			return nil, err
		}
	}
	if !k.HasEncoder() {
		cfg.notice("%s", noEncoderNotice)
	}
	if f.EmbedURL != "" {
		if err := k.openDense(ctx, cfg, log, redactOut); err != nil {
			// Dense retrieval is an extra: say why it is off and carry on.
			log.Warn("dense retrieval off", "err", err)
		}
	}
	return k, nil
}

// noEncoderNotice is what a command that answers without the sentence
// encoder tells the user once.
const noEncoderNotice = "assist: running without the sentence encoder, so suggestions are less accurate: " +
	"run 'make encoder' in the source folder to install it into the data folder, where every assist finds it, or pass --encoder DIR"

// LoadArticles reads the knowledge base in dir, or the bundled sample when
// dir is empty.
func LoadArticles(dir string) ([]kb.Article, error) {
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

// openFeedback opens the agents' feedback in the data folder, which the
// retriever then weighs in.
func (k *Knowledge) openFeedback(data string, log *slog.Logger) error {
	if data == "" {
		return nil
	}
	fb, err := kb.OpenFeedback(filepath.Join(data, "feedback.jsonl"))
	if err != nil {
		return err
	}
	if n := fb.Skipped(); n > 0 {
		log.Warn("feedback store: unreadable lines skipped", "lines", n)
	}
	k.feedback, k.Retriever.Feedback = fb, fb
	return nil
}

// openEncoder loads the sentence encoder and its classifier of the base's
// example questions, trained now when it is not cached: in the background
// when asked, else before returning. A folder without a model is an error
// at once, in either mode.
func (k *Knowledge) openEncoder(f KBConfig, log *slog.Logger) error {
	if f.Encoder == "" || k.Base.Model == nil {
		return nil
	}
	enc, err := encoder.Load(f.Encoder)
	if err != nil {
		return err
	}
	if !f.EncoderInBackground {
		sem, err := openSemantic(f.Encoder, enc, k.Base, log)
		if err != nil {
			return err
		}
		k.Retriever.Semantic = sem
		return nil
	}
	late := &lateSemantic{}
	k.Retriever.Semantic = late
	go func() {
		if c, err := openSemantic(f.Encoder, enc, k.Base, log); err != nil {
			log.Warn("sentence encoder off", "err", err)
		} else {
			late.c.Store(c)
		}
	}()
	return nil
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

// loadReplies reads a mined reply allowlist and indexes it.
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

// Ranker ranks the knowledge base's articles and the mined replies.
func (k *Knowledge) Ranker() *assist.Ranker {
	r := assist.NewRanker(k.Retriever)
	r.Replies = k.replies
	return r
}

// assistant returns the embedded models over the knowledge base.
func (k *Knowledge) assistant() (*assist.Assistant, error) {
	emotion, err := assist.EmbeddedEmotionModel()
	if err != nil {
		return nil, err
	}
	return &assist.Assistant{Sentiment: emotion, Ranker: k.Ranker(), Feedback: k.feedback}, nil
}

// Search ranks the knowledge base for a customer utterance the way the
// engine does: the n best candidate articles with what each source gave
// them, then what the ranker suggests, or why it abstains.
func (k *Knowledge) Search(ctx context.Context, query string, n int) ([]kb.Candidate, assist.Ranked, error) {
	cands, err := k.Retriever.Retrieve(ctx, []string{query}, n)
	if err != nil {
		return nil, assist.Ranked{}, err
	}
	r, err := k.Ranker().Rank(ctx, []assist.Turn{{Speaker: "customer", Text: query}})
	return cands, r, err
}

// HasEncoder says whether the sentence encoder ranks the answers (or will,
// once its classifier is trained in the background).
func (k *Knowledge) HasEncoder() bool { return k.Retriever.Semantic != nil }

// Status describes the knowledge base for the status line, such as
// "kb 33 · intents 33 · encoder"; "no encoder" says the sentence encoder
// is not installed or is turned off.
func (k *Knowledge) Status() string {
	parts := []string{fmt.Sprintf("kb %d", len(k.Base.Articles))}
	if k.Base.Model != nil {
		parts = append(parts, fmt.Sprintf("intents %d", len(k.Base.Model.Labels())))
	}
	if k.HasEncoder() {
		parts = append(parts, "encoder")
	} else {
		parts = append(parts, "no encoder")
	}
	if k.dense {
		parts = append(parts, "dense")
	}
	return strings.Join(parts, " · ")
}

// Close releases the index, the feedback store and the reply index.
func (k *Knowledge) Close() {
	k.Base.Close()
	if k.feedback != nil {
		k.feedback.Close()
	}
	if k.replies != nil {
		k.replies.Close()
	}
}

// TrainIntents trains the intent model of the knowledge base in dir (the
// bundled sample when empty): one intent per article with example
// questions, the same model for the same seed. The model carries the
// articles' fingerprint.
func TrainIntents(dir string, seed uint64) (*intent.Model, error) {
	articles, err := LoadArticles(dir)
	if err != nil {
		return nil, err
	}
	m, err := kb.TrainModel(articles, intent.Options{Seed: seed})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("train intents: fewer than two articles have example questions")
	}
	m.Fingerprint = kb.Fingerprint(articles)
	return m, nil
}
