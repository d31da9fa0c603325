package assist

import (
	"slices"
	"testing"
)

func TestPendingReply(t *testing.T) {
	lostCard := "I'm sorry to hear that. I've locked your card right now so no one can use it, and a replacement will arrive in 3–5 business days."
	actions := []string{"Verify the caller's identity", "Lock the card", "Order a replacement card", "Send the claim form"}
	for _, c := range []struct {
		name, text string
		history    []Turn
		want       string
		steps      []string
		actions    []string // nil for the lost-card article's
		done       []string // the checklist's steps done
	}{
		{"claim not done", lostCard, []Turn{{"customer", "I lost my card"}},
			"I'm sorry to hear that. I'll lock your card right now so no one can use it, and a replacement will arrive in 3–5 business days.",
			[]string{"Lock the card"}, nil, nil},
		{"agent said it", lostCard, []Turn{{"customer", "I lost my card"}, {"agent", "OK, your card is locked now."}},
			lostCard, nil, nil, nil},
		{"customer saying it does not count", lostCard, []Turn{{"customer", "is it locked?"}},
			"I'm sorry to hear that. I'll lock your card right now so no one can use it, and a replacement will arrive in 3–5 business days.",
			[]string{"Lock the card"}, nil, nil},
		{"checklist says it done", lostCard, []Turn{{"customer", "I lost my card"}},
			lostCard, nil, nil, []string{"lock the card"}},
		{"condition, not a claim", "Once I've verified you I'll change it right now.", nil,
			"Once I've verified you I'll change it right now.", nil, nil, nil},
		{"verb without an action", "I've noted that on your account.", nil,
			"I've noted that on your account.", nil, nil, nil},
		{"irregular verb", "I have just sent the claim form.", nil,
			"I'll send the claim form.", []string{"Send the claim form"}, nil, nil},
		{"doubled consonant", "I've stopped the payment.", nil,
			"I'll stop the payment.", []string{"Stop the payment"}, []string{"Stop the payment"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			acts := actions
			if c.actions != nil {
				acts = c.actions
			}
			got, steps := pendingReply(c.text, acts, c.history, c.done)
			if got != c.want || !slices.Equal(steps, c.steps) {
				t.Errorf("pendingReply(%q) = %q, %v; want %q, %v", c.text, got, steps, c.want, c.steps)
			}
		})
	}
}
