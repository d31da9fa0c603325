package assist

import (
	"strings"
	"testing"
)

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
		{"furious from the start", []turn{
			{"customer", "This is absolutely unacceptable, you charged me twice!"},
			{"customer", "I've been on hold for forty minutes. This is a joke."},
			{"customer", "Why does nobody at this bank ever fix anything? I'm sick of this."},
		}, []string{AlertEscalation}},
		{"an upset customer escalates, no drop", []turn{
			{"customer", "This is absolutely unacceptable, you charged me twice!"},
			{"agent", "Let me look."},
			{"customer", "I still can't believe this happened."},
			{"agent", "I see the charges."},
			{"customer", "Then why haven't you fixed it? This is a disgrace, I'm furious."},
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
					got = append(got, c.watch.observeCustomer(tn.text, an.Score, an.Rolling, an.Cues)...)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("alerts %+v, want types %v", got, tc.want)
			}
			for i := range got {
				if got[i].Type != tc.want[i] || got[i].Reason == "" || got[i].Severity == "" || !strings.HasPrefix(got[i].Rule, "builtin.") {
					t.Errorf("alert %d = %+v, want type %s with a reason and its built-in rule", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAlertCooldown(t *testing.T) {
	var w watch
	s := Score{Polarity: 0}
	if n := len(w.observeCustomer("get me a supervisor", s, 0, ReadCues("get me a supervisor", ""))); n != 1 {
		t.Fatalf("first request raised %d alerts", n)
	}
	if n := len(w.observeCustomer("I said get me a supervisor", s, 0, ReadCues("I said get me a supervisor", ""))); n != 0 {
		t.Errorf("repeat within cooldown raised %d alerts", n)
	}
	for range alertCooldown {
		w.observeCustomer("ok", s, 0, ReadCues("ok", ""))
	}
	if n := len(w.observeCustomer("supervisor, please", s, 0, ReadCues("supervisor, please", ""))); n != 1 {
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

// TestAlertsFollowDeescalation replays the end of the bundled angry-fees
// call: the apology and the thanks raise nothing, whatever the model reads.
func TestAlertsFollowDeescalation(t *testing.T) {
	v := embedded(t)
	c := (&Assistant{Sentiment: v}).NewCall()
	var got []Alert
	for _, tn := range []struct{ speaker, text string }{
		{"customer", "So it's my fault now? This is ridiculous. I want these fees taken off, all of them."},
		{"agent", "What I can do right now is refund one of the overdraft fees as a courtesy."},
		{"customer", "One? No. I'm not doing this. Let me talk to your supervisor."},
		{"agent", "The third one stays, I'm afraid, but if I link your savings the fee is ten dollars."},
		{"customer", "Ten dollars instead of thirty-five. Yeah, fine, set that up."},
		{"agent", "Done. I'd also suggest a low-balance text alert. Would you like that?"},
		{"customer", "Sure, do that too. Look, I'm sorry I yelled. It's just been a really bad week."},
		{"agent", "No need to apologise at all, Jordan."},
		{"customer", "No, that's it. Thanks, Maya."},
	} {
		an := c.Sentiment(tn.speaker, tn.text)
		if tn.speaker != "customer" {
			continue
		}
		alerts := c.watch.observeCustomer(tn.text, an.Score, an.Rolling, an.Cues)
		got = append(got, alerts...)
		if an.Cues.Deescalates() {
			if an.Score.Polarity < 0 {
				t.Errorf("%q de-escalates but reads %.2f", tn.text, an.Score.Polarity)
			}
			for _, a := range alerts {
				if a.Type == AlertDrop || a.Type == AlertEscalation {
					t.Errorf("%q de-escalates but raised %+v", tn.text, a)
				}
			}
		}
	}
	if len(got) == 0 || got[0].Type != AlertSupervisor {
		t.Errorf("alerts %+v, want the supervisor request first", got)
	}
}
