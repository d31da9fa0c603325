package kb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/internal/flock"
	"github.com/larkspur-labs/assist/kb/intent"
)

// Base is a knowledge base ready to answer: its articles, full-text index
// and intent model.
type Base struct {
	Articles []Article
	Index    *Index
	// Model is nil when fewer than two articles have example questions.
	Model *intent.Model
	// Fingerprint identifies the articles' content; the cache is keyed by it.
	Fingerprint string
	// Built is set when the index and model were built rather than loaded
	// from the cache.
	Built bool
	// Locked, when set, says why the cache was not used: another process
	// holds its index exclusively (a *flock.LockedError naming it). The
	// base was built in memory instead.
	Locked error
	// dir is the cache of this content, or "" in memory.
	dir string
}

// cacheVersion changes whenever the index mapping or the fingerprinted
// content changes, so old caches are rebuilt rather than misread.
const cacheVersion = 1

// Fingerprint hashes everything of the articles that the index and the
// model depend on, together with the cache and model file versions.
func Fingerprint(articles []Article) string {
	sorted := slices.Clone(articles)
	slices.SortFunc(sorted, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	fmt.Fprintf(h, "assist-kb %d %d\n", cacheVersion, intent.FileVersion)
	enc := json.NewEncoder(h)
	for _, a := range sorted {
		a.Source = "" // moving the folder changes nothing
		enc.Encode(a)
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// Open indexes articles and trains their intent model, or loads both from
// cacheDir when they were built for the same content before. The cache
// lives in cacheDir/kb-<fingerprint>; building writes it under a temporary
// name and renames it, so a crash never leaves a half-written cache, and
// removes caches of older content. An empty cacheDir builds in memory.
// A cache that cannot be read is rebuilt, with a warning.
func Open(articles []Article, cacheDir string, log *slog.Logger) (*Base, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Base{Articles: articles, Fingerprint: Fingerprint(articles)}
	if cacheDir == "" {
		return b, b.build("", log)
	}
	dir := filepath.Join(cacheDir, "kb-"+b.Fingerprint)
	if _, err := os.Stat(dir); err == nil {
		err := b.load(dir)
		var locked *flock.LockedError
		switch {
		case err == nil:
			b.dir = dir
			return b, nil
		case errors.As(err, &locked):
			// Not ours to rebuild: another process holds it. Waiting for
			// it could take as long as that process runs.
			log.Warn("knowledge-base cache held by another process: building the index in memory for this run",
				"dir", dir, "holder", holderOf(locked), "fix", "stop that process, or give this one another --data")
			b.Locked = err
			return b, b.build("", log)
		default:
			log.Warn("knowledge-base cache unreadable; rebuilding", "dir", dir, "err", err)
			os.RemoveAll(dir)
		}
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("kb cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, ".kb-build-")
	if err != nil {
		return nil, fmt.Errorf("kb cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := b.build(tmp, log); err != nil {
		return nil, err
	}
	// bleve keeps the directory open; close, move, reopen.
	if err := b.Index.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process built the same content meanwhile and renamed
		// first: use its cache.
		if _, statErr := os.Stat(dir); statErr != nil {
			return nil, fmt.Errorf("kb cache: %w", err)
		}
	}
	if err := b.load(dir); err != nil {
		return nil, fmt.Errorf("kb cache: reopen what was just built: %w", err)
	}
	b.Built, b.dir = true, dir
	removeStale(cacheDir, dir, log)
	return b, nil
}

const (
	indexDir  = "index.bleve"
	modelFile = "intents.model"
)

// build indexes and trains into dir ("" for memory).
func (b *Base) build(dir string, log *slog.Logger) error {
	path := ""
	if dir != "" {
		path = filepath.Join(dir, indexDir)
	}
	ix, err := BuildIndex(path, b.Articles)
	if err != nil {
		return err
	}
	m, err := TrainModel(b.Articles, intent.Options{})
	if errors.Is(err, ErrTooManyIntents) {
		log.Warn("knowledge base ranks by full text only", "reason", err)
		m, err = nil, nil
	}
	if err != nil {
		ix.Close()
		return err
	}
	b.Index, b.Model = ix, m
	if m != nil && dir != "" {
		m.Fingerprint = b.Fingerprint
		if err := m.Save(filepath.Join(dir, modelFile)); err != nil {
			ix.Close()
			return err
		}
	}
	return nil
}

// load opens the cached index and model in dir.
func (b *Base) load(dir string) error {
	var m *intent.Model
	path := filepath.Join(dir, modelFile)
	if _, err := os.Stat(path); err == nil {
		if m, err = intent.Load(path); err != nil {
			return err
		}
		if m.Fingerprint != b.Fingerprint {
			return fmt.Errorf("%s was trained on other articles", path)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	ix, err := OpenIndex(filepath.Join(dir, indexDir), b.Articles)
	if err != nil {
		return err
	}
	b.Index, b.Model = ix, m
	return nil
}

// holderOf names the process holding a lock, for the log.
func holderOf(e *flock.LockedError) string {
	if e.Holder == nil {
		return "unknown"
	}
	return e.Holder.String()
}

// removeStale deletes the caches in cacheDir other than keep.
func removeStale(cacheDir, keep string, log *slog.Logger) {
	old, _ := filepath.Glob(filepath.Join(cacheDir, "kb-*"))
	for _, d := range old {
		if d != keep {
			if err := os.RemoveAll(d); err != nil {
				log.Warn("remove stale kb cache", "dir", d, "err", err)
			}
		}
	}
}

// Retriever returns a retriever over the base with the default weights.
func (b *Base) Retriever() *Retriever { return NewRetriever(b.Index, b.Model) }

// Close releases the index.
func (b *Base) Close() error {
	if b.Index == nil {
		return nil
	}
	return b.Index.Close()
}
