package kb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"

	"github.com/larkspur-labs/assist/engine/transcript"
)

// call builds a call from alternating "customer: ..." / "agent: ..." lines.
func call(id, customer, agent string, lines ...string) transcript.Call {
	c := transcript.Call{ID: id, Customer: customer, Agent: agent}
	for _, l := range lines {
		speaker, text, _ := strings.Cut(l, ": ")
		c.Utterances = append(c.Utterances, transcript.Utterance{Speaker: speaker, Text: text})
	}
	return c
}

// handCalls are three calls in which two replies recur with different
// specifics, among greetings, closings and one-off replies.
func handCalls() []transcript.Call {
	return []transcript.Call{
		call("a", "Daniel Okafor", "Priya",
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
		call("b", "Maria Lopez", "Sam",
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
		call("c", "", "",
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
		"I'll call you at {phone} tomorrow at {time}.",
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
	var calls []transcript.Call
	for _, q := range []string{"one", "two", "two", "three", "three", "three"} {
		calls = append(calls, call(q, "", "", "customer: question "+q, "agent: Let me check that for you."))
	}
	long := strings.Repeat("blah ", 100) + "the end"
	calls = append(calls, call("long", "", "", "customer: "+long, "agent: Let me check that for you."))
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
	calls := []transcript.Call{
		call("a", "", "", "agent: To whom?", "agent: To whom?", "agent: "+long, "agent: "+long),
	}
	if got := Mine(calls, MineOptions{}); len(got) != 0 {
		t.Errorf("too short and too long replies kept: %+v", got)
	}
}

func TestScrub(t *testing.T) {
	known := map[string]bool{"patricia": true, "brown": true}
	for _, tt := range []struct{ in, want string }{
		{"Your balance is $5,118.77.", "Your balance is {amount}."},
		{"I sent 250 dollars and €3.50", "I sent {amount} and {amount}"},
		{"that's twenty five dollars", "that's {amount}"},
		{"the last four are six two zero one", "the last four are {number}"},
		{"have a good one", "have a good one"},
		{"Email jo.smith+x@mail.example.org today", "Email {email} today"},
		{"Call 555-123-4567 or (555) 123 4567 or +44 20 7946 0958", "Call {phone} or {phone} or {phone}"},
		{"Card 4111 1111 1111 1111 is blocked", "Card {card} is blocked"},
		{"Due on 3/14/2024 at 3:30 pm", "Due on {date} at {time}"},
		{"Due March 3rd, 2024. Or 5 June.", "Due {date}. Or {date}."},
		{"Born the twelfth of June, nineteen fifty-eight. Or March twenty-first, 1958", "Born {date}. Or {date}"},
		{"Is it still 14 Elm Street? Or 221b Baker St.", "Is it still {address}? Or {address}"},
		{"three to five business days, the second one", "three to five business days, the second one"},
		{"The rate is 2.5% now", "The rate is {percent} now"},
		{"Ref ABC123 and order #77", "Ref {number} and order #{number}"},
		{"٣٤٥ is the total", "{number} is the total"},
		{"Send it to Amir's checking account", "Send it to {name}'s checking account"},
		{"Transfer to Mr. Raghav Singh now", "Transfer to {name} now"},
		{"Thanks for calling Larkspur Bank, this is Priya.", "Thanks for calling {name}, this is {name}."},
		{"Ok, Thank you. Sure. Which account? On Monday, The end", "Ok, Thank you. Sure. Which account? On Monday, The end"},
		{"Thanks, Will. It will be there tomorrow", "Thanks, {name}. It will be there tomorrow"},
		{"my name is patricia brown", "my name is {name}"},
		{"Patricia, your statement from Brown & Co is ready", "{name}, your statement from {name} & {name} is ready"},
		{"I'll send a patricia brown statement", "I'll send a patricia brown statement"}, // mixed case: lower-case words are words
		{"hi my name's sam", "hi my name's {name}"},
		{"Visit https://example.com/help?id=42.", "Visit {url}."},
		{"I’m   here\n\tnow", "I'm here now"},
		{"{amount} stays", "{amount} stays"},
	} {
		if got := scrub(tt.in, known); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCallNames(t *testing.T) {
	got := callNames(transcript.Call{Customer: "Mary O'Brien", Agent: "virtual agent"})
	if want := map[string]bool{"mary": true, "brien": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("callNames = %v, want %v", got, want)
	}
}

func TestIsSmallTalk(t *testing.T) {
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
		if got := isSmallTalk(tt.text); got != tt.want {
			t.Errorf("isSmallTalk(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestRepliesRoundTrip(t *testing.T) {
	replies := Mine(handCalls(), MineOptions{MinCount: 1})
	replies = append(replies, Reply{ID: "reply-x", Text: "Fees & charges <apply>", Count: 1})
	var buf bytes.Buffer
	if err := WriteReplies(&buf, replies); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(replies) {
		t.Fatalf("%d lines for %d replies", len(lines), len(replies))
	}
	for _, key := range []string{`"id":`, `"text":`, `"count":`, `"contexts":`} {
		if !strings.Contains(lines[0], key) {
			t.Errorf("line 1 lacks %s: %s", key, lines[0])
		}
	}
	if !strings.Contains(buf.String(), "Fees & charges <apply>") {
		t.Error("HTML characters escaped in the file")
	}
	got, err := ReadReplies("replies.jsonl", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, replies) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, replies)
	}
}

func TestReadRepliesReportsEveryBadLine(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"Let me check.","count":2,"contexts":["why?"]}`, // 1
		``,
		`{broken`,
		`{"id":"b","text":"x","count":1,"extra":1}`,
		`{"id":"","text":"x","count":1}`, // 5
		`{"id":"c","text":"  ","count":1}`,
		`{"id":"d","text":"x","count":0}`,
		`{"id":"a","text":"again","count":1}`,
		`[1,2]`,
		`{"id":"e","text":"x","count":1} {"id":"f"}`, // 10
		`"just a string"`,
		`null`,
		`{"id":"g","text":"x","count":"many"}`,
		`{"id":"h","text":"fine","count":1}`,
	}, "\r\n")
	_, err := ReadReplies("r.jsonl", strings.NewReader(in))
	if err == nil {
		t.Fatal("no error")
	}
	want := map[int]string{
		3: "malformed reply", 4: `unknown field "extra"`, 5: "missing id", 6: "missing text",
		7: "count 0", 8: `duplicate id "a": already on line 1`, 9: "malformed reply",
		10: "text after the JSON object", 11: "malformed reply", 12: "missing id", 13: "malformed reply",
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v does not join problems", err)
	}
	got := map[int]string{}
	for _, e := range joined.Unwrap() {
		var pe *ParseError
		if !errors.As(e, &pe) || pe.File != "r.jsonl" {
			t.Errorf("problem %v is not a ParseError of r.jsonl", e)
			continue
		}
		got[pe.Line] = pe.Msg
	}
	for line, msg := range want {
		if !strings.Contains(got[line], msg) {
			t.Errorf("line %d: got %q, want it to mention %q", line, got[line], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems on lines %v, want exactly %v", got, want)
	}
}

func TestReadRepliesBigLinesAndEdges(t *testing.T) {
	big := Reply{ID: "reply-big", Text: "Let me look into that.", Count: 3, Contexts: []string{strings.Repeat("why ", 1<<20)}}
	var buf bytes.Buffer
	if err := WriteReplies(&buf, []Reply{big}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`{"id":"reply-last","text":"No newline at the end.","count":1}`)
	got, err := ReadReplies("big.jsonl", &buf)
	if err != nil || len(got) != 2 || len(got[0].Contexts[0]) != 4<<20 || got[1].ID != "reply-last" {
		t.Errorf("big line: %d replies, %v", len(got), err)
	}
	if got, err := ReadReplies("empty.jsonl", strings.NewReader("\n\n")); err != nil || len(got) != 0 {
		t.Errorf("blank file: %v, %v", got, err)
	}
	boom := errors.New("disk on fire")
	if _, err := ReadReplies("x.jsonl", iotest.ErrReader(boom)); !errors.Is(err, boom) || !strings.Contains(err.Error(), "x.jsonl") {
		t.Errorf("reader error: %v", err)
	}
}

func FuzzReadReplies(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"b","count":1,"contexts":["c"]}` + "\n"))
	f.Add([]byte("{\"id\":\"a\"\n\xff\xfe\n[[[[\n"))
	f.Add([]byte(`{"id":"a","text":"b","count":1e300}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		replies, err := ReadReplies("fuzz.jsonl", bytes.NewReader(data))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range replies {
			if strings.TrimSpace(r.ID) == "" || strings.TrimSpace(r.Text) == "" || r.Count < 1 || seen[r.ID] {
				t.Fatalf("accepted an invalid reply %+v", r)
			}
			seen[r.ID] = true
		}
	})
}

func FuzzScrub(f *testing.F) {
	for _, s := range []string{"$1,000.00 to Amir", "call 555-123-4567", "x@y.zz", "٣ and ৭", "{number", "}{", "Mr.", "1.2.3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := scrub(s, map[string]bool{"okafor": true})
		if i := strings.IndexFunc(got, unicode.IsDigit); i >= 0 {
			t.Fatalf("scrub(%q) = %q keeps a digit", s, got)
		}
		if strings.Contains(strings.ToLower(got), "okafor") {
			t.Fatalf("scrub(%q) = %q keeps a known name", s, got)
		}
	})
}

func TestReplyIndexSearch(t *testing.T) {
	replies := []Reply{
		{ID: "lock", Text: "I've locked your card.", Count: 3, Contexts: []string{"I lost my debit card", "my card was stolen"}},
		{ID: "balance", Text: "Your balance is {amount}.", Count: 40, Contexts: []string{"what's my balance", "how much money do I have"}},
		{ID: "rare-balance", Text: "Balance is {amount}.", Count: 2, Contexts: []string{"what's my balance"}},
		{ID: "hours", Text: "We are open until {time}.", Count: 2, Contexts: []string{"when do you close"}},
	}
	ix, err := NewReplyIndex(replies)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	replies[0].Contexts[0] = "changed after indexing"
	ctx := context.Background()

	hits, err := ix.Search(ctx, "someone stole my card", 2)
	if err != nil || len(hits) != 1 || hits[0].Reply.ID != "lock" {
		t.Fatalf("card query: %+v, %v", hits, err)
	}
	if hits[0].Reply.Contexts[0] != "I lost my debit card" {
		t.Error("the index shares its replies' contexts with the caller")
	}
	// Both balance replies match; the one more agents use ranks first even
	// though its contexts are a longer field.
	hits, err = ix.Search(ctx, "what's my balance", 5)
	if err != nil || len(hits) != 2 || hits[0].Reply.ID != "balance" || hits[0].Score < hits[1].Score {
		t.Errorf("balance query: %+v, %v", hits, err)
	}
	if hits, err := ix.Search(ctx, "what's my balance", 1); err != nil || len(hits) != 1 {
		t.Errorf("k=1: %d hits, %v", len(hits), err)
	}
	for _, q := range []string{"", "  \t", "the and of", `title:card`, `"unclosed`, `card^100`, `/[a-z/`, `\`} {
		if _, err := ix.Search(ctx, q, 3); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	if hits, err := ix.Search(ctx, " ", 3); hits != nil || err != nil {
		t.Errorf("blank query: %v, %v", hits, err)
	}
	if hits, err := ix.Search(ctx, "card", 0); hits != nil || err != nil {
		t.Errorf("k=0: %v, %v", hits, err)
	}
}

func TestReplyIndexErrors(t *testing.T) {
	if _, err := NewReplyIndex([]Reply{{ID: "a", Text: "x", Count: 1}, {ID: "a", Text: "y", Count: 1}}); err == nil || !strings.Contains(err.Error(), `duplicate reply id "a"`) {
		t.Errorf("duplicate ids: %v", err)
	}
	ix, err := NewReplyIndex(nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := ix.Search(context.Background(), "anything", 3); err != nil || len(hits) != 0 {
		t.Errorf("empty index: %v, %v", hits, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), "anything", 3); err == nil {
		t.Error("searching a closed index succeeded")
	}
}

// sharedDataFile finds a file of ../shared/data beside the repository. It
// skips the test when the data is absent, unless CI is set.
func sharedDataFile(t *testing.T, rel string) string {
	t.Helper()
	p := "../../shared/data/" + rel
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data: %v", err)
		}
		t.Skipf("shared data %s not found", p)
	}
	return p
}

// TestMineSGDBanking mines the Schema-Guided Dialogue banking dialogues:
// 249 dialogues whose virtual agent checks balances and makes transfers,
// in many crowd-sourced wordings.
func TestMineSGDBanking(t *testing.T) {
	calls, _, err := transcript.LoadFile(sharedDataFile(t, "sgd_banks_dialogues/sgd_banks_dialogues.jsonl"), transcript.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	turns := 0
	for _, c := range calls {
		for _, u := range c.Utterances {
			if u.Speaker == "agent" {
				turns++
			}
		}
	}
	replies := Mine(calls, MineOptions{})
	t.Logf("mined %d replies from %d agent turns in %d calls; top: %dx %q", len(replies), turns, len(calls), replies[0].Count, replies[0].Text)
	if turns != 1965 {
		t.Errorf("%d agent turns, want the data set's 1965", turns)
	}
	// Most of the 1,593 distinct agent turns differ only in amounts and
	// names, or are said once; a hundred or so replies recur.
	if len(replies) < 80 || len(replies) > 250 {
		t.Errorf("mined %d replies, want 80 to 250", len(replies))
	}
	for _, r := range replies {
		for _, s := range append([]string{r.Text}, r.Contexts...) {
			if strings.ContainsFunc(s, unicode.IsDigit) || strings.Contains(s, "$") {
				t.Errorf("reply %s keeps a specific: %q", r.ID, s)
			}
		}
		if isSmallTalk(r.Text) || r.Count < DefaultMinCount {
			t.Errorf("reply %+v should have been dropped", r)
		}
	}

	ix, err := NewReplyIndex(replies)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, tt := range []struct {
		query string
		want  []string // words the reply must contain, one of the top 3
	}{
		{"what is my checking account balance", []string{"balance", "checking"}},
		{"I want to send money to my mom", []string{"send"}},
	} {
		hits, err := ix.Search(context.Background(), tt.query, 3)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(hits, func(h ReplyHit) bool {
			for _, w := range tt.want {
				if !strings.Contains(strings.ToLower(h.Reply.Text), w) {
					return false
				}
			}
			return true
		})
		if !found {
			for _, h := range hits {
				t.Logf("  %.3f %s", h.Score, h.Reply.Text)
			}
			t.Errorf("%q: no reply with %q in the top 3", tt.query, tt.want)
		}
	}
}
