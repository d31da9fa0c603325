package event

import "testing"

func TestSubjectTokenEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"call-1_a": "call-1_a",
		"a.b":      "a~2Eb",
		"*":        "~2A",
		"x >":      "x~20~3E",
		"":         "~",
		"sgd-1#2":  "sgd-1~232",
		"a.b c":    "a~2Eb~20c",
	} {
		if got := SubjectToken(in); got != want {
			t.Errorf("SubjectToken(%q) = %q, want %q", in, got, want)
		}
	}
}
