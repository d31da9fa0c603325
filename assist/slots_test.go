package assist

import "testing"

func TestDropGivenAsks(t *testing.T) {
	transfer := "Sure, I can move that for you now. Tell me the amount and which account it should come from and go to, and it will show in both accounts straight away."
	for _, c := range []struct {
		name, text, customer, want string
	}{
		{"all given", transfer, "can i move 1200 from savings into checking?",
			"Sure, I can move that for you now. It will show in both accounts straight away."},
		{"amount missing", transfer, "I want to move money from savings to checking",
			"Sure, I can move that for you now. Tell me the amount, and it will show in both accounts straight away."},
		{"account missing", transfer, "can you move five hundred dollars for me",
			"Sure, I can move that for you now. Tell me which account it should come from and go to, and it will show in both accounts straight away."},
		{"nothing given", transfer, "I need to move some money", transfer},
		{"asks for no slot", "Can you tell me what you see on your screen right now?", "I'm lost in the app on Friday",
			"Can you tell me what you see on your screen right now?"},
		{"sentence request", "Happy to. Tell me which day suits you. I'll book it.", "can I come in on Tuesday",
			"Happy to. I'll book it."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := dropGivenAsks(c.text, c.customer); got != c.want {
				t.Errorf("dropGivenAsks(%q)\n got %q\nwant %q", c.customer, got, c.want)
			}
		})
	}
}
