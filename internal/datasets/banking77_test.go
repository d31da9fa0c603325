package datasets

import (
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestReadBanking77(t *testing.T) {
	rows, err := Load(datasetstest.Sample(t, "banking77/train.csv"), ReadBanking77)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]int{}
	for _, r := range rows {
		labels[r.Label]++
	}
	if len(rows) != 385 || len(labels) != 77 || rows[0] != (Example{"I am still waiting on my card?", "card_arrival"}) {
		t.Errorf("%d rows of %d intents, first %+v", len(rows), len(labels), rows[0])
	}
	got, err := ReadBanking77("b.csv", strings.NewReader("\uFEFFtext,category\n\"Hi, my card?\",card_arrival\nPIN blocked,pin_blocked\n"))
	if err != nil || len(got) != 2 || got[0] != (Example{"Hi, my card?", "card_arrival"}) {
		t.Errorf("ReadBanking77 = %v, %v", got, err)
	}
	for name, tc := range map[string]struct{ in, want string }{
		"empty":        {"", "read banking77 b.csv: EOF"},
		"wrong header": {"utterance,label\nhi,x\n", `b.csv:1: header is "utterance,label", want text,category`},
		"no rows":      {"text,category\n", "read banking77 b.csv: no rows"},
		"short row":    {"text,category\nhi\n", "read banking77 b.csv: record on line 2: wrong number of fields"},
		"blank text":   {"text,category\nhi,x\n  ,x\n", "b.csv:3: empty text or category"},
		"bad quote":    {"text,category\n\"unterminated,x\n", "read banking77 b.csv: parse error on line 2"},
	} {
		if _, err := ReadBanking77("b.csv", strings.NewReader(tc.in)); !strings.HasPrefix(errText(err), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestReadCLINC150(t *testing.T) {
	splits, err := Load(datasetstest.Sample(t, "clinc150/train_val.json"), ReadCLINC150)
	if err != nil {
		t.Fatal(err)
	}
	if len(splits["train"]) != 750 || len(splits["val"]) != 300 || len(splits["oos_train"]) != 20 || len(splits["oos_val"]) != 20 {
		t.Errorf("splits of %d, %d, %d and %d rows", len(splits["train"]), len(splits["val"]), len(splits["oos_train"]), len(splits["oos_val"]))
	}
	if splits["val"][0] != (Example{"in spanish, meet me tomorrow is said how", "translate"}) || splits["oos_val"][0].Label != CLINC150OutOfScope {
		t.Errorf("first val row %+v, first oos_val %+v", splits["val"][0], splits["oos_val"][0])
	}
	for name, tc := range map[string]struct{ in, want string }{
		"not json":   {"{", "c.json:1: bad JSON: the file ends before the JSON does"},
		"not pairs":  {"{\"train\": [\n[\"only text\"]]}", "c.json:2: train[0]: want [text, intent]"},
		"blank text": {`{"train": [["a", "b"], [" ", "x"]]}`, "c.json:1: train[1]: want [text, intent] (column 24)"},
		"wrong type": {`{"train": {"a": 1}}`, `c.json:1: want split "train" to be a JSON array`},
		"a number":   {`{"train": [["a", 1]]}`, "c.json:1: train[0]: want a string, got number"},
	} {
		if _, err := ReadCLINC150("c.json", strings.NewReader(tc.in)); !strings.HasPrefix(errText(err), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestReadBitext(t *testing.T) {
	rows, err := Load(datasetstest.Sample(t, "bitext/Bitext_Sample_Customer_Support_Training_Dataset.csv"), ReadBitext)
	if err != nil {
		t.Fatal(err)
	}
	intents := map[string]bool{}
	for _, r := range rows {
		intents[r.Intent] = true
	}
	first := rows[0]
	if len(rows) != 108 || len(intents) != 27 || first.Instruction != "how can I cancel purchase 113542617735902?" ||
		first.Intent != "cancel_order" || first.Category != "ORDER" || !strings.HasPrefix(first.Response, "I understand how unnerving") {
		t.Errorf("%d rows of %d intents, first %+v", len(rows), len(intents), first)
	}
	if _, err := ReadBitext("b.csv", strings.NewReader("instruction,intent,response\nhi,greet,hello\n")); errText(err) != `b.csv:1: no column "category" in the header ["instruction" "intent" "response"]` {
		t.Errorf("no category: %v", err)
	}
}

func TestReadAirline(t *testing.T) {
	rows, err := ReadAirline("air.csv", strings.NewReader("tweet_id,airline_sentiment,text\n1,negative,\"@united late, again\"\n2,positive,thanks!\n"))
	if err != nil || len(rows) != 2 || rows[0] != (Example{"@united late, again", "negative"}) {
		t.Errorf("ReadAirline = %+v, %v", rows, err)
	}
	for in, want := range map[string]string{
		"id,text\n1,hi\n": `air.csv:1: need columns text and airline_sentiment, have ["id" "text"]`,
		"airline_sentiment,text\nneutral,a\nangry,hi\n": `air.csv:3: airline_sentiment "angry" is not positive, negative or neutral`,
		"airline_sentiment,x,text\nneutral\n":           "air.csv:2: too few columns",
	} {
		if _, err := ReadAirline("air.csv", strings.NewReader(in)); errText(err) != want {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}
