package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
)

func TestDefaultEncoderDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv("ASSIST_DATA", data)
	t.Setenv("ASSIST_ENCODER", "")
	os.Unsetenv("ASSIST_ENCODER")

	if got := defaultEncoderDir(); got != "" {
		t.Errorf("nothing installed: encoder %q, want none", got)
	}
	installed := filepath.Join(data, "encoder")
	if err := os.MkdirAll(installed, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := defaultEncoderDir(); got != "" {
		t.Errorf("folder without model.json: encoder %q, want none", got)
	}
	if err := os.WriteFile(filepath.Join(installed, "model.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := defaultEncoderDir(); got != installed {
		t.Errorf("installed in the data folder: encoder %q, want %q", got, installed)
	}
	t.Setenv("ASSIST_ENCODER", "/elsewhere")
	if got := defaultEncoderDir(); got != "/elsewhere" {
		t.Errorf("$ASSIST_ENCODER set: encoder %q, want /elsewhere", got)
	}
	t.Setenv("ASSIST_ENCODER", "")
	if got := defaultEncoderDir(); got != "" {
		t.Errorf("$ASSIST_ENCODER empty: encoder %q, want it off", got)
	}
}

func TestEncoderInBackground(t *testing.T) {
	dir := encodertest.Dir(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := kbFlags{data: t.TempDir(), encoder: dir, encoderInBackground: true}
	k, err := f.open(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	late, ok := k.retriever.Semantic.(*lateSemantic)
	if !ok {
		t.Fatalf("semantic classifier is a %T, want one trained in the background", k.retriever.Semantic)
	}
	// Turns are answered before and after the classifier is ready.
	turn := []string{"what is my balance"}
	if c, err := k.retriever.Retrieve(context.Background(), turn, 3); err != nil || len(c) == 0 {
		t.Fatalf("while training: %d candidates, err %v", len(c), err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for late.c.Load() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the classifier was not ready after two minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if p := late.PredictBatch(turn); len(p) != 1 || len(p[0]) == 0 {
		t.Fatalf("once ready: predictions %v", p)
	}
	if c, err := k.retriever.Retrieve(context.Background(), turn, 3); err != nil || len(c) == 0 {
		t.Fatalf("once ready: %d candidates, err %v", len(c), err)
	}

	// A new data folder: the first one's index is still open.
	f.data, f.encoder = t.TempDir(), t.TempDir()
	if _, err := f.open(context.Background(), log); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("encoder folder without a model: err %v, want one naming model.json", err)
	}
}
