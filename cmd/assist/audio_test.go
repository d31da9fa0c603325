package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestTranscribe(t *testing.T) {
	sphinxtest.Recognizer(t)
	out, _, err := execute(t, "transcribe", datasetstest.Sample(t, "speech_jfk/jfk.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "your country") || !strings.Contains(out, "00:05.") {
		t.Errorf("transcribe output:\n%s", out)
	}
	out, _, err = execute(t, "transcribe", "--json", sphinxtest.LibriVoxClip("0880"))
	if err != nil || !strings.Contains(out, `"start_ms":`) || !strings.Contains(out, `"channel":0`) {
		t.Errorf("--json: %v\n%s", err, out)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "short.wav")
	os.WriteFile(bad, []byte("RIFF\x24\x00\x00\x00WAVEfmt "), 0o644)
	if _, _, err := execute(t, "transcribe", bad); err == nil || !strings.Contains(err.Error(), "WAV") {
		t.Errorf("truncated WAV: %v", err)
	}
}

func TestEvalASR(t *testing.T) {
	sphinxtest.Recognizer(t)
	manifest := filepath.Join(t.TempDir(), "clips.tsv")
	os.WriteFile(manifest, []byte("# one LibriVox clip\n"+sphinxtest.LibriVoxClip("0880")+"\the was not an ill disposed young man\n"), 0o644)
	out, stderr, err := execute(t, "eval", "asr", "--manifest", manifest)
	if err != nil {
		t.Fatal(err)
	}
	rep := lastJSON(t, out)
	if rep["n"] != float64(1) || rep["recognizer"] != "pocketsphinx" {
		t.Errorf("report %v", rep)
	}
	if wer, ok := rep["wer"].(float64); !ok || wer > 0.5 {
		t.Errorf("wer %v on a clear read sentence:\n%s", rep["wer"], stderr)
	}
	for _, key := range []string{"audio_s", "rtf", "finalize_ms_p50"} {
		if v, ok := rep[key].(float64); !ok || v <= 0 {
			t.Errorf("%s = %v", key, rep[key])
		}
	}
	os.WriteFile(manifest, []byte("no tab on this line\n"), 0o644)
	if _, _, err := execute(t, "eval", "asr", "--manifest", manifest); err == nil {
		t.Error("a manifest line without a tab was accepted")
	}
}

func TestListen(t *testing.T) {
	out, _, err := execute(t, "listen", "--list-devices")
	switch {
	case errors.Is(err, audio.ErrNoCgo):
	case err != nil:
		t.Fatalf("--list-devices: %v", err)
	case !strings.Contains(out, "no audio input devices") && !strings.Contains(out, " ch, "):
		t.Errorf("--list-devices printed %q", out)
	}
	if _, _, err := execute(t, "listen"); err == nil || !strings.Contains(err.Error(), "terminal") {
		t.Errorf("listen without a terminal: %v", err)
	}
	for _, args := range [][]string{{"listen", "--channels", "3"}, {"listen", "--customer-channel", "1"}} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestTranscribeRawPCMFromStdin(t *testing.T) {
	sphinxtest.Recognizer(t)
	clip, err := audio.LoadWAV(sphinxtest.LibriVoxClip("0880"))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	binary.Write(&raw, binary.LittleEndian, clip.Channels[0])
	var out, errOut bytes.Buffer
	root := newRootCmd(&raw, &out, &errOut)
	root.SetArgs([]string{"transcribe", "--rate", fmt.Sprint(clip.Rate), "-"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "young man") {
		t.Errorf("raw PCM transcript: %q", out.String())
	}
}
