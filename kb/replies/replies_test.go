package replies

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// call builds a conversation from "customer: ..." and "agent: ..." lines.
func call(customer, agent string, lines ...string) Conversation {
	c := Conversation{Names: []string{customer, agent}}
	for _, l := range lines {
		speaker, text, _ := strings.Cut(l, ": ")
		c.Turns = append(c.Turns, Turn{Speaker: speaker, Text: text})
	}
	return c
}

// handCalls are three calls in which two replies recur with different
// specifics, among greetings, closings and one-off replies.
func handCalls() []Conversation {
	return []Conversation{
		call("Daniel Okafor", "Priya",
			"agent: Thanks for calling Larkspur Bank, this is Priya.",
			"customer: Hi, I lost my debit card.",
			"customer: It was in my wallet.",
			"agent: I'm sorry to hear that, Daniel. I've locked the card ending in 4821.",
			"customer: Can you send a new one to daniel@example.com?",
			"agent: Sure, I'll email you at daniel@example.com right away.",
			"customer: what's my balance",
			"agent: Your checking account balance is $1,234.56.",
			"agent: Have a great day!",
		),
		call("Maria Lopez", "Sam",
			"customer: I lost my card at the mall",
			"agent: I'm sorry to hear that, Maria. I've locked the card ending in 7730",
			"customer: How much is in checking?",
			"agent: your checking account balance is $87.10",
			"customer: And savings?",
			"agent: Your savings account balance is $12.",
			"agent: Ok.",
			"customer: Thanks, bye",
			"agent: Thank you for calling, and have a wonderful evening!",
		),
		call("", "",
			"customer: What's my balance?",
			"agent: Your checking account balance is $5,000.",
			"customer: Call me at (555) 123-4567",
			"agent: I'll call you at 555-123-4567 tomorrow at 3 pm.",
		),
	}
}

var replyIDForm = regexp.MustCompile(`^reply-[0-9a-f]{12}$`)

func TestMineGroupsRecurringReplies(t *testing.T) {
	got := Mine(handCalls(), MineOptions{})
	want := []Reply{
		{
			Text:     "Your checking account balance is {amount}.",
			Count:    3,
			Contexts: []string{"what's my balance", "How much is in checking?"},
		},
		{
			Text:     "I'm sorry to hear that, {name}. I've locked the card ending in {number}",
			Count:    2,
			Contexts: []string{"Hi, I lost my debit card. It was in my wallet.", "I lost my card at the mall"},
		},
	}
	for i := range got {
		if !replyIDForm.MatchString(got[i].ID) {
			t.Errorf("reply %d: id %q, want reply- and 12 hex digits", i, got[i].ID)
		}
		got[i].ID = ""
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Mine:\n got %+v\nwant %+v", got, want)
	}
}

func TestMineSkipsPleasantriesAndKeepsNoSpecifics(t *testing.T) {
	replies := Mine(handCalls(), MineOptions{MinCount: 1})
	var texts []string
	for _, r := range replies {
		texts = append(texts, r.Text)
	}
	want := []string{
		"Your checking account balance is {amount}.",
		"I'm sorry to hear that, {name}. I've locked the card ending in {number}",
		// 555-123-4567 is no phone number to redact: a North American
		// exchange starts with 2 to 9. Its digits are still gone.
		"I'll call you at {number} tomorrow at {time}.",
		"Sure, I'll email you at {email} right away.",
		"Your savings account balance is {amount}.",
	}
	if !slices.Equal(texts, want) {
		t.Errorf("texts:\n got %q\nwant %q", texts, want)
	}
	data, err := json.Marshal(replies)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"daniel", "maria", "priya", "okafor", "larkspur", "@", "555", "4821", "$"} {
		if bytes.Contains(bytes.ToLower(data), []byte(leak)) {
			t.Errorf("mined replies contain %q: %s", leak, data)
		}
	}
}

func TestMineIsDeterministic(t *testing.T) {
	calls := handCalls()
	first := Mine(calls, MineOptions{MinCount: 1})
	if again := Mine(calls, MineOptions{MinCount: 1}); !reflect.DeepEqual(first, again) {
		t.Errorf("two runs differ:\n%+v\n%+v", first, again)
	}
	// The order of the calls may change which wording and contexts come
	// first, but not which replies there are or their ids.
	slices.Reverse(calls)
	reversed := Mine(calls, MineOptions{MinCount: 1})
	ids := func(rs []Reply) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(first), ids(reversed)) {
		t.Errorf("ids depend on call order: %v vs %v", ids(first), ids(reversed))
	}
}

func TestMineBoundsContexts(t *testing.T) {
	var calls []Conversation
	for _, q := range []string{"one", "two", "two", "three", "three", "three"} {
		calls = append(calls, call("", "", "customer: question "+q, "agent: Let me check that for you."))
	}
	long := strings.Repeat("blah ", 100) + "the end"
	calls = append(calls, call("", "", "customer: "+long, "agent: Let me check that for you."))
	got := Mine(calls, MineOptions{MaxContexts: 3})
	if len(got) != 1 || got[0].Count != 7 {
		t.Fatalf("got %+v, want one reply said 7 times", got)
	}
	// Most frequent first, then first seen.
	if want := []string{"question three", "question two", "question one"}; !slices.Equal(got[0].Contexts, want) {
		t.Errorf("contexts %q, want %q", got[0].Contexts, want)
	}
	all := Mine(calls, MineOptions{})
	last := all[0].Contexts[len(all[0].Contexts)-1]
	if n := len(strings.Fields(last)); n != maxContextWords || !strings.HasSuffix(last, "the end") {
		t.Errorf("long context kept %d words ending %q, want the last %d", n, last[max(0, len(last)-20):], maxContextWords)
	}
}

func TestMineLengthBounds(t *testing.T) {
	long := "We " + strings.Repeat("really ", maxReplyWords) + "appreciate it."
	calls := []Conversation{
		call("", "", "agent: To whom?", "agent: To whom?", "agent: "+long, "agent: "+long),
	}
	if got := Mine(calls, MineOptions{}); len(got) != 0 {
		t.Errorf("too short and too long replies kept: %+v", got)
	}
}
