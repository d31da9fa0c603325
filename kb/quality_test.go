package kb

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// heldOutCase is a customer phrasing and the id of the article that should
// answer it.
type heldOutCase struct {
	query, want string
}

// heldOut are customer phrasings written for this test, none of them an
// example question of the sample knowledge base. They served as a dev set:
// their misses led to new example questions in three articles
// (identity-verification, retention, complaint-escalation).
var heldOut = []heldOutCase{
	{"hi yeah I was wondering how much money is sitting in my savings right now", "account-balance"},
	{"can you move five hundred from my savings into checking please", "transfer-between-accounts"},
	{"I need to pay my roommate back for the utilities, how do I do that", "transfer-to-person"},
	{"I think my card fell out of my pocket on the bus", "card-lost-stolen"},
	{"my debit card got bent and now the chip won't read", "card-replace-damaged"},
	{"I was at the grocery store and my card just kept getting declined", "card-declined"},
	{"there's a charge from some company I've never heard of on my statement", "dispute-charge"},
	{"somebody made purchases on my account that weren't me", "fraud-report"},
	{"you guys charged me an overdraft fee and I want it back", "overdraft-fees"},
	{"I can't remember the password for online banking", "password-reset"},
	{"it says I'm locked out after I typed the wrong password a few times", "account-locked"},
	{"I just moved, I need to give you my new address", "update-contact-details"},
	{"I want to open a new checking account", "open-account"},
	{"I'd like to close out my account with you and get the money sent to me", "close-account"},
	{"what routing number do I give my job for my paycheck", "direct-deposit-routing"},
	{"I need to wire some money to my sister in Canada", "wire-transfer"},
	{"the banking app on my phone just freezes and closes", "mobile-app-problems"},
	{"I'm flying to Italy next month and want my card to work there", "travel-notice"},
	{"can I get a copy of my statements from March", "statements"},
	{"I want to pay off the balance on my credit card", "loan-payment"},
	{"I'd like to set up a time to come into the branch", "branch-appointment"},
	{"I ran out of checks, can you send me some more", "order-checks"},
	{"I need to cancel a check I mailed before it gets cashed", "stop-payment"},
	{"what kind of interest are you paying on savings accounts these days", "interest-rates"},
	{"I'm sick of this, get me your supervisor", "complaint-escalation"},
	{"honestly I'm about ready to move my money to a different bank", "retention"},
	{"how do I prove it's me, I don't have my card number handy", "identity-verification"},
	{"the replacement card came today, how do I turn it on", "card-activation"},
	{"I can't remember the PIN for my card", "card-pin"},
	{"the ATM didn't give me my cash but it took it out of my account", "atm-problems"},
	{"I've been waiting ages for my card to come in the mail", "card-delivery"},
	{"I sent money to my mom three days ago and she still doesn't have it", "transfer-status"},
	{"I deposited a check with my phone and the money's not there yet", "deposit-not-showing"},
}

// heldOutFresh was written after heldOut had been used to find gaps in the
// articles, and has not been used to change them.
var heldOutFresh = []heldOutCase{
	{"yeah um I need to know how much is in my checking account", "account-balance"},
	{"can I get some money put over from checking to my savings", "transfer-between-accounts"},
	{"how do I send my daughter some money at college", "transfer-to-person"},
	{"my wallet was stolen at the gym and my cards were in it", "card-lost-stolen"},
	{"the chip on my card is scratched and the reader won't take it", "card-replace-damaged"},
	{"it keeps saying declined when I tap my card", "card-declined"},
	{"I never signed up for this monthly charge from some streaming service", "dispute-charge"},
	{"I got a call from someone saying they were the bank and I gave them my code", "fraud-report"},
	{"why am I paying fees every time my balance goes below zero", "overdraft-fees"},
	{"I need a new password for the website, I forgot mine", "password-reset"},
	{"the website says my online access is locked", "account-locked"},
	{"my phone number changed, can you update it", "update-contact-details"},
	{"I'd like to open a savings account for my kid", "open-account"},
	{"I'm moving overseas so I want to close everything out", "close-account"},
	{"where can I find my account and routing number for direct deposit", "direct-deposit-routing"},
	{"how much is it to send an international wire", "wire-transfer"},
	{"your app won't open on my iPhone since the update", "mobile-app-problems"},
	{"I'll be in Japan for two weeks, can you note that on my card", "travel-notice"},
	{"I need last year's bank statements for my accountant", "statements"},
	{"when's my car payment due this month", "loan-payment"},
	{"is the branch on Main Street open Saturday", "branch-appointment"},
	{"how long does it take to get a new checkbook", "order-checks"},
	{"please stop the automatic payment to my old phone company", "stop-payment"},
	{"what's the rate on your twelve month CD", "interest-rates"},
	{"I've been on hold forever and I want to file a complaint", "complaint-escalation"},
	{"the credit union down the road gives better rates, why shouldn't I switch", "retention"},
	{"what do you need from me to confirm my identity", "identity-verification"},
	{"I got my new card in the mail, does it need activating", "card-activation"},
	{"I typed my PIN wrong three times and now it's blocked", "card-pin"},
	{"the ATM kept my card, what do I do now", "atm-problems"},
	{"my replacement card was supposed to be here last week", "card-delivery"},
	{"my transfer to my landlord says pending, when will it go through", "transfer-status"},
	{"there's a hold on the check I deposited, when can I use the money", "deposit-not-showing"},
}

// alsoRight are articles that answer a case as well as its want: the
// unauthorised-transactions article (money taken without permission) is
// the fraud procedure for one kind of fraud, so a case that wants
// fraud-report is answered rightly by either.
var alsoRight = map[string][]string{
	"fraud-report": {"unauthorised-transactions"},
}

// sampleIndex builds an index over the bundled knowledge base.
func sampleIndex(t testing.TB) *Index {
	t.Helper()
	articles, err := Sample()
	if err != nil {
		t.Fatalf("Sample: %v", err)
	}
	ix, err := NewIndex(articles)
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// rank returns the 1-based position of the first hit whose id is in want, or
// 0 when none of the top k is.
func rank(t testing.TB, ix *Index, q string, k int, want ...string) (int, []Hit) {
	t.Helper()
	hits, err := ix.Search(context.Background(), q, k)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	for i, h := range hits {
		if slices.Contains(want, h.Article.ID) {
			return i + 1, hits
		}
	}
	return 0, hits
}

// hitIDs lists the article ids of hits, for failure messages.
func hitIDs(hits []Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Article.ID
	}
	return ids
}

func TestSearchHeldOutPhrasings(t *testing.T) {
	ix := sampleIndex(t)
	examples := map[string]string{}
	for i := range ix.Len() {
		for _, q := range ix.articles[i].Questions {
			examples[strings.ToLower(q)] = ix.articles[i].ID
		}
	}
	for _, set := range []struct {
		name  string
		cases []heldOutCase
	}{
		{"first", heldOut},
		{"fresh", heldOutFresh},
	} {
		t.Run(set.name, func(t *testing.T) {
			var top1, top3 int
			for _, c := range set.cases {
				if _, ok := ix.Article(c.want); !ok {
					t.Fatalf("case %q expects unknown article %s", c.query, c.want)
				}
				if id, ok := examples[strings.ToLower(c.query)]; ok {
					t.Errorf("case %q is an example question of %s, so it is not held out", c.query, id)
				}
				r, hits := rank(t, ix, c.query, 3, append([]string{c.want}, alsoRight[c.want]...)...)
				if r == 1 {
					top1++
				} else {
					t.Logf("want %s first, got it at rank %d (0: not in top 3): %q → %v", c.want, r, c.query, hitIDs(hits))
				}
				if r >= 1 {
					top3++
				}
			}
			n := len(set.cases)
			t.Logf("%s held-out phrasings: top-1 %d/%d (%.0f%%), top-3 %d/%d (%.0f%%)",
				set.name, top1, n, 100*float64(top1)/float64(n), top3, n, 100*float64(top3)/float64(n))
			if float64(top1) < 0.80*float64(n) {
				t.Errorf("top-1 accuracy %d/%d, want at least 80%%", top1, n)
			}
			if float64(top3) < 0.95*float64(n) {
				t.Errorf("top-3 accuracy %d/%d, want at least 95%%", top3, n)
			}
		})
	}
}

// TestConfusionAndFraudTurns checks turns that used to abstain or go to the
// wrong article (issue 22): a confused caller and money taken without
// permission. The first two are the words, the articles' example
// questions were written for them, so this guards against regressions
// rather than measuring generalisation.
func TestConfusionAndFraudTurns(t *testing.T) {
	ix := sampleIndex(t)
	for _, c := range []heldOutCase{
		{"I'm afraid I don't understand all this. Which button do I press?", "step-by-step-help"},
		{"someone took money from my account I didn't authorise", "unauthorised-transactions"},
		{"there's money missing from my account and I didn't take it out", "unauthorised-transactions"},
		{"I'm confused, can you walk me through it step by step", "step-by-step-help"},
	} {
		if r, hits := rank(t, ix, c.query, 3, c.want); r != 1 {
			t.Errorf("%q: want %s first, got %v", c.query, c.want, hitIDs(hits))
		}
	}
}
