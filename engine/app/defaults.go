package app

import (
	"os"
	"path/filepath"
	"runtime"
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

// VoiceCallsPerCore is how many voice calls one core recognises with the
// embedded recognizer by default, the figure behind DefaultMaxVoiceCalls.
// Measured end to end with 'assist eval voice-load --sweep 1,2,3,4,5,6'
// on two cores while another job took about one of them: two-track
// Twilio calls (customer and agent taking turns), decoders warmed, kept
// up (no audio dropped, finals' lag p99 under 1.5 s) at 4 at a time (p99
// 0.73 s, 1.1 cores busy) and not at 5 (p99 1.9 s). A call alone needs
// 0.21–0.25 of a core (BenchmarkTwoTrackCallCost in engine/ingest).
// Update it when the recognizer's cost changes.
const VoiceCallsPerCore = 2

// DefaultMaxVoiceCalls is the default of 'assist serve --max-voice-calls':
// VoiceCallsPerCore for each core the process may use
// (runtime.GOMAXPROCS, which follows a container's CPU quota), rounded
// down, and at least one.
func DefaultMaxVoiceCalls() int { return maxVoiceCallsFor(runtime.GOMAXPROCS(0)) }

func maxVoiceCallsFor(cores int) int {
	return max(1, int(float64(cores)*VoiceCallsPerCore))
}
