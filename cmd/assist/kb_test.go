package main

import (
	"path/filepath"
	"strings"
	"testing"

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
	if err != nil || !strings.Contains(out, "cache built") || !strings.Contains(out, "intents 35") {
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

func TestTrainIntents(t *testing.T) {
	model := filepath.Join(t.TempDir(), "intents.model")
	out, _, err := execute(t, "train", "intents", "--out", model)
	if err != nil || !strings.Contains(out, "35 intents") {
		t.Fatalf("train intents: %v\n%s", err, out)
	}
	if _, err := intent.Load(model); err != nil {
		t.Errorf("the written model does not load: %v", err)
	}
	if code := run([]string{"train", "intents"}); code != exitUsage {
		t.Errorf("train intents without --out: exit %d", code)
	}
}
