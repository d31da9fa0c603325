package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clips.tsv")
	if err := os.WriteFile(path, []byte("# clips\n\na.wav\thello there\r\n/abs/b.wav\tbye\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := ReadManifest(path)
	want := []ASRItem{{filepath.Join(dir, "a.wav"), "hello there"}, {"/abs/b.wav", "bye"}}
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
	rec, err := sphinx.New(sphinx.DefaultConfig())
	if err != nil {
		t.Skipf("PocketSphinx unavailable: %v", err)
	}
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
	t.Logf("%+v %+v", rep, files)
}
