package redact

// dobCues introduce a date of birth ("date of birth" ends with "birth").
var dobCues = []string{"born", "birth", "birthday", "birthdate", "dob", "d.o.b"}

// dobWords is how many words may stand between a cue and the date:
// "I was born on the 12th", "my date of birth would be".
const dobWords = 5

// dobs finds dates of birth: dates within a few words after a birth cue,
// or any date in the answer to a question for the date of birth. See the
// package doc for the formats.
func (s *scanner) dobs() {
	for i := range s.runs {
		start, end, ok := s.numericDate(i)
		if !ok {
			start, end, ok = s.compactDate(i)
		}
		if !ok {
			start, end, ok = s.dayFirstDate(i)
		}
		if !ok {
			start, end, ok = s.monthFirstDate(i)
		}
		if !ok {
			continue
		}
		if cued, answer := s.cued(KindDOB, start, dobCues, dobWords); cued {
			s.addHit(KindDOB, start, end, answer)
		}
	}
}

// numericDate reads d/m/y, m/d/y (2- or 4-digit year) or y-m-d starting at
// run i, with "/", "-" or "." used twice.
func (s *scanner) numericDate(i int) (start, end int, ok bool) {
	if i+2 >= len(s.runs) {
		return 0, 0, false
	}
	sep := s.groupSep(i, "/-.")
	if sep == 0 || !s.joined(i+1, sep) {
		return 0, 0, false
	}
	a, b, c := s.runs[i], s.runs[i+1], s.runs[i+2]
	if b.len() > 2 {
		return 0, 0, false
	}
	t := s.text
	av, bv, cv := digitsValue(t[a.start:a.end]), digitsValue(t[b.start:b.end]), digitsValue(t[c.start:c.end])
	switch {
	case a.len() <= 2 && (c.len() == 2 || c.len() == 4):
		// d/m/y or m/d/y: one of the first two is a month.
		if av < 1 || bv < 1 || av > 31 || bv > 31 || (av > 12 && bv > 12) {
			return 0, 0, false
		}
	case a.len() == 4 && c.len() <= 2:
		if bv < 1 || bv > 12 || cv < 1 || cv > 31 {
			return 0, 0, false
		}
	default:
		return 0, 0, false
	}
	if !s.leftFree(a.start, tightSeps) || !s.rightFree(c.end, tightSeps) {
		return 0, 0, false
	}
	return a.start, c.end, true
}

// compactDate reads a date written or said without separators, six or
// eight digits at run i: ddmmyy, mmddyy, ddmmyyyy, mmddyyyy or yyyymmdd
// ("oh three oh four eighty eight" is 030488).
func (s *scanner) compactDate(i int) (start, end int, ok bool) {
	r := s.runs[i]
	if (r.len() != 6 && r.len() != 8) || !s.leftFree(r.start, tightSeps) || !s.rightFree(r.end, tightSeps) {
		return 0, 0, false
	}
	d := s.text[r.start:r.end]
	a, b := digitsValue(d[0:2]), digitsValue(d[2:4])
	dayMonth := (a >= 1 && a <= 31 && b >= 1 && b <= 12) || (a >= 1 && a <= 12 && b >= 1 && b <= 31)
	if r.len() == 8 {
		if y := digitsValue(d[4:]); dayMonth && y >= 1900 && y <= 2099 {
			return r.start, r.end, true
		}
		y, m, day := digitsValue(d[:4]), digitsValue(d[4:6]), digitsValue(d[6:])
		return r.start, r.end, y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && day >= 1 && day <= 31
	}
	return r.start, r.end, dayMonth
}

// dayFirstDate reads "12 March 1985", "12th of March, 1985", "12 Mar. '85"
// and "12 March" starting at run i.
func (s *scanner) dayFirstDate(i int) (start, end int, ok bool) {
	r := s.runs[i]
	t := s.text
	if r.len() > 2 || !s.leftFree(r.start, tightSeps) {
		return 0, 0, false
	}
	if d := digitsValue(t[r.start:r.end]); d < 1 || d > 31 {
		return 0, 0, false
	}
	p := s.ordinalEnd(r.end)
	if s.at(p) != ' ' {
		return 0, 0, false
	}
	p++
	if e := s.wordEnd(p); equalFold(t[p:e], "of") && s.at(e) == ' ' {
		p = e + 1
	}
	e := s.wordEnd(p)
	if !isMonth(t[p:e]) {
		return 0, 0, false
	}
	end = s.yearEnd(e)
	return r.start, end, end >= 0
}

// monthFirstDate reads "March 12, 1985", "Mar. 12th 1985", "March the
// 12th" and "March 12" whose day is run i.
func (s *scanner) monthFirstDate(i int) (start, end int, ok bool) {
	r := s.runs[i]
	t := s.text
	if r.len() > 2 || s.at(r.start-1) != ' ' {
		return 0, 0, false
	}
	if d := digitsValue(t[r.start:r.end]); d < 1 || d > 31 {
		return 0, 0, false
	}
	me := r.start - 1
	if ws := me - 3; ws >= 1 && equalFold(t[ws:me], "the") && t[ws-1] == ' ' {
		me = ws - 1 // "March the 12th"
	}
	dot := s.at(me-1) == '.'
	if dot {
		me--
	}
	ms := me
	for ms > 0 && isLetter(t[ms-1]) {
		ms--
	}
	// A dot may follow an abbreviation ("Mar. 12"), not a full name.
	if !isMonth(t[ms:me]) || glued(s.at(ms-1)) || (dot && len(t[ms:me]) > 4) {
		return 0, 0, false
	}
	p := s.ordinalEnd(r.end)
	if glued(s.at(p)) {
		return 0, 0, false
	}
	end = s.yearEnd(p)
	return ms, end, end >= 0
}

// ordinalEnd skips an ordinal suffix ("st", "nd", "rd", "th") at p.
func (s *scanner) ordinalEnd(p int) int {
	e := s.wordEnd(p)
	switch w := s.text[p:e]; {
	case equalFold(w, "st"), equalFold(w, "nd"), equalFold(w, "rd"), equalFold(w, "th"):
		return e
	}
	return p
}

// yearEnd returns where a date that reached p ends: after an optional
// abbreviation dot, comma and a year of four digits or two ("'85"), or at p
// when no year follows, or -1 when the year is said in words.
func (s *scanner) yearEnd(p int) int {
	t := s.text
	q := p
	if s.at(q) == '.' {
		q++
	}
	if s.at(q) == ',' {
		q++
	}
	if s.at(q) != ' ' {
		return p
	}
	q++
	if s.at(q) == '\'' {
		q++
	}
	e := q
	for e < len(t) && isDigit(t[e]) {
		e++
	}
	if (e-q != 4 && e-q != 2) || !s.rightFree(e, tightSeps) {
		if e == q && spokenAt(t, q) {
			// A year said in words ("March 4th, nineteen eighty-eight"):
			// the date is read once the words are digits.
			return -1
		}
		return p
	}
	return e
}

// spokenAt reports whether a number phrase that spoken rewrites starts at
// text[q].
func spokenAt(text string, q int) bool {
	var buf [8]token
	toks := numberTokens(text[q:min(len(text), q+64)], buf[:0])
	if len(toks) == 0 || toks[0].start != 0 {
		return false
	}
	p := phraseReader{text: text[q:min(len(text), q+64)], toks: toks}
	var d [32]byte
	digits, _, _, _ := p.phraseAt(0, d[:0])
	return digits != nil
}

// months are the month names and their usual abbreviations.
var months = []string{
	"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}

func isMonth(w string) bool {
	if len(w) < 3 || len(w) > 9 {
		return false
	}
	for _, m := range months {
		if equalFold(w, m) {
			return true
		}
	}
	return false
}
