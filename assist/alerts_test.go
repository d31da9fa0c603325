package assist

import "testing"

func TestAlertRules(t *testing.T) {
	v := embedded(t)
	type turn struct {
		speaker, text string
	}
	for _, tc := range []struct {
		name  string
		turns []turn
		want  []string // alert types raised over the turns
	}{
		{"supervisor", []turn{{"customer", "Let me speak to your supervisor."}}, []string{AlertSupervisor}},
		{"manager", []turn{{"customer", "I want a manager on the line now"}}, []string{AlertSupervisor}},
		{"churn", []turn{{"customer", "I'm going to close my account and take my business elsewhere"}}, []string{AlertChurn}},
		{"calm", []turn{{"customer", "I'd like to check my balance please"}}, nil},
		{"escalating", []turn{
			{"customer", "I was charged a fee I don't understand."},
			{"customer", "This is annoying, I never overdrew anything."},
			{"customer", "Honestly this is ridiculous and unfair."},
			{"customer", "This is outrageous, you people are useless and I'm furious!"},
		}, []string{AlertEscalation}},
		{"drop after agent", []turn{
			{"customer", "Great, thanks, that sounds good."},
			{"agent", "Unfortunately there is a thirty dollar fee for that."},
			{"customer", "What? That's terrible, I hate these fees."},
		}, []string{AlertDrop}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := (&Assistant{Sentiment: v}).NewCall()
			var got []Alert
			for _, tn := range tc.turns {
				an := c.Sentiment(tn.speaker, tn.text)
				if tn.speaker == "customer" {
					got = append(got, c.watch.observeCustomer(tn.text, an.Score, an.Rolling)...)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("alerts %+v, want types %v", got, tc.want)
			}
			for i := range got {
				if got[i].Type != tc.want[i] || got[i].Reason == "" || got[i].Severity == "" {
					t.Errorf("alert %d = %+v, want type %s with a reason", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAlertCooldown(t *testing.T) {
	var w watch
	s := Score{Polarity: 0}
	if n := len(w.observeCustomer("get me a supervisor", s, 0)); n != 1 {
		t.Fatalf("first request raised %d alerts", n)
	}
	if n := len(w.observeCustomer("I said get me a supervisor", s, 0)); n != 0 {
		t.Errorf("repeat within cooldown raised %d alerts", n)
	}
	for range alertCooldown {
		w.observeCustomer("ok", s, 0)
	}
	if n := len(w.observeCustomer("supervisor, please", s, 0)); n != 1 {
		t.Errorf("after cooldown raised %d alerts", n)
	}
}

func TestChurnPhrases(t *testing.T) {
	for _, text := range []string{
		"If this isn't fixed today I'm closing my accounts and moving everything to the credit union.",
		"I want to cancel my account",
		"I'm switching banks",
		"I'll take my business elsewhere",
	} {
		if !churnRe.MatchString(text) {
			t.Errorf("no churn match in %q", text)
		}
	}
	if churnRe.MatchString("Can you close the gap between the payments?") {
		t.Error("churn match on an unrelated sentence")
	}
}
