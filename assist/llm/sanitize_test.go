package llm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"  lead and trail \n ", "lead and trail"},
		{"a \t\r b", "a b"},
		{"a \n\n \r\n b", "a\nb"},
		{"title\x1b]0;pwned\x07 bar", "title bar"},
		{"osc with st\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "osc with stlink"},
		{"clear\x1b[2Jscreen\x1b[1;31mred\x1b[0m", "clearscreenred"},
		{"charset\x1b(B ok", "charset ok"},
		{"reset\x1bc done", "reset done"},
		{"dcs\x1bPq#0;2;0;0;0\x1b\\ end", "dcs end"},
		{"c1 csi \u009b31mred and \u009d0;t\u009c osc", "c1 csi red and osc"},
		{"nul\x00 bell\x07 del\x7f nel\u0085x", "nul bell del nel x"},
		{"bidi \u202egnp.exe\u202c ok", "bidi gnp.exe ok"},
		{"line\u2028sep", "line\nsep"},
		{"nbsp\u00a0\u00a0here", "nbsp here"},
		{"bad utf8 \xff end", "bad utf8 \uFFFD end"},
		{"unterminated \x1b]0;title", "unterminated"},
		{"\x1b[", ""},
		{"日本語のテキスト", "日本語のテキスト"},
	} {
		if got := sanitize(tc.in, maxTextRunes); got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSanitizeCapsLength(t *testing.T) {
	long := strings.Repeat("word ", 400)
	got := sanitize(long, maxTextRunes)
	if n := utf8.RuneCountInString(got); n > maxTextRunes || !strings.HasSuffix(got, "…") {
		t.Errorf("capped text has %d runes, ends %q", n, got[len(got)-8:])
	}
	if got := sanitize("short", 10); got != "short" {
		t.Errorf("sanitize under the cap = %q", got)
	}
}

func TestSanitizerStreamsTheSameText(t *testing.T) {
	in := "  Hi\x1b]0;ti\x07 there,\r\n\n  friend\x1b[3" + "1m!\u009b2J " + strings.Repeat("x ", 600)
	// Every way of cutting the input into two pieces (between runes, as
	// JSON-decoded deltas are) gives the same text, and the pieces
	// returned concatenate to it.
	want := sanitize(in, maxTextRunes)
	cuts := []int{len(in)}
	for i := range in {
		cuts = append(cuts, i)
	}
	for _, cut := range cuts {
		z := newSanitizer(maxTextRunes)
		got := z.write(in[:cut]) + z.write(in[cut:])
		if got != want || z.String() != want {
			t.Fatalf("cut at %d: pieces make %q, text %q; want %q", cut, got, z.String(), want)
		}
	}
}
