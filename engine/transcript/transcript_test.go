package transcript

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestImportRealDataSets(t *testing.T) {
	for _, tc := range []struct {
		path    string
		format  Format
		calls   int
		channel string
		firstID string
	}{
		{"sgd/sgd_banks_dialogues.jsonl", FormatSGD, 60, "chat", "sgd-32_00011"},
		{"hvb/hvb_sample_conversations.jsonl", FormatHVB, 4, "voice", "hvb-0002f70f7386445b"},
		{"abcd/abcd_sample.json", FormatABCD, 3, "chat", "abcd-3592"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			path := datasetstest.Sample(t, tc.path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if f, err := Detect(data); err != nil || f != tc.format {
				t.Fatalf("Detect = %s, %v; want %s", f, err, tc.format)
			}
			calls, warns, err := LoadFile(path, FormatAuto)
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) != 0 {
				t.Errorf("warnings on clean data: %v", warns[:min(3, len(warns))])
			}
			if len(calls) != tc.calls || calls[0].ID != tc.firstID {
				t.Fatalf("%d calls, first %q; want %d, %q", len(calls), calls[0].ID, tc.calls, tc.firstID)
			}
			for _, c := range calls {
				if c.Channel != tc.channel || c.Title == "" || len(c.Utterances) == 0 {
					t.Errorf("%s: channel %q title %q, %d utterances", c.ID, c.Channel, c.Title, len(c.Utterances))
				}
				var speakers = map[string]int{}
				last := -1.0
				for _, u := range c.Utterances {
					speakers[u.Speaker]++
					if u.Offset < last || u.Duration <= 0 || u.Text == "" {
						t.Fatalf("%s: bad utterance %+v after offset %v", c.ID, u, last)
					}
					last = u.Offset
				}
				if speakers["customer"] == 0 || speakers["agent"] == 0 || len(speakers) != 2 {
					t.Errorf("%s: speakers %v", c.ID, speakers)
				}
			}
		})
	}
}

func TestHVBKeepsRecordedTiming(t *testing.T) {
	calls, _, err := LoadFile(datasetstest.Sample(t, "hvb/hvb_sample_conversations.jsonl"), FormatHVB)
	if err != nil {
		t.Fatal(err)
	}
	u := calls[0].Utterances[0]
	if u.Offset != 1.669 || u.Duration != 2.67 || u.Speaker != "agent" || u.Text != "hello this is harper valley national bank" {
		t.Errorf("first segment = %+v", u)
	}
}

func TestABCDActionRowsAreActionsNotSpeech(t *testing.T) {
	calls, _, err := LoadFile(datasetstest.Sample(t, "abcd/abcd_sample.json"), FormatABCD)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range calls[0].Utterances {
		if strings.HasPrefix(u.Text, "Account has been pulled up") {
			t.Fatalf("action row replayed as speech: %+v", u)
		}
	}
	if calls[0].Customer != "crystal minh" || !strings.Contains(calls[0].Title, "return size") {
		t.Errorf("call = %+v", calls[0])
	}
	acts := calls[0].Actions
	if len(acts) == 0 || acts[0].ID != "pull-up-account" || acts[0].After == 0 {
		t.Fatalf("actions %+v, want pull-up-account first, after some speech", acts)
	}
	for i := 1; i < len(acts); i++ {
		if acts[i].After < acts[i-1].After || acts[i].After > len(calls[0].Utterances) {
			t.Errorf("action %d %+v out of order", i, acts[i])
		}
	}
}

func TestCallsFormatBadInput(t *testing.T) {
	huge := strings.Repeat("very long complaint ", 1<<16) // ~1.3 MB
	input := strings.Join([]string{
		`{"type":"call","call_id":"bad-1","title":"Bad input","channel":"fax"}`,
		`{"offset":1,"duration":2,"speaker":"agent","text":"Larkspur Bank, how can I help?"}`,
		`{"offset":3,"speaker":"customer","text":"I lost my card"`, // truncated
		`not json at all`,
		`{"offset":4,"speaker":"robot","text":"beep"}`,
		"{\"offset\":5,\"speaker\":\"customer\",\"text\":\"invalid \xff\xfe utf8 here\"}",
		`{"offset":6,"speaker":"customer","text":"` + huge + `"}`,
		`{"offset":2,"speaker":"agent","text":"going back in time"}`,
		`{"speaker":"customer","text":"   "}`,
		`{"speaker":"customer"}`,
		`{"type":"note","text":"x"}`,
		``,
		`{"speaker":"Customer","text":"no offset at all"}`,
	}, "\n")
	calls, warns, err := Parse("bad.jsonl", []byte(input), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	var texts []string
	for _, u := range c.Utterances {
		texts = append(texts, u.Text[:min(len(u.Text), 20)])
	}
	if len(c.Utterances) != 5 {
		t.Fatalf("kept %d utterances %q, want 5", len(c.Utterances), texts)
	}
	if c.Channel != "voice" {
		t.Errorf("unknown channel kept: %q", c.Channel)
	}
	if got := c.Utterances[1].Text; got != "invalid \uFFFD\uFFFD utf8 here" {
		t.Errorf("invalid UTF-8 not repaired: %q", got)
	}
	if n := len(c.Utterances[2].Text); n > MaxUtteranceBytes {
		t.Errorf("1 MB utterance kept at %d bytes", n)
	}
	if off := c.Utterances[3].Offset; off != 6 {
		t.Errorf("backwards offset placed at %v, want 6", off)
	}
	if u := c.Utterances[4]; u.Speaker != "customer" || u.Offset <= c.Utterances[3].Offset {
		t.Errorf("utterance without offset = %+v", u)
	}
	wantLines := map[int]string{1: "unknown channel", 3: "malformed JSON", 4: "malformed JSON", 5: "unknown speaker", 6: "invalid UTF-8", 7: "cut to", 8: "runs backwards", 9: "empty utterance", 10: "no text", 11: "unknown line type"}
	for line, frag := range wantLines {
		found := false
		for _, w := range warns {
			if w.Line == line && strings.Contains(w.Msg, frag) && w.File == "bad.jsonl" {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning %q on line %d; got %v", frag, line, warns)
		}
	}
	if s := warns[0].String(); !strings.HasPrefix(s, "bad.jsonl:1: ") {
		t.Errorf("warning string %q does not name file and line", s)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, _, err := LoadFile(filepath.Join(dir, "missing.jsonl"), FormatAuto); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := LoadFile(write("empty.jsonl", "\n \n"), FormatAuto); !errors.Is(err, ErrNoCalls) || !strings.Contains(err.Error(), "empty.jsonl") {
		t.Errorf("empty file: %v", err)
	}
	if _, _, err := LoadFile(write("garbage.txt", "hello there\n"), FormatAuto); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("garbage file: %v", err)
	}
	if _, warns, err := LoadFile(write("headeronly.jsonl", `{"type":"call","call_id":"x"}`), FormatAuto); !errors.Is(err, ErrNoCalls) || len(warns) != 1 {
		t.Errorf("header only: %v %v", err, warns)
	}
	if _, warns, err := LoadFile(write("sgd.jsonl", "{\"dialogue_id\":\"1\",\"turns\":[]}\n{\"dialogue_id\":\"2\",\"turns\":[{\"speaker\":\"USER\",\"utterance\":\"hi\"}]}\n{broken\n"), FormatSGD); err != nil || len(warns) != 2 {
		t.Errorf("sgd with a broken line: %v %v", err, warns)
	}
	if _, _, err := LoadFile(write("abcd.json", "[{\"convo_id\": 1, "), FormatABCD); err == nil {
		t.Error("truncated ABCD file accepted")
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestUtterancesBeforeHeaderGetAFileCall(t *testing.T) {
	calls, _, err := Parse("dir/chat.jsonl", []byte(`{"speaker":"customer","text":"hello, what's my balance"}`), FormatAuto)
	if err != nil || len(calls) != 1 || calls[0].ID != "chat" {
		t.Fatalf("calls %+v, err %v", calls, err)
	}
}

func TestUniqueIDs(t *testing.T) {
	calls := []Call{{ID: "a"}, {ID: "b"}, {ID: "a"}, {ID: "a"}}
	UniqueIDs(calls)
	got := []string{calls[0].ID, calls[1].ID, calls[2].ID, calls[3].ID}
	if strings.Join(got, ",") != "a,b,a#2,a#3" {
		t.Errorf("ids = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type":"call","call_id":"x"}` + "\n" + `{"offset":1,"speaker":"customer","text":"hi"}`))
	f.Add([]byte(`[{"convo_id":1,"original":[["customer","hi"]]}]`))
	f.Add([]byte(`{"dialogue_id":"1","turns":[{"speaker":"USER","utterance":"hi"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		calls, _, err := Parse("fuzz", data, FormatAuto)
		if err == nil && len(calls) == 0 {
			t.Fatal("no error and no calls")
		}
	})
}
