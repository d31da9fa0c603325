package eval

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clips.tsv")
	if err := os.WriteFile(path, []byte("# clips\n\na.wav\thello there\r\n/abs/b.wav\tbye\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := ReadManifest(path)
	want := []ASRItem{{Path: filepath.Join(dir, "a.wav"), Reference: "hello there"}, {Path: "/abs/b.wav", Reference: "bye"}}
	if err != nil || len(items) != 2 || items[0] != want[0] || items[1] != want[1] {
		t.Errorf("ReadManifest = %+v, %v", items, err)
	}
	for content, wantErr := range map[string]string{
		"a.wav hello\n": "clips.tsv:1: want a WAV path, a tab",
		"# only\n":      "clips.tsv: no entries",
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadManifest(path); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%q: error %v, want %q", content, err, wantErr)
		}
	}
}

func TestFSDDItemsSayTheDigit(t *testing.T) {
	items, err := FSDDItems(datasetstest.Sample(t, "fsdd"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 20 || items[0].Reference != "zero" || filepath.Base(items[0].Path) != "0_george_5.wav" || items[19].Reference != "nine" {
		t.Errorf("%d items: first %+v, last %+v", len(items), items[0], items[len(items)-1])
	}
}

// TestASROnSpokenDigits recognises two recordings of the FSDD sample at
// real-time pace (a second or so): the plumbing, not the accuracy.
func TestASROnSpokenDigits(t *testing.T) {
	rec := sphinxtest.Recognizer(t)
	items, err := FSDDItems(datasetstest.Sample(t, "fsdd"))
	if err != nil {
		t.Fatal(err)
	}
	items = items[:2]
	var files []ASRFile
	rep, err := ASR(context.Background(), rec, items, func(f ASRFile) { files = append(files, f) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 2 || len(files) != 2 || rep.AudioS <= 0 || rep.RTF <= 0 || rep.Recognizer != rec.Name() || files[0].Words != 1 {
		t.Errorf("report %+v, files %+v", rep, files)
	}
	// The sample's first two recordings: george and jackson saying "zero".
	if len(rep.Speakers) != 2 || rep.Speakers[0].Speaker != "george" || rep.Speakers[1].N != 1 || files[1].Speaker != "jackson" {
		t.Errorf("speakers %+v", rep.Speakers)
	}
	t.Logf("%+v %+v", rep, files)
}

func TestBySpeakerCountsEmptyResults(t *testing.T) {
	files := []ASRFile{
		{Speaker: "theo", Text: "", Edits: 1, Words: 1},
		{Speaker: "lucas", Text: "two", Edits: 0, Words: 1},
		{Speaker: "theo", Text: " , ", Edits: 1, Words: 1},
		{Speaker: "theo", Text: "oh nine", Edits: 1, Words: 1},
		{Text: "a manifest file names no speaker", Edits: 3, Words: 2},
	}
	want := []ASRSpeaker{
		{Speaker: "theo", N: 3, Empty: 2, WER: 1, Edits: 3, Words: 3},
		{Speaker: "lucas", N: 1, WER: 0, Words: 1},
	}
	if got := BySpeaker(files); !slices.Equal(got, want) {
		t.Errorf("BySpeaker = %+v, want %+v", got, want)
	}
	if BySpeaker(files[4:]) != nil {
		t.Error("files without speakers gave a breakdown")
	}
}

func TestSphinxTranscriptionItems(t *testing.T) {
	dir := t.TempDir()
	text := "<s> he was not an ill disposed young man </s> (clip-0880)\n<s> five five </s> (004)\n"
	if err := os.WriteFile(filepath.Join(dir, "transcription"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := SphinxTranscriptionItems(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []ASRItem{
		{Path: filepath.Join(dir, "clip-0880.wav"), Reference: "he was not an ill disposed young man"},
		{Path: filepath.Join(dir, "004.wav"), Reference: "five five"},
	}
	if len(items) != 2 || items[0] != want[0] || items[1] != want[1] {
		t.Errorf("items %+v, want %+v", items, want)
	}
	if _, err := SphinxTranscriptionItems(t.TempDir()); err == nil {
		t.Error("a folder without a transcription file gave items")
	}
}

func TestTelephoneIsEightKilohertzMulaw(t *testing.T) {
	jfk := datasetstest.Sample(t, "speech_jfk/jfk.wav")
	wide, err := audio.LoadWAV(jfk)
	if err != nil {
		t.Fatal(err)
	}
	items, err := Telephone([]ASRItem{{Path: jfk, Reference: "ask not"}})
	if err != nil {
		t.Fatal(err)
	}
	c := items[0].Clip
	if c == nil || c.Rate != TelephoneRate || len(c.Channels) != 1 || items[0].Path != jfk || items[0].Reference != "ask not" {
		t.Fatalf("telephone item %+v", items[0])
	}
	if d := c.Duration() - wide.Duration(); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("duration %s, want %s", c.Duration(), wide.Duration())
	}
	for i, s := range c.Channels[0] {
		if audio.MulawDecode(audio.MulawEncode(s)) != s {
			t.Fatalf("sample %d (%d) is not a μ-law level", i, s)
		}
	}
	// A converted item is not converted again from its Path.
	again, err := Telephone(items)
	if err != nil || len(again[0].Clip.Channels[0]) != len(c.Channels[0]) {
		t.Errorf("converting twice: %v", err)
	}
}
