package engine

import (
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
)

func TestSubjectTokenEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"call-1_a": "call-1_a",
		"a.b":      "a~2Eb",
		"*":        "~2A",
		"x >":      "x~20~3E",
		"":         "~",
		"sgd-1#2":  "sgd-1~232",
	} {
		if got := SubjectToken(in); got != want {
			t.Errorf("SubjectToken(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EventSubject("", "a>", "a.b", event.KindFinal); got != "assist.call.~.a~3E.a~2Eb.utterance.final" {
		t.Errorf("Subject = %q", got)
	}
}
