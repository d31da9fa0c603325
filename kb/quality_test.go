package kb

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sort"
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
				r, hits := rank(t, ix, c.query, 3, c.want)
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

// banking77Map maps BANKING77 intents that a sample article clearly
// answers to the acceptable article ids. BANKING77 comes from an app-only
// bank, so many of its intents (top-ups, virtual cards, exchange rates) have
// no Larkspur article and are left out.
var banking77Map = map[string][]string{
	"lost_or_stolen_card":         {"card-lost-stolen"},
	"card_not_working":            {"card-declined"},
	"declined_card_payment":       {"card-declined"},
	"card_payment_not_recognised": {"dispute-charge", "fraud-report"},
	"transaction_charged_twice":   {"dispute-charge"},
	"compromised_card":            {"fraud-report", "card-lost-stolen"},
	"passcode_forgotten":          {"password-reset", "mobile-app-problems"},
	"edit_personal_details":       {"update-contact-details"},
	"terminate_account":           {"close-account", "retention"},
	"pin_blocked":                 {"card-pin"},
	"activate_my_card":            {"card-activation"},
	"card_arrival":                {"card-delivery"},
	"card_swallowed":              {"atm-problems"},
	"why_verify_identity":         {"identity-verification"},
}

// clincMap does the same for the banking intents of CLINC150.
var clincMap = map[string][]string{
	"balance":                   {"account-balance"},
	"transfer":                  {"transfer-between-accounts", "transfer-to-person"},
	"report_lost_card":          {"card-lost-stolen"},
	"damaged_card":              {"card-replace-damaged"},
	"card_declined":             {"card-declined"},
	"report_fraud":              {"fraud-report"},
	"account_blocked":           {"account-locked"},
	"routing":                   {"direct-deposit-routing"},
	"direct_deposit":            {"direct-deposit-routing"},
	"order_checks":              {"order-checks"},
	"travel_notification":       {"travel-notice"},
	"interest_rate":             {"interest-rates"},
	"apr":                       {"interest-rates"},
	"min_payment":               {"loan-payment"},
	"pin_change":                {"card-pin"},
	"replacement_card_duration": {"card-delivery", "card-replace-damaged", "card-lost-stolen"},
	"international_fees":        {"travel-notice"},
}

// The top-3 accuracy floors on the mapped rows of the real data sets. The
// measured figures (logged by the tests) were 0.928 on BANKING77 train and
// 0.924 on CLINC150 val; the floors leave room for article edits.
const (
	banking77Floor = 0.88
	clincFloor     = 0.87
)

// TestSearchBanking77 measures retrieval on real customer queries from
// BANKING77 (train.csv, the only split in ../shared/data). Its wording was
// used to find vocabulary missing from the articles, so the figure is
// somewhat optimistic; TestSearchCLINC150 reports an untouched split.
func TestSearchBanking77(t *testing.T) {
	rows := readCSV(t, "../../shared/data/banking77/train.csv")
	queries := make([]labelled, 0, len(rows))
	for _, row := range rows[1:] {
		queries = append(queries, labelled{text: row[0], label: row[1]})
	}
	acc := measure(t, sampleIndex(t), "BANKING77 train", queries, banking77Map)
	if acc < banking77Floor {
		t.Errorf("BANKING77 top-3 accuracy %.3f, want at least %.2f", acc, banking77Floor)
	}
}

// TestSearchCLINC150 measures retrieval on the val split of CLINC150, which
// was not looked at while writing the articles or choosing the weights (the
// train split was).
func TestSearchCLINC150(t *testing.T) {
	const name = "../../shared/data/clinc150/train_val.json"
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("data set not found: %s", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Val [][2]string `json:"val"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	queries := make([]labelled, 0, len(set.Val))
	for _, row := range set.Val {
		queries = append(queries, labelled{text: row[0], label: row[1]})
	}
	acc := measure(t, sampleIndex(t), "CLINC150 val", queries, clincMap)
	if acc < clincFloor {
		t.Errorf("CLINC150 top-3 accuracy %.3f, want at least %.2f", acc, clincFloor)
	}
}

// labelled is a data set query and its intent label.
type labelled struct{ text, label string }

// measure searches every query whose label is in want, logs top-1 and top-3
// accuracy per label and overall, and returns the overall top-3 accuracy.
func measure(t *testing.T, ix *Index, name string, queries []labelled, want map[string][]string) float64 {
	t.Helper()
	type tally struct{ n, top1, top3 int }
	per := map[string]*tally{}
	var all tally
	for _, q := range queries {
		ids, ok := want[q.label]
		if !ok {
			continue
		}
		r, _ := rank(t, ix, q.text, 3, ids...)
		c := per[q.label]
		if c == nil {
			c = &tally{}
			per[q.label] = c
		}
		for _, x := range []*tally{c, &all} {
			x.n++
			if r == 1 {
				x.top1++
			}
			if r >= 1 {
				x.top3++
			}
		}
	}
	if all.n == 0 {
		t.Fatalf("%s: no rows with a mapped label", name)
	}
	labels := make([]string, 0, len(per))
	for l := range per {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		x := per[l]
		t.Logf("%-28s n=%3d top-1 %.2f top-3 %.2f", l, x.n, float64(x.top1)/float64(x.n), float64(x.top3)/float64(x.n))
	}
	acc := float64(all.top3) / float64(all.n)
	t.Logf("%s, mapped rows: n=%d top-1 %.3f top-3 %.3f", name, all.n, float64(all.top1)/float64(all.n), acc)
	return acc
}

// readCSV reads a data set from ../shared/data, skipping the test when the
// data is not there.
func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("data set not found: %s", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return rows
}
