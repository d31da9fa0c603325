// Package transcript reads recorded or scripted calls for replay: the
// project's own JSONL call format and importers for public dialogue data
// sets (Schema-Guided Dialogue, Harper Valley Bank, ABCD).
//
// Readers are forgiving about lines and strict about files: a malformed or
// truncated line, an unknown speaker or an empty utterance is skipped with a
// Warning that names the file and line, and the rest of the call still
// replays; a missing, empty or unrecognisable file is an error.
package transcript

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Call is one conversation ready to replay.
type Call struct {
	ID       string
	Title    string
	Queue    string
	Agent    string
	Customer string
	// Channel is "voice" or "chat".
	Channel    string
	Utterances []Utterance
	// Actions are what the agent did in the system, not speech (ABCD's
	// action rows), in order.
	Actions []Action
}

// Action is a system action the agent took after the first After
// utterances of the call, such as "pull-up-account".
type Action struct {
	After int
	ID    string
}

// Utterance is one turn. Offset and Duration are seconds from the start of
// the call.
type Utterance struct {
	Offset   float64
	Duration float64
	// Speaker is "customer" or "agent".
	Speaker string
	Text    string
}

// End is when the utterance finishes, in seconds from the start of the call.
func (u Utterance) End() float64 { return u.Offset + u.Duration }

// Warning is a problem in one line that was skipped or repaired.
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Msg)
}

// MaxUtteranceBytes bounds one utterance's text. Longer text is cut at a
// rune boundary with a warning: nobody says a megabyte in one breath, and the
// models' cost grows with length.
const MaxUtteranceBytes = 16 << 10

// Speaking-rate model for data sets that record no timing: a turn lasts
// secondsPerWord per word (plus a floor), with a pause between turns.
const (
	secondsPerWord = 0.32
	minTurnSeconds = 0.8
	turnGapSeconds = 0.7
)

// estimateDuration guesses how long saying text takes.
func estimateDuration(text string) float64 {
	return max(minTurnSeconds, secondsPerWord*float64(len(strings.Fields(text))))
}

// normalizeSpeaker maps the role names data sets use onto customer or agent.
func normalizeSpeaker(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "customer", "caller", "user", "client":
		return "customer", true
	case "agent", "system", "assistant", "representative", "rep":
		return "agent", true
	}
	return "", false
}

// cleanText repairs invalid UTF-8, collapses whitespace and bounds length.
// It reports what it changed so the reader can warn. Escape sequences are
// left to the terminal layer, which strips them before drawing; the text
// stays as the customer wrote it for the models and the NDJSON output.
func cleanText(s string) (text string, problems []string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		problems = append(problems, "invalid UTF-8 replaced")
	}
	if len(s) > MaxUtteranceBytes {
		cut := MaxUtteranceBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		problems = append(problems, fmt.Sprintf("utterance of %d bytes cut to %d", len(s), cut))
		s = s[:cut]
	}
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	return s, problems
}
