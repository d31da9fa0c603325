package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/larkspur-labs/assist/kb"
)

// openDense adds dense retrieval over the embeddings server, behind
// redactOut, or the configured redaction when it is nil.
func (k *Knowledge) openDense(ctx context.Context, cfg Config, log *slog.Logger, redactOut func(string) string) error {
	f := cfg.KB
	if f.EmbedModel == "" {
		return errors.New("--embed-url needs --embed-model")
	}
	if redactOut == nil {
		r, err := newRedactor(cfg.Redact)
		if err != nil {
			return err
		}
		redactOut = r.Redact
	}
	e, err := kb.NewOpenAIEmbedder(f.EmbedURL, f.EmbedModel, f.EmbedKey, kb.WithEmbedRedact(redactOut))
	if err != nil {
		return err
	}
	dense, err := openDenseIndex(ctx, e, k.Base.Articles, f.Data, log)
	if err != nil {
		return err
	}
	k.Retriever.Dense = dense
	k.Retriever.OnDenseError = func(err error) { log.Warn("dense retrieval failed; ranking without it", "err", err) }
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
