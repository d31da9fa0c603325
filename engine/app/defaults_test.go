package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultEncoderDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv("ASSIST_DATA", data)
	t.Setenv("ASSIST_ENCODER", "")
	os.Unsetenv("ASSIST_ENCODER")

	if got := DefaultEncoderDir(); got != "" {
		t.Errorf("nothing installed: encoder %q, want none", got)
	}
	installed := filepath.Join(data, "encoder")
	if err := os.MkdirAll(installed, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := DefaultEncoderDir(); got != "" {
		t.Errorf("folder without model.json: encoder %q, want none", got)
	}
	if err := os.WriteFile(filepath.Join(installed, "model.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := DefaultEncoderDir(); got != installed {
		t.Errorf("installed in the data folder: encoder %q, want %q", got, installed)
	}
	t.Setenv("ASSIST_ENCODER", "/elsewhere")
	if got := DefaultEncoderDir(); got != "/elsewhere" {
		t.Errorf("$ASSIST_ENCODER set: encoder %q, want /elsewhere", got)
	}
	t.Setenv("ASSIST_ENCODER", "")
	if got := DefaultEncoderDir(); got != "" {
		t.Errorf("$ASSIST_ENCODER empty: encoder %q, want it off", got)
	}
}

func TestMaxVoiceCallsFor(t *testing.T) {
	for _, tt := range []struct{ cores, want int }{
		{0, 1}, {1, 2}, {2, 4}, {3, 6}, {16, 32},
	} {
		if got := maxVoiceCallsFor(tt.cores); got != tt.want {
			t.Errorf("%d cores: %d voice calls, want %d", tt.cores, got, tt.want)
		}
	}
	if got := DefaultMaxVoiceCalls(); got < 1 {
		t.Errorf("DefaultMaxVoiceCalls() = %d", got)
	}
}
