package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
)

func TestReplayWithGuidance(t *testing.T) {
	out, _, err := execute(t, "replay", "--headless", "--speed", "0",
		"--rules", "../../assist/rules/testdata/center.yaml", "--profiles", "../../assist/rules/testdata/customers.json")
	if err != nil {
		t.Fatal(err)
	}
	offers, kinds := 0, map[string]bool{}
	for _, e := range decodeEvents(t, out) {
		switch p := e.Payload.(type) {
		case event.Recommendations:
			for _, r := range p.Recommendations {
				if r.Kind == "offer" && r.Reason != "" {
					offers++
				}
			}
		case event.Alert:
			if p.UtteranceID == "" {
				t.Errorf("alert %+v cites no utterance", p)
			}
			kinds[p.Type] = true
		}
	}
	if offers == 0 {
		t.Error("no personalised offer for the sample customers")
	}
	for _, k := range []string{"supervisor", "fraud", "vulnerable", "disclosure"} {
		if !kinds[k] {
			t.Errorf("no %s warning in the sample calls (got %v)", k, kinds)
		}
	}
}

func TestGuidanceFlagErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(bad, []byte("warnings:\n  - id: x\n    kind: nonsense\n    when: {phrases: [a]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A rules file whose every rule is bad still lets the replay run,
	// and the log names the file and line.
	_, logs, err := execute(t, "replay", "--headless", "--speed", "0", "--rules", bad)
	if err != nil || !strings.Contains(logs, "rules.yaml:3") {
		t.Errorf("bad rules: err %v, logs %q", err, logs)
	}
	if _, _, err := execute(t, "replay", "--headless", "--profiles", filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Error("a missing profiles file was accepted")
	}
}
