package assist

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordSpans returns the byte spans of the words of text: letters, digits,
// apostrophes and inner hyphens ("thirty-five", "won't").
func wordSpans(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' ||
			(r == '-' && start >= 0 && i+1 < len(text) && isWordByte(text[i+1]))
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// cutAtWord shortens text to at most n bytes, at a word boundary, marking
// the cut with "…".
func cutAtWord(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return strings.TrimRight(text[:cut], " ,;:-") + "…"
}

// sentenceSpans splits text into sentences and returns their byte spans,
// trimmed of spaces. A sentence ends at ".", "!", "?" or "…" (with any
// closing quotes) before a space, at a line break, or at the end of the
// text, punctuated or not. It does not end inside a number ("$12.50",
// "3.80%"), after a title or an initial ("Mr.", "Dr.", "J."), after a
// dotted abbreviation or an ellipsis followed by a lowercase word ("e.g.
// the", "That's... okay"), or after "No." before a number.
func sentenceSpans(text string) [][2]int {
	var out [][2]int
	start := 0
	emit := func(end int) {
		s, e := start, end
		for s < e && isSpaceByte(text[s]) {
			s++
		}
		for e > s && isSpaceByte(text[e-1]) {
			e--
		}
		if s < e {
			out = append(out, [2]int{s, e})
		}
		start = end
	}
	for i := 0; i < len(text); {
		if text[i] == '\n' {
			emit(i)
			i++
			continue
		}
		j := i
		for j < len(text) {
			if c := text[j]; c == '.' || c == '!' || c == '?' {
				j++
			} else if strings.HasPrefix(text[j:], "…") {
				j += len("…")
			} else {
				break
			}
		}
		if j == i {
			i++
			continue
		}
		for j < len(text) && strings.IndexByte("\"')]", text[j]) >= 0 {
			j++
		}
		for _, q := range []string{"”", "’"} {
			if strings.HasPrefix(text[j:], q) {
				j += len(q)
			}
		}
		if j == len(text) || (isSpaceByte(text[j]) && endsSentence(text, i, j)) {
			emit(j)
		}
		i = j
	}
	emit(len(text))
	return out
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// titles are the abbreviations after which a full stop never ends a
// sentence.
var titles = setOf("mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "vs", "approx", "dept", "inc", "ltd", "co")

// endsSentence decides whether the punctuation text[i:j], followed by a
// space, ends a sentence.
func endsSentence(text string, i, j int) bool {
	next := ""
	if k := strings.IndexFunc(text[j:], func(r rune) bool { return !unicode.IsSpace(r) }); k >= 0 {
		next = text[j+k:]
	}
	r, _ := utf8.DecodeRuneInString(next)
	lowerNext := unicode.IsLower(r)
	punct := strings.TrimRight(text[i:j], "\"')]”’")
	if punct == "." {
		w := i
		for w > 0 && (isWordByte(text[w-1]) && text[w-1] < 0x80 || text[w-1] == '.') {
			w--
		}
		word := strings.ToLower(text[w:i])
		switch {
		case titles[word]:
			return false
		case len(word) == 1 && 'a' <= word[0] && word[0] <= 'z' && text[w] >= 'A' && text[w] <= 'Z':
			return false // an initial: "J. Smith"
		case strings.Contains(word, "."):
			return !lowerNext && !unicode.IsDigit(r) // "e.g. the", "5 p.m. Then"
		case word == "no" && unicode.IsDigit(r):
			return false
		}
		return true
	}
	if strings.Contains(punct, "..") || strings.Contains(punct, "…") {
		return !lowerNext
	}
	return true
}
