package ingest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/larkspur-labs/assist/engine/event"
)

// FuzzChatMessage checks that whatever a client sends, ParseChatMessage
// either refuses it with a 400 or returns a message that holds every
// promise the handlers rely on, and that survives a round trip.
//
//	go test -run '^$' -fuzz FuzzChatMessage -fuzztime 20s ./engine/ingest
func FuzzChatMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"start","call_id":"c1","queue":"billing","agent":"a1","customer":"cust-9","title":"Lost card"}`,
		`{"type":"message","id":"m1","call_id":"c1","speaker":"customer","text":"I lost my card"}`,
		`{"call_id":"c1","speaker":"agent","text":"\u001b[2J\u202e hi"}`,
		`{"type":"end","call_id":"c1"}`,
		`{"call_id":"c1","text":"a\u0000b"}`,
		`{"call_id":"","text":"x"}`,
		`{"call_id":"c1","text":"\ud800"}`,
		`{"call_id":"c1","text":"x"}{}`,
		`{"type":"hangup","call_id":"c1"}`,
		`{"call_id":"c1","text":"   "}`,
		"{\"call_id\":\"c1\",\"text\":\"\xff\"}",
		`null`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	reasons := map[string]bool{"malformed": true, "bad_message": true, "unknown_type": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseChatMessage(data)
		if err != nil {
			var ie *ingestError
			if !errors.As(err, &ie) || ie.status != http.StatusBadRequest || !reasons[ie.reason] || ie.msg == "" {
				t.Fatalf("error %#v is not a 400 with a known reason", err)
			}
			return
		}
		if m.CallID == "" || len(m.CallID) > MaxChatID || len(m.ID) > MaxChatID || !utf8.ValidString(m.CallID) {
			t.Fatalf("accepted call_id %q id %q", m.CallID, m.ID)
		}
		switch m.Type {
		case ChatText:
			if m.Speaker != event.SpeakerCustomer && m.Speaker != event.SpeakerAgent {
				t.Fatalf("accepted speaker %q", m.Speaker)
			}
			if strings.TrimSpace(m.Text) == "" || len(m.Text) > MaxChatText || strings.ContainsRune(m.Text, 0) || !utf8.ValidString(m.Text) {
				t.Fatalf("accepted text %q", m.Text)
			}
		case ChatStart, ChatEnd:
			if m.Text != "" || m.Speaker != "" {
				t.Fatalf("accepted a %s with text %q speaker %q", m.Type, m.Text, m.Speaker)
			}
		default:
			t.Fatalf("accepted type %q", m.Type)
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseChatMessage(again)
		if err != nil || back != m {
			t.Fatalf("round trip of %+v: %+v, %v", m, back, err)
		}
	})
}
