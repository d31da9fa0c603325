package main

import (
	"strings"
	"testing"
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
