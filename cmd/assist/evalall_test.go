package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestEvalAllPrintsTheTable(t *testing.T) {
	data := t.TempDir()
	if err := os.Symlink(datasetstest.Sample(t, "abcd"), filepath.Join(data, "abcd_guidelines")); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "eval.json")
	out, stderr, err := execute(t, "eval", "all", "--data", data, "--only", "flows", "--json", report)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "| figure | command | value |" ||
		!strings.Contains(lines[2], "`assist eval flows --data DATA/abcd_guidelines/abcd_sample.json`") {
		t.Errorf("table:\n%s", out)
	}
	if !strings.Contains(stderr, "flows: 1 rows") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	data2, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(data2, &rows); err != nil || len(rows) != 1 || rows[0]["group"] != "flows" {
		t.Errorf("JSON report: %v\n%s", err, data2)
	}
}

func TestEvalAllFailsOnMissingData(t *testing.T) {
	out, _, err := execute(t, "eval", "all", "--data", t.TempDir(), "--only", "flows")
	if err == nil || !strings.Contains(err.Error(), "missing data") || out != "" {
		t.Errorf("error %v, stdout %q", err, out)
	}
	if code := run([]string{"eval", "all", "--only", "speech"}); code != exitUsage {
		t.Errorf("an unknown group: exit %d, want usage", code)
	}
}

func TestEvalIntentTuningSplit(t *testing.T) {
	clinc := datasetstest.Sample(t, "clinc150/train_val.json")
	out, stderr, err := execute(t, "eval", "intent", "--format", "clinc150", "--train", clinc, "--split", "tuning", "--oos-article=false", "--encoder", "")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rep := lastJSON(t, out)
	// The sample: 5 train rows of each of 150 intents, 20 oos_train.
	if rep["n"] != float64(150) || rep["n_oos"] != float64(20) || rep["articles"] != float64(150) {
		t.Errorf("n %v, n_oos %v, articles %v; want 150, 20, 150", rep["n"], rep["n_oos"], rep["articles"])
	}
	for _, args := range [][]string{
		{"eval", "intent", "--format", "clinc150", "--train", clinc, "--split", "tuning", "--test", clinc},
		{"eval", "intent", "--format", "clinc150", "--train", clinc, "--test", clinc, "--split", "dev"},
		{"eval", "intent", "--format", "banking77", "--train", clinc, "--split", "val"},
		{"eval", "intent", "--format", "banking77", "--train", clinc, "--oos-article=false"},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}
