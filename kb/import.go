package kb

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Helpers shared by the importers: ids, text cleaning, limits and problem
// collection.

// maxIDLen bounds ids made from whole questions, which make poor file names
// when long.
const maxIDLen = 60

// truncateID shortens a kebab-case id to maxIDLen at a hyphen.
func truncateID(id string) string {
	if len(id) <= maxIDLen {
		return id
	}
	cut := id[:maxIDLen+1]
	if i := strings.LastIndexByte(cut, '-'); i > 0 {
		return cut[:i]
	}
	return id[:maxIDLen]
}

// slug turns text into a kebab-case id: ASCII letters and digits, lower
// case, every other run of characters a single hyphen, apostrophes dropped
// ("what's" becomes "whats"). It is empty when s has no ASCII letter or digit.
func slug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’':
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
	}
	return b.String()
}

// slugOr is slug(s), or "faq-<line>" when s has nothing to make an id from
// (a label in a non-Latin script, say).
func slugOr(s string, line int) string {
	if id := slug(s); id != "" {
		return id
	}
	return "faq-" + strconv.Itoa(line)
}

// humanize turns a label such as "cancel_order" into a title, "Cancel order".
func humanize(label string) string {
	if strings.ToUpper(label) == label {
		label = strings.ToLower(label) // ORDER_STATUS is shouting, not acronyms
	}
	words := strings.FieldsFunc(label, func(r rune) bool { return r == '_' || r == '-' || unicode.IsSpace(r) })
	if len(words) == 0 {
		return label
	}
	return sentenceCase(strings.Join(words, " "))
}

// sentenceCase capitalises the first letter of s and lower-cases the later
// capitalised words ("Pull up Account" becomes "Pull up account"), keeping
// acronyms and single letters ("Search FAQ", "Plan B") as they are.
func sentenceCase(s string) string {
	runes := []rune(s)
	for i := 0; i < len(runes); {
		if !unicode.IsLetter(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && unicode.IsLetter(runes[j]) {
			j++
		}
		word := runes[i:j]
		if i > 0 && len(word) > 1 && unicode.IsUpper(word[0]) && !slices.ContainsFunc(word[1:], unicode.IsUpper) {
			word[0] = unicode.ToLower(word[0])
		}
		i = j
	}
	for i, r := range runes {
		if unicode.IsLetter(r) {
			runes[i] = unicode.ToUpper(r)
			break
		}
	}
	return string(runes)
}

// cleanText makes imported text safe to store and show: invalid UTF-8 is
// replaced, line breaks become \n, control characters other than \n and \t
// are dropped (they could drive the agent's terminal) and surrounding space
// is trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanLine is cleanText folded onto one line with single spaces, for
// questions, titles and labels.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// maxImportBytes bounds an imported file; real FAQ and guideline files are a
// few megabytes.
const maxImportBytes = 256 << 20

// errTooLarge reports a file beyond maxImportBytes.
var errTooLarge = fmt.Errorf("file larger than %d MiB", maxImportBytes>>20)

// cappedReader reads at most left bytes from r and fails with errTooLarge if
// r has more, rather than truncating the file silently.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

// maxProblems bounds the problems reported for one file, so that a wrong or
// hostile file gives a readable error rather than millions of lines.
const maxProblems = 100

// importProblems collects the located problems of one imported file.
type importProblems struct {
	file string
	errs []error
}

// add records a problem on line of the file.
func (p *importProblems) add(line int, format string, args ...any) {
	if !p.full() {
		p.errs = append(p.errs, &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

// full reports whether no more problems are recorded; readers stop there.
func (p *importProblems) full() bool { return len(p.errs) >= maxProblems }

// err joins the problems, or is nil when there are none.
func (p *importProblems) err() error {
	if p.full() {
		return errors.Join(append(p.errs, fmt.Errorf("%s: stopped after %d problems", p.file, maxProblems))...)
	}
	return errors.Join(p.errs...)
}
