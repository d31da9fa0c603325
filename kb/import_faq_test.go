package kb

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestImportFAQBitext(t *testing.T) {
	articles, err := datasets.Load(datasetstest.Sample(t, "bitext/Bitext_Sample_Customer_Support_Training_Dataset.csv"), func(_ string, r io.Reader) ([]Article, error) {
		return ImportFAQ("bitext.csv", r, "csv")
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(articles) != 27 {
		t.Fatalf("got %d articles, want 27 (one per intent)", len(articles))
	}
	questions := 0
	for _, a := range articles {
		checkImported(t, a)
		questions += len(a.Questions)
	}
	// The sample's 108 rows, four of each intent, repeat no utterance.
	if questions != 108 {
		t.Errorf("got %d questions, want 108", questions)
	}

	first := articles[0]
	if first.ID != "cancel-order" || first.Title != "Cancel order" || !reflect.DeepEqual(first.Tags, []string{"order"}) {
		t.Errorf("first article = %s %q %q", first.ID, first.Title, first.Tags)
	}
	if len(first.Questions) != 4 || first.Questions[0] != "how can I cancel purchase 113542617735902?" {
		t.Errorf("cancel-order questions: %d, first %q", len(first.Questions), first.Questions[0])
	}
	// The answer is the first row's, placeholders and line breaks kept.
	if !strings.HasPrefix(first.Answer, "I understand how unnerving it can be to cancel an order, especially if it's order number {{Purchase ID Anonymized}}.") ||
		!strings.Contains(first.Answer, "process:\n\n1. Firstly, connect") || strings.Contains(first.Answer, "\r") {
		t.Errorf("cancel-order answer:\n%s", first.Answer)
	}
	if a := byID(articles)["check-cancellation-fee"]; a == nil || !reflect.DeepEqual(a.Tags, []string{"cancellation-fee"}) {
		t.Errorf("check-cancellation-fee = %+v", a)
	}
	checkRoundTrip(t, articles)
}

func TestImportFAQ(t *testing.T) {
	tests := []struct {
		name, format, input string
		want                []Article // Source and Lang "en" are filled in
	}{{
		name:   "grouped by intent in file order",
		format: "csv",
		input: "question,answer,intent,category\n" +
			"how do I cancel,Cancel in the app.,cancel_order,ORDER\n" +
			"where is my parcel,It ships in 2 days.,track_order,DELIVERY\n" +
			"\"cancel my order, please\",Another paraphrase.,cancel_order,ORDER\n" +
			"how  do I cancel ,Again.,cancel_order,SHOP\n",
		want: []Article{
			{ID: "cancel-order", Title: "Cancel order", Tags: []string{"order", "shop"},
				Questions: []string{"how do I cancel", "cancel my order, please"}, Answer: "Cancel in the app."},
			{ID: "track-order", Title: "Track order", Tags: []string{"delivery"},
				Questions: []string{"where is my parcel"}, Answer: "It ships in 2 days."},
		},
	}, {
		name:   "other column names, any case, BOM and CRLF",
		format: "csv",
		input: "\uFEFFUtterance,RESPONSE,Label,extra\r\n" +
			"\"Hi\",\"Hello!\r\nHow can I help?\",GREETING,x\r\n",
		want: []Article{{ID: "greeting", Title: "Greeting", Questions: []string{"Hi"}, Answer: "Hello!\nHow can I help?"}},
	}, {
		name:   "acronyms kept in titles",
		format: "csv",
		input:  "text,answer,intent\nreset it,Done.,reset_PIN\n",
		want:   []Article{{ID: "reset-pin", Title: "Reset PIN", Questions: []string{"reset it"}, Answer: "Done."}},
	}, {
		name:   "one article per language",
		format: "csv",
		input:  "question,answer,intent,lang\nhello,Hi.,greet,en\nbonjour,Salut.,greet,fr\nsalut,Coucou.,greet,fr\n",
		want: []Article{
			{ID: "greet", Title: "Greet", Questions: []string{"hello"}, Answer: "Hi."},
			{ID: "greet-fr", Title: "Greet", Questions: []string{"bonjour", "salut"}, Answer: "Salut.", Lang: "fr"},
		},
	}, {
		name:   "one article per row without intents",
		format: "csv",
		input: "question,answer\n" +
			"What's my balance?,Let me check.\n" +
			"what's my balance,Checking.\n" +
			"口座残高,確認します。\n" +
			strings.Repeat("very ", 20) + "long,Yes.\n",
		want: []Article{
			{ID: "whats-my-balance", Title: "What's my balance?", Questions: []string{"What's my balance?"}, Answer: "Let me check."},
			{ID: "whats-my-balance-2", Title: "what's my balance", Questions: []string{"what's my balance"}, Answer: "Checking."},
			{ID: "faq-4", Title: "口座残高", Questions: []string{"口座残高"}, Answer: "確認します。"},
			{ID: strings.TrimSuffix(strings.Repeat("very-", 12), "-"), Title: strings.Repeat("very ", 20) + "long",
				Questions: []string{strings.Repeat("very ", 20) + "long"}, Answer: "Yes."},
		},
	}, {
		name:   "jsonl with a numeric label and unused keys of any type",
		format: "jsonl",
		input: `{"text": "lost my card", "response": "I'll block it.", "label": 7, "meta": {"a": [1]}}` + "\n\n" +
			`{"text": "card stolen", "response": "Blocking it now.", "label": 7, "category": null}` + "\n",
		want: []Article{{ID: "7", Title: "7", Questions: []string{"lost my card", "card stolen"}, Answer: "I'll block it."}},
	}, {
		name:   "control characters and invalid UTF-8 cleaned",
		format: "jsonl",
		input:  `{"question": "\u001b[2Jhi\u0000 there", "answer": "ok\u0007 \u0085done"}` + "\n" + "{\"question\": \"bad \xff byte\", \"answer\": \"fine\"}\n",
		want: []Article{
			{ID: "2jhi-there", Title: "[2Jhi there", Questions: []string{"[2Jhi there"}, Answer: "ok done"},
			{ID: "bad-byte", Title: "bad \uFFFD byte", Questions: []string{"bad \uFFFD byte"}, Answer: "fine"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImportFAQ("in."+tt.format, strings.NewReader(tt.input), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				tt.want[i].Source = "in." + tt.format
				if tt.want[i].Lang == "" {
					tt.want[i].Lang = DefaultLang
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestImportFAQErrors(t *testing.T) {
	tests := []struct {
		name, format, input string
		want                []string // every problem, in order; a prefix of each
	}{
		{"unknown format", "xml", "", []string{`import faq f.xml: unknown format "xml" (want csv or jsonl)`}},
		{"empty csv", "csv", "", []string{"import faq f.csv: empty file"}},
		{"empty jsonl", "jsonl", "\n\n", []string{"import faq f.jsonl: empty file"}},
		{"header only", "csv", "question,answer\n", []string{"import faq f.csv: no question-answer rows"}},
		{"no answer column", "csv", "text,category\nhi,x\n",
			[]string{`f.csv:1: no answer (answer, response) column; columns found: "text", "category"`}},
		{"no columns at all", "jsonl", `{"q": 1, "a": 2}`,
			[]string{`f.jsonl:1: no question (question, instruction, utterance, text) or answer (answer, response) column; columns found: "a", "q"`}},
		{"wrong field count", "csv", "question,answer,intent\na,b,c\nd,e\nf,g,h,i\n", []string{
			"f.csv:3: wrong number of fields: 2, the header has 3",
			"f.csv:4: wrong number of fields: 4, the header has 3",
		}},
		{"bad quote", "csv", "question,answer\na \"quoted\" b,c\n", []string{`f.csv:2: bad CSV: bare " in non-quoted-field`}},
		{"empty cells", "csv", "question,answer,intent\n ,b,x\na,,x\na,b,\n,,\n", []string{
			`f.csv:2: empty question ("question")`,
			`f.csv:3: empty answer ("answer")`,
			`f.csv:4: empty intent ("intent")`,
			`f.csv:5: empty question ("question")`,
			`f.csv:5: empty answer ("answer")`,
			`f.csv:5: empty intent ("intent")`,
		}},
		{"intents with the same id", "csv", "question,answer,intent\na,b,cancel_order\nc,d,Cancel Order\n",
			[]string{`f.csv:3: intent "Cancel Order" gives the id "cancel-order", already used by intent "cancel_order" on line 2`}},
		{"bad json lines", "jsonl", `{"question": "a", "answer": "b"}` + "\n" +
			`{"question": "a", "answer": }` + "\n" +
			`["a", "b"]` + "\n" +
			"null\n" +
			`{"question": ["a"], "answer": "b"}` + "\n" +
			`{"question": "a"}` + "\n", []string{
			"f.jsonl:2: bad JSON: invalid character '}'",
			"f.jsonl:3: bad JSON: want an object, got array",
			"f.jsonl:4: bad JSON: want an object, got null",
			`f.jsonl:5: key "question": want a string, got an array`,
			`f.jsonl:6: empty answer ("answer")`,
		}},
		{"line too long", "jsonl", `{"question": "a", "answer": "b"}` + "\n" + strings.Repeat("x", maxLineBytes+1),
			[]string{"f.jsonl:2: line longer than 16 MiB; stopped reading"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImportFAQ("f."+tt.format, strings.NewReader(tt.input), tt.format)
			if err == nil {
				t.Fatalf("no error; got %d articles", len(got))
			}
			if got != nil {
				t.Errorf("got %d articles along with the error", len(got))
			}
			checkProblems(t, err, tt.want)
		})
	}
}

func TestImportFAQStopsAfterMaxProblems(t *testing.T) {
	input := "question,answer\n" + strings.Repeat(",\n", 2*maxProblems)
	_, err := ImportFAQ("f.csv", strings.NewReader(input), "csv")
	msgs := problems(err)
	if len(msgs) != maxProblems+1 || msgs[len(msgs)-1] != "f.csv: stopped after 100 problems" {
		t.Errorf("got %d problems, last %q", len(msgs), msgs[len(msgs)-1])
	}
}

func TestCappedReader(t *testing.T) {
	buf := make([]byte, 16)
	r := &cappedReader{r: strings.NewReader("hello"), left: 4}
	n, err := r.Read(buf)
	if n != 4 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	if _, err := r.Read(buf); !errors.Is(err, errTooLarge) {
		t.Errorf("past the limit: %v, want errTooLarge", err)
	}
	r = &cappedReader{r: strings.NewReader("hell"), left: 4}
	r.Read(buf)
	if _, err := r.Read(buf); err == nil || errors.Is(err, errTooLarge) {
		t.Errorf("at the limit: %v, want EOF", err)
	}
}

func TestSentenceCase(t *testing.T) {
	for in, want := range map[string]string{
		"Pull up Account":      "Pull up account",
		"Log Out/In":           "Log out/in",
		"Search FAQ":           "Search FAQ",
		"ask the Oracle":       "Ask the oracle",
		"Plan B":               "Plan B",
		"(only) Verify Me":     "(Only) verify me",
		"":                     "",
		"Notify Internal Team": "Notify internal team",
	} {
		if got := sentenceCase(in); got != want {
			t.Errorf("sentenceCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzImportFAQ checks that no input panics and that whatever is accepted
// can be written and loaded as a knowledge base.
func FuzzImportFAQ(f *testing.F) {
	f.Add("question,answer,intent\nhi,hello,greet\n", false)
	f.Add("question,answer\n\"unterminated,x\n", false)
	f.Add("text,response\n\x00\x1b,\xff\xfe\n", false)
	f.Add(`{"question": "a", "answer": "b", "intent": "---"}`, true)
	f.Add(`{"text": "\u2028", "response": "\"x\": y"}`, true)
	f.Fuzz(func(t *testing.T, input string, jsonl bool) {
		format := "csv"
		if jsonl {
			format = "jsonl"
		}
		articles, err := ImportFAQ("f", strings.NewReader(input), format)
		if err != nil {
			return
		}
		for _, a := range articles {
			checkImported(t, a)
		}
		if err := WriteDir(t.TempDir(), articles); err != nil {
			t.Fatal(err)
		}
	})
}

// checkImported checks that an imported article would pass kb lint and holds
// no control characters but newlines and tabs.
func checkImported(t *testing.T, a Article) {
	t.Helper()
	if !validID.MatchString(a.ID) || a.Title == "" || a.Answer == "" || a.Lang == "" {
		t.Errorf("invalid article %q: title %q, answer %q, lang %q", a.ID, a.Title, a.Answer, a.Lang)
	}
	text := strings.Join(append(append([]string{a.Title, a.Answer, a.Body}, a.Questions...), a.Actions...), "\n")
	if i := strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
		t.Errorf("article %s holds control character %q", a.ID, text[i:i+1])
	}
}

// checkProblems checks that err joins exactly the problems want, each given
// by a prefix of its message.
func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	got := problems(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i+1, got[i], want[i])
		}
	}
}

// byID indexes articles by id.
func byID(articles []Article) map[string]*Article {
	m := make(map[string]*Article, len(articles))
	for i := range articles {
		m[articles[i].ID] = &articles[i]
	}
	return m
}
