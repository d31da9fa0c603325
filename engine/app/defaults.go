package app

import (
	"os"
	"path/filepath"
)

// DefaultEncoderDir is where the sentence encoder is looked for when
// none is configured: $ASSIST_ENCODER when set (empty turns it off),
// else the default data folder's encoder/ (make encoder installs it
// there), else .cache/use-lite of the checkout the binary was built in
// (make build puts the binary in bin/), whichever holds a model. It is on
// wherever it is installed because it is worth its cost: four points of
// in-scope accuracy on CLINC150 and two of top-1 on BANKING77, for a few
// milliseconds a turn and a first start that is cached.
func DefaultEncoderDir() string {
	if dir, ok := os.LookupEnv("ASSIST_ENCODER"); ok {
		return dir
	}
	var candidates []string
	if data := DefaultDataDir(); data != "" {
		candidates = append(candidates, filepath.Join(data, "encoder"))
	}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", ".cache", "use-lite"))
	}
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "model.json")); err == nil {
			return filepath.Clean(dir)
		}
	}
	return ""
}

// DefaultDataDir is the default data folder: $ASSIST_DATA, else the user's data folder.
func DefaultDataDir() string {
	if d := os.Getenv("ASSIST_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "assist")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "assist")
	}
	return ""
}
