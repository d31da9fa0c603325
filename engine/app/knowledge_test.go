package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestEncoderInBackground(t *testing.T) {
	dir := encodertest.Dir(t)
	cfg := Config{KB: KBConfig{Data: t.TempDir(), Encoder: dir, EncoderInBackground: true}, Logger: discard}
	k, err := OpenKnowledge(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	late, ok := k.Retriever.Semantic.(*lateSemantic)
	if !ok {
		t.Fatalf("semantic classifier is a %T, want one trained in the background", k.Retriever.Semantic)
	}
	// Turns are answered before and after the classifier is ready.
	turn := []string{"what is my balance"}
	if c, err := k.Retriever.Retrieve(context.Background(), turn, 3); err != nil || len(c) == 0 {
		t.Fatalf("while training: %d candidates, err %v", len(c), err)
	}
	if !eventually.True(2*time.Minute, func() bool { return late.c.Load() != nil }) {
		t.Fatal("the classifier was not ready after two minutes")
	}
	if p := late.PredictBatch(turn); len(p) != 1 || len(p[0]) == 0 {
		t.Fatalf("once ready: predictions %v", p)
	}
	if c, err := k.Retriever.Retrieve(context.Background(), turn, 3); err != nil || len(c) == 0 {
		t.Fatalf("once ready: %d candidates, err %v", len(c), err)
	}

	// A new data folder: the first one's index is still open.
	cfg.KB.Data, cfg.KB.Encoder = t.TempDir(), t.TempDir()
	if _, err := OpenKnowledge(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("encoder folder without a model: err %v, want one naming model.json", err)
	}
}

func TestEncoderClassifierIsCached(t *testing.T) {
	data := t.TempDir()
	var notices bytes.Buffer
	k, err := OpenKnowledge(context.Background(), Config{KB: KBConfig{Data: data, Encoder: encodertest.Dir(t)}, Logger: discard, Notices: &notices})
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if !strings.HasSuffix(k.Status(), "· encoder") || notices.Len() > 0 {
		t.Errorf("status %q, notices %q", k.Status(), notices.String())
	}
	if models, _ := filepath.Glob(filepath.Join(data, "cache", "kb-*", "semantic-*.model")); len(models) != 1 {
		t.Errorf("cached classifiers %v, want one", models)
	}
}

func TestNoEncoderIsSaidOnce(t *testing.T) {
	var notices bytes.Buffer
	k, err := OpenKnowledge(context.Background(), Config{KB: KBConfig{Data: t.TempDir()}, Logger: discard, Notices: &notices})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if k.HasEncoder() || !strings.HasSuffix(k.Status(), "· no encoder") {
		t.Errorf("status %q", k.Status())
	}
	if got := notices.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "make encoder") {
		t.Errorf("notices %q, want one line saying how to install the encoder", got)
	}
}

func TestMinedRepliesAreRanked(t *testing.T) {
	replies := filepath.Join(t.TempDir(), "replies.jsonl")
	line := `{"id":"reply-1","text":"Your checking account balance is {amount}.","count":9,"contexts":["what is my checking account balance","how much is in my checking account"]}`
	if err := os.WriteFile(replies, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k, err := OpenKnowledge(context.Background(), Config{KB: KBConfig{Data: t.TempDir(), Replies: replies}, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	r, err := k.Ranker().Rank(context.Background(), []assist.Turn{{Speaker: "customer", Text: "what is the balance of my checking account"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range r.Suggestions {
		found = found || (s.Source == "history" && s.ID == "reply-1")
	}
	if !found {
		t.Errorf("suggestions %+v, want the mined reply", r.Suggestions)
	}
}

func TestSearch(t *testing.T) {
	k, err := OpenKnowledge(context.Background(), Config{KB: KBConfig{Data: t.TempDir()}, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	cands, r, err := k.Search(context.Background(), "someone stole my wallet with my card", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 3 || cands[0].Article.ID != "card-lost-stolen" || r.Abstain || len(r.Suggestions) == 0 {
		t.Errorf("candidates %d (first %s), ranked %+v", len(cands), cands[0].Article.ID, r)
	}
	if _, r, err := k.Search(context.Background(), "yes, thanks", 3); err != nil || !r.Abstain {
		t.Errorf("small talk: %+v, %v; want an abstention", r, err)
	}
}

func TestTrainIntents(t *testing.T) {
	m, err := TrainIntents("", 0)
	if err != nil {
		t.Fatal(err)
	}
	sample, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Labels()) != len(sample) || m.Fingerprint == "" {
		t.Errorf("%d intents, fingerprint %q; want the sample's %d and its fingerprint", len(m.Labels()), m.Fingerprint, len(sample))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "only.md"), []byte("---\nid: only\ntitle: Only\nquestions: [hi]\nanswer: Hello.\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TrainIntents(dir, 0); err == nil || !strings.Contains(err.Error(), "fewer than two") {
		t.Errorf("one article: %v", err)
	}
}
