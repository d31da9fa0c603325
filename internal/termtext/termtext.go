// Package termtext makes text from outside the program safe to print on a
// terminal.
package termtext

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Sanitize makes text from outside the program (customers, models, files)
// safe to draw: invalid UTF-8 becomes U+FFFD, escape sequences (CSI, OSC,
// DCS and the like) are removed, tabs and line breaks become spaces, and
// other control and bidirectional-override characters are dropped. The
// result is one line of printable text.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidiControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII, the common case, which needs
// no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isBidiControl reports whether r is a bidirectional embedding, override or
// isolate, which can make text display in a different order from the one it
// is read in.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
