package evalsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// sampleData lays the bundled data-set samples out as the whole sets are,
// for the groups that read ABCD, GoEmotions, TweetEval, FSDD and SGD. TweetEval's
// sentiment sample (6 tweets) is written twice over as val and as test, so
// that each has a held-out tenth; its emotion sample's train split stands
// in for test.
func sampleData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for from, to := range map[string]string{"abcd": abcdDir, "goemotions": "goemotions", "fsdd": fsddDir, "sgd": "sgd_banks_dialogues"} {
		if err := os.Symlink(datasetstest.Sample(t, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	tweets := filepath.Join(dir, tweetEvalDir)
	if err := os.MkdirAll(tweets, 0o755); err != nil {
		t.Fatal(err)
	}
	sample := datasetstest.Sample(t, "tweeteval/sentiment")
	if err := os.Symlink(filepath.Join(sample, "mapping.txt"), filepath.Join(tweets, "mapping.txt")); err != nil {
		t.Fatal(err)
	}
	for _, split := range []string{"val", "test"} {
		for _, kind := range []string{"_text.txt", "_labels.txt"} {
			data, err := os.ReadFile(filepath.Join(sample, "val"+kind))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tweets, split+kind), append(data, data...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	emotion := filepath.Join(dir, tweetEvalEmotionDir)
	if err := os.MkdirAll(emotion, 0o755); err != nil {
		t.Fatal(err)
	}
	esample := datasetstest.Sample(t, "tweeteval/emotion")
	for _, link := range [][2]string{
		{"mapping.txt", "mapping.txt"}, {"train_text.txt", "test_text.txt"}, {"train_labels.txt", "test_labels.txt"},
	} {
		if err := os.Symlink(filepath.Join(esample, link[0]), filepath.Join(emotion, link[1])); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunOnTheSamples(t *testing.T) {
	var progress bytes.Buffer
	data := sampleData(t)
	rows, err := Run(context.Background(), Options{
		Data: data, Groups: []string{"tweeteval", "gauges", "flows", "goemotions"}, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []string{"flows", "goemotions", "goemotions", "goemotions", "goemotions", "gauges", "gauges",
		"tweeteval", "tweeteval", "tweeteval", "tweeteval"}
	if len(rows) != len(wantGroups) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(wantGroups), rows)
	}
	for i, r := range rows {
		if r.Group != wantGroups[i] || r.Figure == "" || r.Value == "" || r.Figures == nil || !strings.HasPrefix(r.Command, "assist eval ") {
			t.Errorf("row %d: %+v", i, r)
		}
		if strings.Contains(r.Command, data) || strings.Contains(r.Command, os.TempDir()) {
			t.Errorf("row %d names the data folder, not DATA: %s", i, r.Command)
		}
		if !strings.Contains(progress.String(), r.Figure+": "+r.Value) {
			t.Errorf("row %d is not among the progress lines", i)
		}
	}
	if want := "assist eval flows --data DATA/abcd_guidelines/abcd_sample.json"; rows[0].Command != want {
		t.Errorf("flows command %q, want %q", rows[0].Command, want)
	}
	if !strings.Contains(rows[0].Value, "subflow accuracy 1.000") {
		t.Errorf("flows on the three ABCD sample chats: %s", rows[0].Value)
	}
	if want := " --baseline vader"; !strings.HasSuffix(rows[2].Command, want) || !strings.HasSuffix(rows[2].Figure, "VADER") {
		t.Errorf("the VADER row: %+v", rows[2])
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(md.String()), "\n"); len(lines) != len(rows)+2 {
		t.Errorf("%d table lines for %d rows:\n%s", len(lines), len(rows), md.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, rows); err != nil {
		t.Fatal(err)
	}
	var back []map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != len(rows) || back[1]["figures"] == nil {
		t.Errorf("JSON rows: %v\n%s", err, js.String())
	}
}

// TestContactCenterGroups runs the groups that read the repository's own
// contact-center set and the bundled sample calls.
func TestContactCenterGroups(t *testing.T) {
	rows, err := Run(context.Background(), Options{
		ContactSet: filepath.Join("..", "..", "assist", "eval", "contactcenter"), Groups: []string{"contactcenter", "alerts"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows, want 3 per half and 1 for the alerts: %+v", len(rows), rows)
	}
	last := rows[len(rows)-1]
	if last.Group != "alerts" || !strings.Contains(last.Value, "0 after a de-escalation") || !strings.Contains(last.Command, "--calls engine/samples/") {
		t.Errorf("alerts row: %+v", last)
	}
	if _, err := Run(context.Background(), Options{ContactSet: t.TempDir(), Groups: []string{"alerts"}}); err == nil || !strings.Contains(err.Error(), "repository root") {
		t.Errorf("alerts without the set: %v", err)
	}
}

func TestMissingDataFailsBeforeAnythingRuns(t *testing.T) {
	var progress bytes.Buffer
	rows, err := Run(context.Background(), Options{
		Data: t.TempDir(), SphinxData: t.TempDir(), Groups: []string{"flows", "digits"}, Progress: &progress,
	})
	if err == nil || len(rows) != 0 {
		t.Fatalf("rows %v, error %v; want an error and no rows", rows, err)
	}
	for _, want := range []string{"abcd_sample.json (group flows)", "dhd.2934z.raw (group digits; Debian package pocketsphinx-testdata)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if progress.Len() != 0 {
		t.Errorf("something ran: %s", progress.String())
	}
	_, err = Run(context.Background(), Options{Data: sampleData(t), Groups: []string{"flows", "replay"}})
	if err == nil || !strings.Contains(err.Error(), "make encoder") {
		t.Errorf("replay without the sentence encoder: %v", err)
	}
	if _, err := Run(context.Background(), Options{Groups: []string{"speech"}}); err == nil || !strings.Contains(err.Error(), "asr") {
		t.Errorf("an unknown group: %v", err)
	}
}

func TestGroupsRunQuickOnesFirst(t *testing.T) {
	got := strings.Join(Groups(), ",")
	want := "flows,steps,replies,goemotions,gauges,tweeteval,contactcenter,alerts,banking77,clinc150,clinc150-tuning,replay,asr,digits,fsdd,voice-load"
	if got != want {
		t.Errorf("groups %s, want %s", got, want)
	}
	if err := CheckGroups([]string{"fsdd", "asr"}); err != nil {
		t.Error(err)
	}
}

func TestWriteMarkdownEscapesPipes(t *testing.T) {
	var b bytes.Buffer
	err := WriteMarkdown(&b, []Row{
		{Figure: "a | b", Command: "assist eval x --format a|b", Note: "(note)", Value: "1 | 2"},
		{Figure: "c", Command: "assist y", Value: "3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "| figure | command | value |\n| --- | --- | --- |\n" +
		"| a \\| b | `assist eval x --format a\\|b` (note) | 1 \\| 2 |\n" +
		"| c | `assist y` | 3 |\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestFSDDSubsetByIndex(t *testing.T) {
	items, err := eval.FSDDItems(datasetstest.Sample(t, "fsdd"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := fsddSubset(items, fsddFirst, fsddLast)
	if err != nil || len(got) != 20 {
		t.Errorf("recordings %d–%d of the sample (all index 5): %d, %v", fsddFirst, fsddLast, len(got), err)
	}
	if _, err := fsddSubset(items, 6, 9); err == nil {
		t.Error("no recordings, no error")
	}
	if _, err := fsddSubset([]eval.ASRItem{{Path: "recordings/zero.wav"}}, 0, 9); err == nil {
		t.Error("a file name without an index was read")
	}
}

func TestIntentValues(t *testing.T) {
	in, recall := 0.954, 0.76
	r := eval.IntentReport{
		N: 1970, Top1: 0.9279, Top3: 0.98, ECE: 0.0181, P50US: 4620, P99US: 14210, TrainSeconds: 19.4,
		FullTextTop1: 0.805, FullTextTop3: 0.9358, Threshold: 0.4, InScopeAccuracy: &in, OOSRecall: &recall,
	}
	if got, want := intentValue(r), "top-1 0.928, top-3 0.980, ECE 0.018; p50 4.6 ms, p99 14 ms; trained in 19 s"; got != want {
		t.Errorf("intentValue %q, want %q", got, want)
	}
	if got, want := tuningValue(r), "top-1 0.928, top-3 0.980; at threshold 0.4: in-scope accuracy 0.954, out-of-scope recall 0.760"; got != want {
		t.Errorf("tuningValue %q, want %q", got, want)
	}
	other := r
	other.N, other.Top1, other.Top3, other.ECE = 2030, 0.91, 0.97, 0.02
	// (0.9279·1970 + 0.91·2030) / 4000
	if got, want := crossValue([]eval.IntentReport{r, other}), "top-1 0.919 (0.910–0.928), top-3 0.975 (0.970–0.980), ECE 0.019 (0.018–0.020)"; got != want {
		t.Errorf("crossValue %q, want %q", got, want)
	}
	if got, want := crossFullText([]eval.IntentReport{r, r}), "top-1 0.805, top-3 0.936"; got != want {
		t.Errorf("crossFullText %q, want %q", got, want)
	}
}

func TestFormats(t *testing.T) {
	for got, want := range map[string]string{
		count(3930): "3,930", count(10003): "10,003", count(249): "249", count(1234567): "1,234,567", count(-1200): "-1,200",
		us(67): "67 µs", us(4620): "4.6 ms", us(292): "292 µs", ms(0.186): "0.19 ms", ms(19.4): "19 ms",
		seconds(3.14): "3.1 s", seconds(33.6): "34 s",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

func TestReplayThreeTimes(t *testing.T) {
	calls, _, err := app.LoadCalls([]string{datasetstest.Sample(t, "sgd/sgd_banks_dialogues.jsonl")}, transcript.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	s := &suite{opts: Options{Progress: &progress}, start: time.Now()}
	sum, err := s.replay(context.Background(), "without the encoder", calls, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if sum.calls != 60 || sum.customer == 0 || sum.utterances <= sum.customer || sum.events <= sum.utterances || len(sum.runs) != replayRuns {
		t.Errorf("summary %+v", sum)
	}
	for _, run := range sum.runs {
		if run.UtterancesPerS <= 0 || run.P50MS <= 0 || run.P99MS < run.P50MS {
			t.Errorf("run %+v", run)
		}
	}
	if got := sum.String(); !strings.Contains(got, " utterances/s; utterance-to-suggestions p50 ") || !strings.Contains(got, "(runs: ") {
		t.Errorf("summary line %q", got)
	}
	if n := strings.Count(progress.String(), "replay without the encoder: replayed 60 calls"); n != replayRuns {
		t.Errorf("%d progress lines, want %d:\n%s", n, replayRuns, progress.String())
	}
}
