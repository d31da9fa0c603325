package llm

import (
	"strings"
	"unicode"
)

// maxTextRunes caps a text from the model: a draft an agent reads during a
// call, a summary field. A model that runs on is cut, not scrolled.
const maxTextRunes = 1000

// ellipsis ends a text that was cut at its cap.
const ellipsis = '…'

// sanitizer makes a model's text safe to show in a terminal, piece by
// piece as it streams: escape sequences (CSI, OSC, DCS and the like, 7- and
// 8-bit) are removed, as are C0 and C1 control characters other than the
// newline and bidirectional overrides; each run of white space becomes one
// space, or one newline if it held a line break; the text is trimmed and
// cut at max runes (the last being "…"). The pieces write returns
// concatenate to exactly the text String returns, so what the agent saw
// stream is what they get. An escape sequence split across pieces is
// removed whole: the state carries over.
type sanitizer struct {
	max     int // the cap in runes; 0 for none
	state   escState
	pending rune // white space held until the next visible rune: 0, ' ' or '\n'
	runes   int  // runes written
	full    bool // the cap was reached: nothing more is written
	text    strings.Builder
}

// escState is where the sanitizer is in an escape sequence.
type escState int

const (
	inText   escState = iota
	inEsc             // after ESC
	inEscInt          // ESC and intermediate bytes (ESC ( B)
	inCSI             // ESC [ or CSI: parameters until a final byte
	inString          // OSC, DCS, SOS, PM, APC: until BEL or ST
	inStrEsc          // ESC inside a string: ST if '\' follows
)

// newSanitizer returns a sanitizer that caps its text at max runes.
func newSanitizer(max int) *sanitizer { return &sanitizer{max: max} }

// sanitize returns s made safe to show, at most max runes long.
func sanitize(s string, max int) string {
	z := newSanitizer(max)
	z.write(s)
	return z.String()
}

// String returns the text so far.
func (z *sanitizer) String() string { return z.text.String() }

// write sanitises the next piece of text and returns what it adds to the
// text, possibly "".
func (z *sanitizer) write(piece string) string {
	start := z.text.Len()
	for _, r := range piece {
		if z.full {
			break
		}
		z.step(r)
	}
	return z.text.String()[start:]
}

// step takes one rune through the escape-sequence state machine.
func (z *sanitizer) step(r rune) {
	switch z.state {
	case inEsc:
		switch {
		case r == '[':
			z.state = inCSI
		case r == ']' || r == 'P' || r == 'X' || r == '^' || r == '_':
			z.state = inString
		case r >= 0x20 && r <= 0x2f:
			z.state = inEscInt
		case r >= 0x30 && r <= 0x7e:
			z.state = inText // a two-character sequence (ESC 7, ESC c)
		default:
			z.state = inText
			z.text1(r)
		}
	case inEscInt:
		switch {
		case r >= 0x20 && r <= 0x2f:
		case r >= 0x30 && r <= 0x7e:
			z.state = inText
		default:
			z.state = inText
			z.text1(r)
		}
	case inCSI:
		switch {
		case r >= 0x20 && r <= 0x3f:
		case r >= 0x40 && r <= 0x7e:
			z.state = inText
		default:
			// Not a CSI after all: a terminal would abort it too.
			z.state = inText
			z.text1(r)
		}
	case inString:
		switch r {
		case 0x07, 0x9c:
			z.state = inText
		case 0x1b:
			z.state = inStrEsc
		}
	case inStrEsc:
		if r == '\\' {
			z.state = inText
		} else {
			z.state = inEsc
			z.step(r)
		}
	default:
		z.text1(r)
	}
}

// text1 takes one rune outside any escape sequence.
func (z *sanitizer) text1(r rune) {
	switch {
	case r == 0x1b:
		z.state = inEsc
	case r == 0x9b:
		z.state = inCSI
	case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
		z.state = inString
	case r == '\n' || r == '\u2028' || r == '\u2029':
		z.pending = '\n'
	case unicode.IsSpace(r):
		if z.pending == 0 {
			z.pending = ' '
		}
	case unicode.IsControl(r) || isBidiControl(r):
		// Dropped: C0 (but the newline, above), DEL, C1, overrides.
	default:
		z.emit(r)
	}
}

// emit writes a visible rune, after the white space held before it unless
// it is leading, or the ellipsis when the cap is reached.
func (z *sanitizer) emit(r rune) {
	need := 1
	if z.pending != 0 && z.runes > 0 {
		need++
	}
	if z.max > 0 && z.runes+need > z.max-1 {
		z.text.WriteRune(ellipsis)
		z.runes++
		z.full = true
		return
	}
	if need == 2 {
		z.text.WriteRune(z.pending)
		z.runes++
	}
	z.pending = 0
	z.text.WriteRune(r)
	z.runes++
}

// isBidiControl reports whether r is a bidirectional embedding, override or
// isolate, which can make text display in a different order from the one it
// is read in.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
