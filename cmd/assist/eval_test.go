package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/evalsuite"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// intentRows are three small intents, each worded a few ways.
var intentRows = map[string][]string{
	"card_arrival": {"my card has not arrived", "when will my card arrive", "still waiting for my new card",
		"card not delivered yet", "where is the card you sent", "has my card been posted"},
	"change_pin": {"how do I change my pin", "I want a new pin", "reset the pin of my card",
		"update my pin code", "can I pick a different pin", "change pin number"},
	"balance": {"what is my balance", "how much money do I have", "check my account balance",
		"tell me my current balance", "show my balance", "how much is left in my account"},
}

func TestEvalIntentBanking77(t *testing.T) {
	var b strings.Builder
	b.WriteString("text,category\n")
	for label, texts := range intentRows {
		for _, text := range texts {
			fmt.Fprintf(&b, "%q,%s\n", text, label)
		}
	}
	path := filepath.Join(t.TempDir(), "train.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := execute(t, "eval", "intent", "--format", "banking77", "--train", path, "--holdout", "3")
	if err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out)
	for _, key := range []string{"top1", "top3", "n", "p50_us", "p99_us", "fulltext_top1"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("report lacks %q: %s", key, out)
		}
	}
	if rep["n"] != float64(6) || rep["top3"] != float64(1) {
		t.Errorf("n %v top3 %v, want 6 held-out queries all in the top 3", rep["n"], rep["top3"])
	}
	if _, ok := rep["oos_recall"]; ok {
		t.Error("banking77 has no out-of-scope queries, yet oos_recall is reported")
	}
}

func TestEvalIntentCLINC150(t *testing.T) {
	split := func(from, to int) [][2]string {
		var out [][2]string
		for label, texts := range intentRows {
			for _, text := range texts[from:to] {
				out = append(out, [2]string{text, label})
			}
		}
		return out
	}
	data, _ := json.Marshal(map[string]any{
		"train":     split(0, 4),
		"val":       split(4, 6),
		"oos_val":   [][2]string{{"what is the capital of peru", "oos"}, {"play some jazz", "oos"}},
		"oos_train": [][2]string{{"tell me a joke", "oos"}},
	})
	path := filepath.Join(t.TempDir(), "clinc.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := execute(t, "eval", "intent", "--format", "clinc150", "--train", path, "--test", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "testing on val and oos_val") {
		t.Errorf("no note that val stands in for test:\n%s", stderr)
	}
	rep := lastJSON(t, out)
	if rep["n"] != float64(6) || rep["n_oos"] != float64(2) {
		t.Errorf("n %v, n_oos %v", rep["n"], rep["n_oos"])
	}
	if rep["articles"] != float64(4) {
		t.Errorf("%v articles, want three intents and one out-of-scope article from oos_train", rep["articles"])
	}
	for _, key := range []string{"in_scope_accuracy", "oos_recall"} {
		if v, ok := rep[key].(float64); !ok || v < 0 || v > 1 {
			t.Errorf("%s = %v", key, rep[key])
		}
	}
}

func TestEvalIntentBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("utterance,label\nhi,x\n"), 0o644)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"train": [["only text"]]}`), 0o644)
	for _, args := range [][]string{
		{"eval", "intent", "--format", "banking77", "--train", bad},
		{"eval", "intent", "--format", "banking77", "--train", filepath.Join(dir, "missing.csv")},
		{"eval", "intent", "--format", "clinc150", "--train", broken, "--test", broken},
	} {
		if _, _, err := execute(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	for _, args := range [][]string{
		{"eval", "intent", "--train", bad},
		{"eval", "intent", "--format", "snips", "--train", bad},
		{"eval", "intent", "--format", "clinc150", "--train", broken},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rep map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out)
	}
	return rep
}

// goEmotionsDir writes a tiny GoEmotions-format folder.
func goEmotionsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"labels.txt":          "joy\nanger\nsurprise\nneutral\n",
		"sentiment_dict.json": `{"positive": ["joy"], "negative": ["anger"], "ambiguous": ["surprise"]}`,
		"train.tsv": strings.Repeat("I love this, thank you so much\t0\ta\nThis is awful and I am furious\t1\tb\n"+
			"The meeting is at noon\t3\tc\nWow really\t2\td\nGreat job, happy with it\t0\te\n"+
			"You ruined everything, I hate it\t1\tf\nIt is a table\t3\tg\nwhat\t0,1\th\n", 4),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTrainAndEvalSentiment(t *testing.T) {
	data := goEmotionsDir(t)
	models := filepath.Join(t.TempDir(), "models")
	out, _, err := execute(t, "train", "emotion", "--data", data, "--out", models, "--hold-out", "3")
	if err != nil || !strings.Contains(out, "trained on 32 rows") {
		t.Fatalf("train emotion: %v\n%s", err, out)
	}
	test := filepath.Join(data, "train.tsv")
	out, stderr, err := execute(t, "eval", "sentiment", "--format", "goemotions", "--test", test, "--models", models)
	if err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out)
	if rep["n"] != float64(24) || !strings.Contains(stderr, "8 dropped") {
		t.Errorf("n = %v (stderr %q): want 24 rows kept, the ambiguous and mixed ones dropped", rep["n"], stderr)
	}
	for _, key := range []string{"accuracy", "macro_f1", "per_utt_us"} {
		if v, ok := rep[key].(float64); !ok || v < 0 {
			t.Errorf("%s = %v", key, rep[key])
		}
	}
	out, _, err = execute(t, "eval", "sentiment", "--format", "goemotions", "--test", test, "--baseline", "vader")
	if err != nil || lastJSON(t, out)["model"] != "vader" {
		t.Errorf("vader baseline: %v\n%s", err, out)
	}
	out, _, err = execute(t, "eval", "sentiment", "--format", "goemotions", "--test", test, "--held-out", "--hold-out", "3", "--models", models)
	if err != nil || lastJSON(t, out)["n"] != float64(8) {
		t.Errorf("held-out rows: %v\n%s", err, out)
	}
}

func TestEvalSentimentAirlineAndBadInput(t *testing.T) {
	dir := t.TempDir()
	air := filepath.Join(dir, "Tweets.csv")
	os.WriteFile(air, []byte("tweet_id,airline_sentiment,airline,text\n"+
		"1,negative,United,\"@united lost my bag, furious\"\n2,positive,Delta,@delta thank you so much!\n3,neutral,Delta,@delta what time is boarding\n"), 0o644)
	out, _, err := execute(t, "eval", "sentiment", "--format", "airline", "--test", air)
	if err != nil || lastJSON(t, out)["n"] != float64(3) {
		t.Errorf("airline: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,text\n1,hi\n"), 0o644)
	if _, _, err := execute(t, "eval", "sentiment", "--format", "airline", "--test", bad); err == nil {
		t.Error("a CSV without airline_sentiment was accepted")
	}
	for _, args := range [][]string{
		{"eval", "sentiment", "--format", "airline"},
		{"eval", "sentiment", "--format", "imdb", "--test", air},
		{"eval", "sentiment", "--format", "airline", "--test", air, "--baseline", "textblob"},
		{"eval", "sentiment", "--format", "airline", "--test", air, "--held-out"},
		{"eval", "sentiment", "--format", "airline", "--test", air, "--split", "test"},
		{"eval", "sentiment", "--format", "tweeteval", "--test", dir, "--split", "dev"},
		{"train", "emotion", "--data", dir},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestEvalSentimentTweetEval(t *testing.T) {
	dir := datasetstest.Sample(t, "tweeteval/sentiment")
	out, stderr, err := execute(t, "eval", "sentiment", "--format", "tweeteval", "--test", dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep := lastJSON(t, out); rep["n"] != float64(6) || rep["model"] != "emotion-svm" || !strings.Contains(stderr, "on 6 texts (0 dropped") {
		t.Errorf("val split: %v\n%s", rep, stderr)
	}
	if _, _, err := execute(t, "eval", "sentiment", "--format", "tweeteval", "--test", dir, "--split", "train"); err == nil || !strings.Contains(err.Error(), "train_text.txt") {
		t.Errorf("a split the folder lacks: %v", err)
	}
	out, _, err = execute(t, "eval", "sentiment", "--format", "tweeteval", "--test", datasetstest.Sample(t, "tweeteval/emotion"), "--split", "train", "--gauges")
	if err != nil {
		t.Fatal(err)
	}
	if rep := lastJSON(t, out); rep["n"] != float64(4) || rep["f1"] == nil {
		t.Errorf("emotion gauges: %v", rep)
	}
}

// The contact-center set and its calls are in the repository.
var (
	contactTurns  = filepath.Join("..", "..", "assist", "eval", "contactcenter", "turns.jsonl")
	contactCalls  = filepath.Join("..", "..", "assist", "eval", "contactcenter", "calls.jsonl")
	contactAlerts = filepath.Join("..", "..", "assist", "eval", "contactcenter", "alerts.jsonl")
)

func TestEvalSentimentContactCenter(t *testing.T) {
	for _, tc := range []struct {
		args []string
		n    float64
	}{
		{[]string{"--split", "dev"}, 194},
		{[]string{"--split", "test", "--gauges"}, 197},
		{nil, 391},
		{[]string{"--split", "test", "--no-context"}, 197},
	} {
		out, _, err := execute(t, append([]string{"eval", "sentiment", "--format", "contactcenter", "--test", contactTurns}, tc.args...)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if rep := lastJSON(t, out); rep["n"] != tc.n {
			t.Errorf("%v: %v, want %v turns", tc.args, rep, tc.n)
		}
	}
	for _, args := range [][]string{
		{"--split", "val"},
		{"--held-out"},
		{"--gauges", "--baseline", "vader"},
	} {
		if code := run(append([]string{"eval", "sentiment", "--format", "contactcenter", "--test", contactTurns}, args...)); code != exitUsage && code != 1 {
			t.Errorf("%v: exit %d, want an error", args, code)
		}
	}
}

func TestEvalAlerts(t *testing.T) {
	out, _, err := execute(t, "eval", "alerts", "--calls", contactCalls, "--calls", filepath.Join("..", "..", "engine", "samples", "angry-overdraft-fees.jsonl"),
		"--calls", filepath.Join("..", "..", "engine", "samples", "lost-card-happy.jsonl"),
		"--calls", filepath.Join("..", "..", "engine", "samples", "elderly-app-login.jsonl"),
		"--calls", filepath.Join("..", "..", "engine", "samples", "chat-balance-transfer.jsonl"), "--expect", contactAlerts)
	if err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out)
	if rep["calls"] != float64(12) || rep["expected"] == float64(0) || rep["after_deescalation"] != float64(0) {
		t.Errorf("report %v", rep)
	}
	if code := run([]string{"eval", "alerts", "--calls", contactCalls}); code != exitUsage {
		t.Errorf("no --expect: exit %d, want usage", code)
	}
	// A call without a line in the expectations is an error, not a pass.
	other := filepath.Join(t.TempDir(), "other.jsonl")
	if err := os.WriteFile(other, []byte(`{"call_id":"other","alerts":[]}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := execute(t, "eval", "alerts", "--calls", contactCalls, "--expect", other); err == nil {
		t.Error("calls without expectations passed")
	}
}

func TestEvalASRFlags(t *testing.T) {
	var got *evalsuite.ASROptions
	cmd := newEvalASRCmd(streams{}, func(_ context.Context, o *evalsuite.ASROptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--fsdd", "digits", "--digits"})
	if err := cmd.Execute(); err != nil || got.FSDD != "digits" || got.Manifest != "" || !got.ASR.Digits {
		t.Fatalf("--fsdd: %v %+v", err, got)
	}
	for _, args := range [][]string{
		{"eval", "asr"},
		{"eval", "asr", "--manifest", "clips.tsv", "--fsdd", "digits"},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
	if _, _, err := execute(t, "eval", "asr", "--fsdd", t.TempDir()); err == nil || !strings.Contains(err.Error(), "references.tsv") {
		t.Errorf("a folder without references.tsv: %v", err)
	}
}

func TestEvalVoiceLoadFlags(t *testing.T) {
	var got *evalsuite.VoiceLoadOptions
	cmd := newEvalVoiceLoadCmd(streams{}, func(_ context.Context, o *evalsuite.VoiceLoadOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || got.Calls != 100 || got.Concurrent != 8 || got.Warm != 0 || got.Sweep != nil || got.WAVs != nil {
		t.Fatalf("defaults: %v %+v, want 100 calls 8 at a time", err, got)
	}
	cmd = newEvalVoiceLoadCmd(streams{}, func(_ context.Context, o *evalsuite.VoiceLoadOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--sweep", "2,4,8", "--wav", "a.wav", "--wav", "b.wav", "--warm", "-1"})
	if err := cmd.Execute(); err != nil || !slices.Equal(got.Sweep, []int{2, 4, 8}) || !slices.Equal(got.WAVs, []string{"a.wav", "b.wav"}) || got.Warm != -1 {
		t.Fatalf("--sweep --wav --warm: %v %+v", err, got)
	}
	for _, args := range [][]string{
		{"eval", "voice-load", "--calls", "0"},
		{"eval", "voice-load", "--concurrent", "0"},
		{"eval", "voice-load", "--sweep", "4,2"},
		{"eval", "voice-load", "--sweep", "0,2"},
		{"eval", "voice-load", "--wav", "only.wav"},
		{"eval", "voice-load", "extra"},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}
