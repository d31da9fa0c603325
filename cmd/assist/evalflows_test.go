package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/evalsuite"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/stats"
)

func TestEvalFlowsFlags(t *testing.T) {
	var got *evalsuite.FlowsOptions
	cmd := newEvalFlowsCmd(streams{}, func(_ context.Context, o *evalsuite.FlowsOptions) error { got = o; return nil })
	dir := t.TempDir()
	data := filepath.Join(dir, "chats.json")
	cmd.SetArgs([]string{"--data", data})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Guidelines != defaultGuidelines {
		t.Errorf("guidelines %q, want the default without guidelines.json beside --data", got.Guidelines)
	}
	if err := os.WriteFile(filepath.Join(dir, "guidelines.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = newEvalFlowsCmd(streams{}, func(_ context.Context, o *evalsuite.FlowsOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--data", data})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Guidelines != dir {
		t.Errorf("guidelines %q, want the folder of --data %q", got.Guidelines, dir)
	}
	cmd = newEvalFlowsCmd(streams{}, func(context.Context, *evalsuite.FlowsOptions) error { return nil })
	cmd.SetArgs(nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("no --data: error %v", err)
	}
}

func TestEvalFlowsBadData(t *testing.T) {
	abcdSample := datasetstest.Sample(t, "abcd/abcd_sample.json")
	bad := filepath.Join(t.TempDir(), "chats.json")
	if err := os.WriteFile(bad, []byte(`[{"convo_id": 1, "scenario": {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := execute(t, "eval", "flows", "--data", bad, "--guidelines", filepath.Dir(abcdSample))
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken data file: error %v, want one naming the file", err)
	}
}

func TestEvalFlowsSample(t *testing.T) {
	out, _, err := execute(t, "eval", "flows", "--data", datasetstest.Sample(t, "abcd/abcd_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out)
	for _, key := range []string{"n", "flow_accuracy", "subflow_accuracy", "turns_to_correct_subflow_median",
		"never_correct", "next_action_accuracy", "next_action_n", "observe_us"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("report lacks %q: %s", key, out)
		}
	}
	for _, key := range []string{"flow_accuracy", "subflow_accuracy", "next_action_accuracy"} {
		if v := rep[key].(float64); v < 0 || v > 1 {
			t.Errorf("%s = %v, not in [0, 1]", key, v)
		}
	}
	// The table: a header, one row per chat, then the JSON line.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	rows := lines[1 : len(lines)-1]
	if rep["n"] != float64(len(rows)) || len(rows) != 3 {
		t.Fatalf("n %v, table rows %d, want 3:\n%s", rep["n"], len(rows), out)
	}
	var subOK, hits, actions int
	var turns []float64
	for _, row := range rows {
		f := strings.Fields(row)
		if len(f) != 8 {
			t.Fatalf("row %q: want 8 columns", row)
		}
		if f[4] == "true" {
			subOK++
		}
		ttc, _ := strconv.Atoi(f[5])
		utt, _ := strconv.Atoi(f[6])
		if ttc < 0 || ttc > utt {
			t.Errorf("row %q: turns to correct %d outside [0, %d]", row, ttc, utt)
		}
		turns = append(turns, float64(ttc))
		h, n, _ := strings.Cut(f[7], "/")
		hi, _ := strconv.Atoi(h)
		ni, _ := strconv.Atoi(n)
		hits, actions = hits+hi, actions+ni
	}
	if want := float64(subOK) / 3; math.Abs(rep["subflow_accuracy"].(float64)-want) > 1e-3 {
		t.Errorf("subflow_accuracy %v, table says %v", rep["subflow_accuracy"], want)
	}
	if rep["next_action_n"] != float64(actions) || actions == 0 {
		t.Errorf("next_action_n %v, table says %d", rep["next_action_n"], actions)
	}
	if want := float64(hits) / float64(actions); math.Abs(rep["next_action_accuracy"].(float64)-want) > 1e-3 {
		t.Errorf("next_action_accuracy %v, table says %v", rep["next_action_accuracy"], want)
	}
	if got, want := rep["turns_to_correct_subflow_median"], stats.Median(turns); got != want {
		t.Errorf("median %v, table says %v", got, want)
	}
	// The tracker gets all three sample chats right by their end.
	if rep["subflow_accuracy"] != float64(1) || rep["flow_accuracy"] != float64(1) {
		t.Errorf("accuracy fell: %s", lines[len(lines)-1])
	}
}

func TestEvalFlowsBundledFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" for no error
	}{
		{[]string{"--bundled"}, ""},
		{[]string{"--bundled", "--steps", "s.json", "--calls", "c.jsonl"}, ""},
		{[]string{"--bundled", "--steps", "s.json"}, "--steps and --calls go together"},
		{[]string{"--bundled", "--data", "x.json"}, "leave out --data"},
		{[]string{"--data", "x.json", "--steps", "s.json", "--calls", "c.jsonl"}, "go with --bundled"},
	} {
		var got *evalsuite.FlowsOptions
		cmd := newEvalFlowsCmd(streams{}, func(_ context.Context, o *evalsuite.FlowsOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.Execute()
		switch {
		case tc.want == "" && (err != nil || got == nil || !got.Bundled):
			t.Errorf("%v: error %v, options %+v", tc.args, err, got)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
