package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
	"github.com/larkspur-labs/assist/kb/intent"
)

func TestKBLint(t *testing.T) {
	out, _, err := execute(t, "kb", "lint", "../../kb/samples/larkspur")
	if err != nil || !strings.Contains(out, "no problems") {
		t.Errorf("bundled kb: %v\n%s", err, out)
	}
	out, _, err = execute(t, "kb", "lint", "../../kb/testdata/broken")
	if err == nil {
		t.Error("broken kb passed lint")
	}
	for _, want := range []string{"dup-b.md:3: duplicate id", "bad-yaml.md:6: bad YAML", "missing-answer.md:1: missing answer"} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if code := run([]string{"kb", "lint"}); code != exitUsage {
		t.Errorf("lint without DIR: exit %d", code)
	}
}

func TestKBSearch(t *testing.T) {
	out, _, err := execute(t, "kb", "search", "-k", "3", "someone stole my wallet with my card")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1. ") || !strings.Contains(out, "card-lost-stolen") || !strings.Contains(out, "suggestions:\n") {
		t.Errorf("search output:\n%s", out)
	}
	out, _, err = execute(t, "kb", "search", "\x1b[2J yes, thanks")
	if err != nil || !strings.Contains(out, "abstain") {
		t.Errorf("small talk: %v\n%s", err, out)
	}
}

func TestKBIndexBuildsThenReusesTheCache(t *testing.T) {
	data := t.TempDir()
	out, _, err := execute(t, "kb", "index", "--data", data, "../../kb/samples/larkspur")
	if err != nil || !strings.Contains(out, "cache built") || !strings.Contains(out, "intents 33") {
		t.Fatalf("first index: %v\n%s", err, out)
	}
	out, _, err = execute(t, "kb", "index", "--data", data, "../../kb/samples/larkspur")
	if err != nil || !strings.Contains(out, "cache up to date") {
		t.Errorf("second index: %v\n%s", err, out)
	}
	if _, _, err := execute(t, "kb", "index", "--data", data, "../../kb/testdata/broken"); err == nil {
		t.Error("a broken knowledge base indexed")
	}
}

func TestKBIndexTrainsTheEncoderClassifier(t *testing.T) {
	data := t.TempDir()
	out, _, err := execute(t, "kb", "index", "--data", data, "--encoder", encodertest.Dir(t), "../../kb/samples/larkspur")
	if err != nil || !strings.Contains(out, "· encoder") {
		t.Fatalf("index with the encoder: %v\n%s", err, out)
	}
	if models, _ := filepath.Glob(filepath.Join(data, "cache", "kb-*", "semantic-*.model")); len(models) != 1 {
		t.Errorf("cached classifiers %v, want one", models)
	}
}

func TestKBSearchWithMinedReplies(t *testing.T) {
	replies := filepath.Join(t.TempDir(), "replies.jsonl")
	line := `{"id":"reply-1","text":"Your checking account balance is {amount}.","count":9,"contexts":["what is my checking account balance","how much is in my checking account"]}`
	if err := os.WriteFile(replies, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := execute(t, "kb", "search", "--replies", replies, "what is the balance of my checking account")
	if err != nil || !strings.Contains(out, "history reply-1") {
		t.Errorf("search with replies: %v\n%s", err, out)
	}
}

func TestTrainIntents(t *testing.T) {
	model := filepath.Join(t.TempDir(), "intents.model")
	out, _, err := execute(t, "train", "intents", "--out", model)
	if err != nil || !strings.Contains(out, "33 intents") {
		t.Fatalf("train intents: %v\n%s", err, out)
	}
	if _, err := intent.Load(model); err != nil {
		t.Errorf("the written model does not load: %v", err)
	}
	if code := run([]string{"train", "intents"}); code != exitUsage {
		t.Errorf("train intents without --out: exit %d", code)
	}
}
