package engine

import (
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
)

func TestEventSubjectEscapesItsTokens(t *testing.T) {
	if got := EventSubject("", "a>", "a.b", event.KindFinal); got != "assist.call.~.a~3E.a~2Eb.utterance.final" {
		t.Errorf("Subject = %q", got)
	}
}
