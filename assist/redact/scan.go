package redact

// span is a maximal run of ASCII digits, text[start:end].
type span struct{ start, end int }

func (s span) len() int { return s.end - s.start }

// hit is a finding and how it was made.
type hit struct {
	Finding
	// answer is set when the finding was made only because the agent's
	// question asked for its kind (no cue, no self-evident shape).
	answer bool
}

// scanner holds one text while the detectors look at it.
type scanner struct {
	text  string
	runs  []span // the digit runs, in order
	found []hit  // accepted findings, in detection order
	ask   ask    // what the text answers; zero outside an answer
}

// scan runs the detectors in priority order; a later detector's candidate
// that overlaps an earlier finding is dropped. found ends sorted by Start.
func (s *scanner) scan() {
	s.emails()
	if len(s.runs) > 0 {
		s.ibans()
		s.cards()
		s.ssns()
		s.dobs()
		s.phones()
		s.accounts()
		s.lastFours()
	}
	sortHits(s.found)
}

// add records a candidate unless it overlaps a finding already made or
// stands next to a placeholder, and reports whether it was kept.
func (s *scanner) add(k Kind, start, end int) bool { return s.addHit(k, start, end, false) }

// addHit is add for a candidate that may stand only as an answer.
func (s *scanner) addHit(k Kind, start, end int, answer bool) bool {
	if s.nearPlaceholder(start, end) {
		return false
	}
	for _, f := range s.found {
		if start < f.End && f.Start < end {
			return false
		}
	}
	s.found = append(s.found, hit{Finding: Finding{Kind: k, Start: start, End: end}, answer: answer})
	return true
}

// cued reports whether a number of kind k at pos counts: one of cues ends
// at most maxWords words before it, or the text answers a question that
// asked for k, and then answer is true.
func (s *scanner) cued(k Kind, pos int, cues []string, maxWords int) (ok, answer bool) {
	if s.cueBefore(pos, cues, maxWords) {
		return true, false
	}
	// A number after "+" is an international phone number, whatever was
	// asked.
	if s.ask.kinds&k.bit() != 0 && s.at(pos-1) != '+' {
		return true, true
	}
	return false, false
}

// nearPlaceholder reports whether text[start:end] touches a bracket or is
// one separator away from a placeholder. Before redaction that placeholder
// was a finding that this candidate's chain of groups may have run into, so
// the candidate is not judged again next to it: this keeps Redact
// idempotent, and costs nothing on text that holds no brackets.
func (s *scanner) nearPlaceholder(start, end int) bool {
	before, after := s.at(start-1), s.at(end)
	return before == '[' || before == ']' || after == '[' || after == ']' ||
		(s.at(start-2) == ']' && !isWord(before)) || (s.at(end+1) == '[' && !isWord(after))
}

// digitRuns appends the maximal digit runs of text to buf.
func digitRuns(text string, buf []span) []span {
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		buf = append(buf, span{i, j})
		i = j
	}
	return buf
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { c |= 0x20; return 'a' <= c && c <= 'z' }

// isWord reports whether c continues a word or number: a finding never
// starts or ends next to one.
func isWord(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }

// at returns text[i], or 0 outside the text.
func (s *scanner) at(i int) byte {
	if i < 0 || i >= len(s.text) {
		return 0
	}
	return s.text[i]
}

// tightSeps glue digit runs into one token: "2024-03-12", "1.2.3.4",
// "1,200", "12/25", "10:30". A number glued to more digits by one of these
// is part of something longer.
const tightSeps = "-./,:"

func isSep(c byte, seps string) bool {
	for i := 0; i < len(seps); i++ {
		if seps[i] == c {
			return true
		}
	}
	return false
}

// numberEdge reports whether c ends a neighbouring number. A placeholder's
// bracket counts as one, so that a number next to a redacted one is judged
// the same before and after redaction (Redact is idempotent).
func numberEdge(c byte, bracket byte) bool { return isDigit(c) || c == bracket }

// glued reports whether c, next to a candidate, makes it part of a longer
// word or number. A placeholder's bracket counts: before redaction the
// finding it replaced ended in a letter or digit. So does "@": digits
// against it belong to an e-mail address.
func glued(c byte) bool { return isWord(c) || c == '[' || c == ']' || c == '@' }

// leftFree reports whether a finding may start at pos: no word character
// or placeholder just before it, and no digits glued on by one of seps.
func (s *scanner) leftFree(pos int, seps string) bool {
	c := s.at(pos - 1)
	if glued(c) {
		return false
	}
	return !(isSep(c, seps) && numberEdge(s.at(pos-2), ']'))
}

// rightFree reports whether a finding may end at pos, the mirror of
// leftFree.
func (s *scanner) rightFree(pos int, seps string) bool {
	c := s.at(pos)
	if glued(c) {
		return false
	}
	return !(isSep(c, seps) && numberEdge(s.at(pos+1), '['))
}

// joined reports whether digit run i is followed directly by sep and run
// i+1.
func (s *scanner) joined(i int, sep byte) bool {
	return i+1 < len(s.runs) && s.runs[i].end+1 == s.runs[i+1].start && s.text[s.runs[i].end] == sep
}

// digitsValue returns the digits of text read as one number, ignoring
// anything else; callers pass at most a few digits.
func digitsValue(text string) int {
	v := 0
	for i := 0; i < len(text); i++ {
		if isDigit(text[i]) {
			v = v*10 + int(text[i]-'0')
		}
	}
	return v
}

// cueBefore reports whether one of cues ends at most maxWords words before
// pos. The words in between may not hold digits or a placeholder, and the
// look-back stops at "?", "!" and line breaks: a cue governs the first
// number after it, in its own sentence.
func (s *scanner) cueBefore(pos int, cues []string, maxWords int) bool {
	t := s.text
	i := pos
	for w := 0; w <= maxWords; w++ {
		for i > 0 && !isLetter(t[i-1]) {
			switch c := t[i-1]; {
			case isDigit(c), c == '[', c == ']', c == '?', c == '!', c == '\n':
				return false
			}
			i--
		}
		if i == 0 {
			return false
		}
		for _, cue := range cues {
			if endsWithWord(t, i, cue) {
				return true
			}
		}
		for i > 0 && isLetter(t[i-1]) {
			i--
		}
	}
	return false
}

// endsWithWord reports whether text[:end] ends with phrase, ASCII
// case-insensitively, with no letter just before it.
func endsWithWord(text string, end int, phrase string) bool {
	start := end - len(phrase)
	if start < 0 || !equalFold(text[start:end], phrase) {
		return false
	}
	return start == 0 || !isLetter(text[start-1])
}

// equalFold compares ASCII text with a lowercase phrase.
func equalFold(text, lower string) bool {
	if len(text) != len(lower) {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// wordEnd returns the end of the run of ASCII letters starting at i.
func (s *scanner) wordEnd(i int) int {
	for i < len(s.text) && isLetter(s.text[i]) {
		i++
	}
	return i
}
