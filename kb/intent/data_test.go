package intent

import (
	"strings"
	"testing"
)

func TestReadBanking77(t *testing.T) {
	got, err := ReadBanking77(strings.NewReader("text,category\n\"Hi, my card?\",card_arrival\nPIN blocked,pin_blocked\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Example{"Hi, my card?", "card_arrival"}) {
		t.Errorf("ReadBanking77 = %v", got)
	}
	for name, in := range map[string]string{
		"empty":        "",
		"wrong header": "utterance,label\nhi,x\n",
		"no rows":      "text,category\n",
		"short row":    "text,category\nhi\n",
		"blank text":   "text,category\n  ,x\n",
		"bad quote":    "text,category\n\"unterminated,x\n",
	} {
		if _, err := ReadBanking77(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestReadCLINC150(t *testing.T) {
	got, err := ReadCLINC150(strings.NewReader(`{"train": [["what is my balance", "balance"]], "oos_val": [["play jazz", "oos"]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got["train"]) != 1 || got["oos_val"][0].Label != OutOfScope {
		t.Errorf("ReadCLINC150 = %v", got)
	}
	for name, in := range map[string]string{
		"not json":   "{",
		"not pairs":  `{"train": [["only text"]]}`,
		"blank text": `{"train": [[" ", "x"]]}`,
		"wrong type": `{"train": {"a": 1}}`,
	} {
		if _, err := ReadCLINC150(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
