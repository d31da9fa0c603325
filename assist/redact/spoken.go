package redact

import (
	"slices"
	"strconv"
)

// Speech recognisers write numbers as words: "four one one one …",
// "double five", "march fourth nineteen eighty-eight". spoken rewrites the
// number words of a text as digits, keeping a map back to the original
// bytes, so that the same detectors judge a number whether it was typed or
// said, and a finding in the rewritten text becomes the span of the words.
//
// A number phrase is a run of number tokens: digit words ("zero", "oh",
// "one" … "nine"), teens and tens ("fifteen", "forty"), "hundred",
// "thousand" and "million" with "a" and "and" inside them ("a hundred and
// five"), "double"/"triple" before a digit, digits already written as
// digits ("4 one 1 one"), and an ordinal that ends the phrase ("twenty
// fourth"); "plus" before a phrase becomes "+". Tokens are joined by
// spaces, by a hyphen between words ("forty-one") or by a comma between
// words of dictation ("four, one, one", "forty one eleven, eleven
// eleven"). The phrase is read chunk by chunk and the chunks' digits are
// written one after the other, the way numbers are dictated: "forty one
// eleven" is 4111, "nineteen eighty eight" 1988, "oh three oh four eighty
// eight" 030488, while "fifteen hundred" is 1500 and "two thousand and
// five" 2005. After a month name the first chunk is the day alone. A
// phrase that is one digit word alone ("one of them", "I have two kids")
// stays as it is, and so does "oh" on its own: they are never personal
// data and are the commonest words of the list.

// wordClass is what a number word is.
type wordClass uint8

const (
	wNone     wordClass = iota
	wUnit               // zero … nine, and "oh", "o", "nought"
	wTeen               // ten … nineteen
	wTens               // twenty … ninety
	wOrdUnit            // first … ninth
	wOrdTeen            // tenth … nineteenth
	wOrdTens            // twentieth, thirtieth
	wHundred            // hundred
	wThousand           // thousand
	wMillion            // million
	wRepeat             // double, triple: the next digit said that many times
	wAnd                // "and", inside "a hundred and five"
	wA                  // "a", before "hundred" or "thousand"
	wPlus               // "plus" before a phone number
	wDigits             // digits written as digits
)

// numberWord is a number word's class and value (the repeat count of
// "double" and "triple").
type numberWord struct {
	class wordClass
	val   int
	oh    bool // "oh" or "o": zero only beside other number tokens
}

// numberWords are the words of spoken numbers.
var numberWords = func() map[string]numberWord {
	m := map[string]numberWord{
		"oh": {class: wUnit, oh: true}, "o": {class: wUnit, oh: true}, "nought": {class: wUnit},
		"hundred": {class: wHundred, val: 100}, "thousand": {class: wThousand, val: 1000},
		"million": {class: wMillion, val: 1000000},
		"double":  {class: wRepeat, val: 2}, "triple": {class: wRepeat, val: 3},
		"and": {class: wAnd}, "a": {class: wA}, "plus": {class: wPlus},
		"twentieth": {class: wOrdTens, val: 20}, "thirtieth": {class: wOrdTens, val: 30},
	}
	for v, w := range []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"} {
		m[w] = numberWord{class: wUnit, val: v}
	}
	for v, w := range []string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen"} {
		m[w] = numberWord{class: wTeen, val: 10 + v}
	}
	for v, w := range []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"} {
		m[w] = numberWord{class: wTens, val: 20 + 10*v}
	}
	for v, w := range []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"} {
		m[w] = numberWord{class: wOrdUnit, val: 1 + v}
	}
	for v, w := range []string{"tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
		"sixteenth", "seventeenth", "eighteenth", "nineteenth"} {
		m[w] = numberWord{class: wOrdTeen, val: 10 + v}
	}
	return m
}()

// maxNumberWord is the length of the longest number word ("seventeenth").
const maxNumberWord = 11

// numberWordBuckets holds the number words by first letter and length, so
// that most words of a text are ruled out by two array lookups: hashing
// every word made redaction of a number-free chat turn eight times slower.
var numberWordBuckets = func() (b [26][maxNumberWord + 1][]wordEntry) {
	for w, nw := range numberWords {
		b[w[0]-'a'][len(w)] = append(b[w[0]-'a'][len(w)], wordEntry{word: w, numberWord: nw})
	}
	return b
}()

// wordEntry is a number word and what it is.
type wordEntry struct {
	word string
	numberWord
}

// lookupNumberWord returns what word, ASCII letters of any case, is as a
// number word.
func lookupNumberWord(word string) (numberWord, bool) {
	if len(word) > maxNumberWord {
		return numberWord{}, false
	}
	for _, e := range numberWordBuckets[(word[0]|0x20)-'a'][len(word)] {
		if equalFold(word, e.word) {
			return e.numberWord, true
		}
	}
	return numberWord{}, false
}

// token is a number word or a run of digits in the text, text[start:end].
type token struct {
	start, end int
	numberWord
}

// isNumber reports whether the token can be part of a phrase's digits by
// itself (not "and", "a" or "plus", which only count beside others).
func (t token) isNumber() bool {
	switch t.class {
	case wNone, wAnd, wA, wPlus:
		return false
	}
	return true
}

// small reports whether the token starts a number below a hundred.
func (t token) small() bool {
	return (t.class == wUnit && !t.oh) || t.class == wTeen || t.class == wTens
}

func (t token) isWord() bool { return t.class != wDigits }

// replacement is a stretch of the original text, text[oStart:oEnd], that
// the rewritten text holds as digits at [nStart:nEnd].
type replacement struct {
	oStart, oEnd, nStart, nEnd int
}

// rewritten is a text with its number phrases written as digits.
type rewritten struct {
	text string
	reps []replacement
}

// origin maps a finding in the rewritten text back to the original text: a
// finding that touches a replaced phrase covers all of it.
func (w *rewritten) origin(start, end int) (int, int) {
	return w.toOrig(start, false), w.toOrig(end, true)
}

// toOrig maps a position of the rewritten text to the original: a start
// inside a replacement moves to its start, an end to its end.
func (w *rewritten) toOrig(p int, isEnd bool) int {
	shift := 0
	for _, r := range w.reps {
		switch {
		case isEnd && p > r.nStart && p <= r.nEnd, !isEnd && p >= r.nStart && p < r.nEnd:
			if isEnd {
				return r.oEnd
			}
			return r.oStart
		case p < r.nStart || (p == r.nStart && isEnd):
			return p + shift
		}
		shift = r.oEnd - r.nEnd
	}
	return p + shift
}

// spoken returns text with its number phrases written as digits, and false
// when it has none to rewrite.
func spoken(text string) (rewritten, bool) {
	var buf [32]token
	toks := numberTokens(text, buf[:0])
	// "a", "and" and "plus" count only beside number words.
	if !slices.ContainsFunc(toks, token.isNumber) {
		return rewritten{}, false
	}
	p := phraseReader{text: text, toks: toks}
	var out []byte
	var reps []replacement
	last := 0 // end of the original text copied so far
	var digits [64]byte
	for i := 0; i < len(toks); {
		d, start, end, next := p.phraseAt(i, digits[:0])
		i = next
		if d == nil {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(text))
		}
		out = append(out, text[last:start]...)
		nStart := len(out)
		out = append(out, d...)
		reps = append(reps, replacement{oStart: start, oEnd: end, nStart: nStart, nEnd: len(out)})
		last = end
	}
	if reps == nil {
		return rewritten{}, false
	}
	out = append(out, text[last:]...)
	return rewritten{text: string(out), reps: reps}, true
}

// hasNumberWord reports whether text holds a number word other than "a",
// "and" or "plus": whether spoken may have anything to rewrite. It stops
// at the first.
func hasNumberWord(text string) bool {
	for i := 0; i < len(text); {
		if byteClass[text[i]] != classLetter {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && byteClass[text[j]] == classLetter {
			j++
		}
		if w, ok := lookupNumberWord(text[i:j]); ok && w.class != wA && w.class != wAnd && w.class != wPlus {
			return true
		}
		i = j
	}
	return false
}

// numberTokens appends the number words and digit runs of text to buf, in
// order. A word counts only as a whole word, and digits only standing
// apart: not inside a word, and not glued to more digits by "-", ".", "/",
// "," or ":" (those belong to dates, times, amounts and codes).
func numberTokens(text string, buf []token) []token {
	for i := 0; i < len(text); {
		class := byteClass[text[i]]
		if class == classOther {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && byteClass[text[j]] == class {
			j++
		}
		switch {
		case class == classLetter:
			if w, ok := lookupNumberWord(text[i:j]); ok && apart(text, i, j) {
				buf = append(buf, token{start: i, end: j, numberWord: w})
			}
		case apart(text, i, j) && !(i >= 2 && isSep(text[i-1], tightSeps) && isDigit(text[i-2])) &&
			!(j+1 < len(text) && isSep(text[j], tightSeps) && isDigit(text[j+1])):
			buf = append(buf, token{start: i, end: j, numberWord: numberWord{class: wDigits}})
		}
		i = j
	}
	return buf
}

// The classes of bytes numberTokens tells apart.
const (
	classOther = iota
	classLetter
	classDigit
)

// byteClass is each byte's class, one lookup in the tokeniser's loop.
var byteClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = classLetter, classLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	return t
}()

// apart reports whether text[i:j] stands as a word of its own: no letter,
// digit, apostrophe or non-ASCII byte on either side (so "o'clock" holds no
// "o", and "café" no word to read).
func apart(text string, i, j int) bool {
	inWord := func(k int) bool {
		if k < 0 || k >= len(text) {
			return false
		}
		c := text[k]
		return isWord(c) || c == '\'' || c >= 0x80
	}
	return !inWord(i-1) && !inWord(j)
}

// phraseReader reads the number phrases of a text from its tokens.
type phraseReader struct {
	text string
	toks []token
}

// joined reports whether tokens a and a+1 belong to one phrase: only
// spaces between them, or a hyphen between two words, or a comma and
// spaces between two words of dictation (not after "oh": "oh, four" is an
// interjection).
func (p *phraseReader) joined(a int) bool {
	if a+1 >= len(p.toks) {
		return false
	}
	x, y := p.toks[a], p.toks[a+1]
	gap := p.text[x.end:y.start]
	if gap == "-" {
		return x.isWord() && y.isWord()
	}
	k := 0
	if gap != "" && gap[0] == ',' {
		if !x.isWord() || !y.isWord() || x.oh {
			return false
		}
		k = 1
	}
	if k == len(gap) {
		return false
	}
	for ; k < len(gap); k++ {
		if gap[k] != ' ' {
			return false
		}
	}
	return true
}

// next returns token k+1 when it is joined to token k.
func (p *phraseReader) next(k int) (token, bool) {
	if p.joined(k) {
		return p.toks[k+1], true
	}
	return token{}, false
}

// phraseAt reads the phrase that starts at token i and returns its digits
// (appended to d), its span in the text, and the index of the first token
// after it. The digits are nil when there is nothing to rewrite: no phrase
// starts at i, or it is one digit word alone, or digits only.
func (p *phraseReader) phraseAt(i int, d []byte) (digits []byte, start, end, next int) {
	first := i
	if p.toks[i].class == wPlus {
		if !p.joined(i) {
			return nil, 0, 0, i + 1
		}
		d = append(d, '+')
		i++
	}
	// After a month name the first chunk is the day: "march four nineteen
	// eighty-eight" is March 4, 1988, not March 41988.
	dayOnly := afterMonth(p.text, p.toks[i].start)
	j, words := i, 0
	for j < len(p.toks) && (j == i || p.joined(j-1)) {
		var n int
		var ordinal bool
		d, n, ordinal = p.chunk(j, d)
		if n == 0 {
			break
		}
		for k := j; k < j+n; k++ {
			if p.toks[k].isWord() {
				words++
			}
		}
		j += n
		if ordinal || dayOnly {
			break
		}
	}
	if j == i {
		return nil, 0, 0, max(i, first+1)
	}
	t := p.toks[i]
	lone := j == i+1 && t.class == wUnit && (t.oh || !dayOnly)
	if words == 0 || lone {
		return nil, 0, 0, j
	}
	return d, p.toks[first].start, p.toks[j-1].end, j
}

// afterMonth reports whether a month name, and maybe "the", stands just
// before p: "march fourth", "may the first".
func afterMonth(text string, p int) bool {
	e := p - 1
	if e < 1 || text[e] != ' ' {
		return false
	}
	s := e
	for s > 0 && isLetter(text[s-1]) {
		s--
	}
	if equalFold(text[s:e], "the") && s >= 2 && text[s-1] == ' ' {
		e = s - 1
		s = e
		for s > 0 && isLetter(text[s-1]) {
			s--
		}
	}
	return isMonth(text[s:e]) && (s == 0 || !isLetter(text[s-1]))
}

// chunk reads one number of a phrase at token i: digits as written, a
// digit word, "double"/"triple" and a digit, a number below a hundred, an
// ordinal, or a number built with "hundred", "thousand" and "million". It
// appends the number's digits to d and returns how many tokens it took (0
// when none starts at i) and whether it was an ordinal, which ends a
// phrase.
func (p *phraseReader) chunk(i int, d []byte) ([]byte, int, bool) {
	t := p.toks[i]
	switch t.class {
	case wDigits:
		return append(d, p.text[t.start:t.end]...), 1, false
	case wRepeat:
		n, ok := p.next(i)
		var c byte
		switch {
		case ok && n.class == wUnit:
			c = byte('0' + n.val)
		case ok && n.class == wDigits && n.end-n.start == 1:
			c = p.text[n.start]
		default:
			return d, 0, false
		}
		for range t.val {
			d = append(d, c)
		}
		return d, 2, false
	case wOrdUnit, wOrdTeen, wOrdTens:
		return appendOrdinal(d, t.val), 1, true
	case wA:
		if n, ok := p.next(i); ok && (n.class == wHundred || n.class == wThousand) {
			return p.compound(i, 1, 1, d)
		}
		return d, 0, false
	case wUnit, wTeen, wTens:
		v, n := t.val, 1
		if t.class == wTens {
			if nx, ok := p.next(i); ok {
				switch {
				case nx.class == wUnit && !nx.oh && nx.val > 0:
					v, n = v+nx.val, 2
				case nx.class == wOrdUnit:
					return appendOrdinal(d, v+nx.val), 2, true
				}
			}
		}
		if nx, ok := p.next(i + n - 1); ok && v > 0 && !t.oh &&
			(nx.class == wHundred || nx.class == wThousand || nx.class == wMillion) {
			return p.compound(i, v, n, d)
		}
		if t.class == wUnit {
			return append(d, byte('0'+v)), n, false
		}
		return strconv.AppendInt(d, int64(v), 10), n, false
	}
	return d, 0, false
}

// compound reads a number built with multipliers whose first n tokens,
// from token i, said small: "fifteen hundred", "a hundred and five", "two
// thousand twenty four", "one million two hundred thousand".
func (p *phraseReader) compound(i, small, n int, d []byte) ([]byte, int, bool) {
	total, cur := 0, small
	lastMul, hundred, tail := 0, false, false
	k := i + n
	for k < len(p.toks) && p.joined(k-1) {
		t := p.toks[k]
		switch {
		case t.class == wHundred && cur >= 1 && cur < 100 && !hundred:
			cur *= 100
			hundred, lastMul, tail = true, 100, false
			k++
		case t.class == wThousand && cur >= 1 && cur < 1000 && total%1000000 == 0 && lastMul != 1000:
			total += cur * 1000
			cur, hundred, lastMul, tail = 0, false, 1000, false
			k++
		case t.class == wMillion && cur >= 1 && cur < 1000 && total == 0:
			total = cur * 1000000
			cur, hundred, lastMul, tail = 0, false, 1000000, false
			k++
		case t.class == wAnd && lastMul > 0 && !tail && p.joined(k) && p.toks[k+1].small():
			k++
		case t.small() && lastMul > 0 && !tail:
			v, m := t.val, 1
			if nx, ok := p.next(k); ok && t.class == wTens && nx.class == wUnit && !nx.oh && nx.val > 0 {
				v, m = v+nx.val, 2
			}
			if lastMul == 100 {
				cur += v
			} else {
				cur = v
			}
			tail = true
			k += m
		default:
			return strconv.AppendInt(d, int64(total+cur), 10), k - i, false
		}
	}
	if p.toks[k-1].class == wAnd {
		k-- // never ends on "and"
	}
	return strconv.AppendInt(d, int64(total+cur), 10), k - i, false
}

// appendOrdinal appends v as a written ordinal: 1st, 2nd, 3rd, 4th, 11th,
// 22nd.
func appendOrdinal(d []byte, v int) []byte {
	d = strconv.AppendInt(d, int64(v), 10)
	switch {
	case v%100 >= 11 && v%100 <= 13:
		return append(d, "th"...)
	case v%10 == 1:
		return append(d, "st"...)
	case v%10 == 2:
		return append(d, "nd"...)
	case v%10 == 3:
		return append(d, "rd"...)
	}
	return append(d, "th"...)
}
