package replies

import (
	"testing"
)

func TestIsOnlyPleasantries(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"Have a great day!", true},
		{"My pleasure. Have a wonderful day.", true},
		{"Thank you, and have a nice evening.", true},
		{"thank you for calling have a great day", true},
		{"You're welcome, goodbye!", true},
		{"Good morning, this is {name}.", true},
		{"Okay, enjoy the rest of your day", true},
		{"Is there anything else I can help you with?", false},
		{"Have a great day, your card is on its way.", false},
		{"Thank you for your patience, the transfer went through.", false},
		{"How can I help you today?", false},
	} {
		if got := isOnlyPleasantries(tt.text); got != tt.want {
			t.Errorf("isOnlyPleasantries(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
