package termtext

import "testing"

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "I was charged twice.", "I was charged twice."},
		{"osc 52 clipboard write", "\x1b]52;c;ZXZpbA==\x07hi", "hi"},
		{"osc 8 hyperlink", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"clear screen", "\x1b[2Jok", "ok"},
		{"colour", "\x1b[31mred\x1b[0m", "red"},
		{"dcs", "\x1bPq#0\x1b\\x", "x"},
		{"raw c1 csi is invalid utf-8", "\x9b31m", "\uFFFD31m"},
		{"encoded c1 csi", "\u009b31m", "31m"},
		{"carriage return", "a\rb", "ab"},
		{"backspace and bell", "a\bb\a", "ab"},
		{"tab and newline", "a\tb\nc", "a b c"},
		{"invalid utf-8", "ok\xffbad", "ok\uFFFDbad"},
		{"bidi override", "abc\u202Edef\u2066g\u2069", "abcdefg"},
		{"emoji and accents kept", "café 👍🏽", "café 👍🏽"},
		{"delete", "a\x7fb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
