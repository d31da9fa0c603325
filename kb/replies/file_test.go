package replies

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/larkspur-labs/assist/kb"
)

func TestWriteReadRoundTrip(t *testing.T) {
	replies := Mine(handCalls(), MineOptions{MinCount: 1})
	replies = append(replies, Reply{ID: "reply-x", Text: "Fees & charges <apply>", Count: 1})
	var buf bytes.Buffer
	if err := Write(&buf, replies); err != nil {
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
	got, err := Read("replies.jsonl", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, replies) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, replies)
	}
}

func TestReadReportsEveryBadLine(t *testing.T) {
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
	_, err := Read("r.jsonl", strings.NewReader(in))
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
		var pe *kb.ParseError
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

func TestReadBigLinesAndEdges(t *testing.T) {
	big := Reply{ID: "reply-big", Text: "Let me look into that.", Count: 3, Contexts: []string{strings.Repeat("why ", 1<<20)}}
	var buf bytes.Buffer
	if err := Write(&buf, []Reply{big}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`{"id":"reply-last","text":"No newline at the end.","count":1}`)
	got, err := Read("big.jsonl", &buf)
	if err != nil || len(got) != 2 || len(got[0].Contexts[0]) != 4<<20 || got[1].ID != "reply-last" {
		t.Errorf("big line: %d replies, %v", len(got), err)
	}
	if got, err := Read("empty.jsonl", strings.NewReader("\n\n")); err != nil || len(got) != 0 {
		t.Errorf("blank file: %v, %v", got, err)
	}
	boom := errors.New("disk on fire")
	if _, err := Read("x.jsonl", iotest.ErrReader(boom)); !errors.Is(err, boom) || !strings.Contains(err.Error(), "x.jsonl") {
		t.Errorf("reader error: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"b","count":1,"contexts":["c"]}` + "\n"))
	f.Add([]byte("{\"id\":\"a\"\n\xff\xfe\n[[[[\n"))
	f.Add([]byte(`{"id":"a","text":"b","count":1e300}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		replies, err := Read("fuzz.jsonl", bytes.NewReader(data))
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
