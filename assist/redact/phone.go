package redact

// phoneCues introduce a phone number written as one bare run of digits.
var phoneCues = []string{
	"phone", "telephone", "cellphone", "mobile", "cell", "tel", "landline", "whatsapp",
	"my number", "contact number", "call me", "text me", "reach me",
}

// phoneWords is how many words may stand between a cue and a bare number:
// "my phone number is 4155550123".
const phoneWords = 3

// maxPhoneGroups bounds the groups of an international number.
const maxPhoneGroups = 12

// phones finds phone numbers; see the package doc.
func (s *scanner) phones() {
	s.intlPhones()
	for i := range s.runs {
		if start, end, ok := s.northAmerican(i); ok {
			s.add(KindPhone, start, end)
		} else if start, end, ok := s.ukPhone(i); ok {
			s.add(KindPhone, start, end)
		} else if ok, answer := s.barePhone(i); ok {
			s.addHit(KindPhone, s.runs[i].start, s.runs[i].end, answer)
		}
	}
}

// intlPhones finds "+" and 8–15 digits in groups: "+44 20 7946 0958",
// "+1 (415) 555-0123", "+33 1 23 45 67 89", "+44 (0)20 7946 0958".
func (s *scanner) intlPhones() {
	t := s.text
	for p := 0; p < len(t); p++ {
		if t[p] != '+' || glued(s.at(p-1)) || s.at(p-1) == '+' {
			continue
		}
		var ends, digits [maxPhoneGroups]int
		var single [maxPhoneGroups]bool
		g, total := 0, 0
		for i := p + 1; g < maxPhoneGroups; {
			paren := s.at(i) == '('
			if paren {
				i++
			}
			ds := i
			for i < len(t) && isDigit(t[i]) {
				i++
			}
			n := i - ds
			if n == 0 || (paren && (s.at(i) != ')' || n > 4)) {
				break
			}
			if paren {
				i++
			}
			total += n
			ends[g], digits[g], single[g] = i, total, n == 1 && !paren
			g++
			j := i
			if c := s.at(j); c == ' ' || c == '-' || c == '.' {
				j++
			}
			if !isDigit(s.at(j)) && !(s.at(j) == '(' && isDigit(s.at(j+1))) {
				break
			}
			i = j
		}
		// A trailing single digit is the next number ("… 0123 2 days"),
		// and a number too long loses its trailing groups.
		if g > 1 && single[g-1] {
			g--
		}
		for g > 0 && digits[g-1] > 15 {
			g--
		}
		if g == 0 || digits[g-1] < 8 {
			continue
		}
		if end := ends[g-1]; s.rightFree(end, tightSeps) && s.add(KindPhone, p, end) {
			p = end
		}
	}
}

// northAmerican reads (ddd) ddd-dddd, ddd-ddd-dddd, ddd.ddd.dddd or ddd
// ddd dddd at run i, with an optional leading "1".
func (s *scanner) northAmerican(i int) (start, end int, ok bool) {
	rs, t := s.runs, s.text
	r := rs[i]
	if r.len() != 3 || i+2 >= len(rs) {
		return 0, 0, false
	}
	start = r.start
	if s.at(r.start-1) == '(' && s.at(r.end) == ')' {
		start--
		q := r.end + 1
		if c := s.at(q); c == ' ' || c == '-' {
			q++
		}
		if rs[i+1].start != q || s.groupSep(i+1, "-. ") == 0 {
			return 0, 0, false
		}
	} else if sep := s.groupSep(i, "-. "); sep == 0 || !s.joined(i+1, sep) {
		return 0, 0, false
	}
	exch, line := rs[i+1], rs[i+2]
	if exch.len() != 3 || line.len() != 4 || t[r.start] < '2' || t[exch.start] < '2' {
		return 0, 0, false
	}
	if c := s.at(start - 1); (c == ' ' || c == '-' || c == '.') && s.at(start-2) == '1' && !glued(s.at(start-3)) {
		start -= 2
	}
	end = line.end
	return start, end, s.leftFree(start, tightSeps) && s.rightFree(end, tightSeps)
}

// ukPhone reads 0 and ten more digits in two to four groups of 3–6 digits
// at run i: "020 7946 0958", "07700 900123", "(0161) 496 0000".
func (s *scanner) ukPhone(i int) (start, end int, ok bool) {
	rs, t := s.runs, s.text
	r := rs[i]
	if r.len() < 3 || r.len() > 6 || t[r.start] != '0' || t[r.start+1] == '0' {
		return 0, 0, false
	}
	start = r.start
	var sep byte
	j := i
	if s.at(r.start-1) == '(' && s.at(r.end) == ')' {
		// "(0161) 496 0000": the second group follows ") ".
		if s.at(r.end+1) != ' ' || i+1 >= len(rs) || rs[i+1].start != r.end+2 {
			return 0, 0, false
		}
		start--
		j++
		sep = s.groupSep(j, " -")
	} else {
		sep = s.groupSep(i, " -")
		if sep == 0 {
			return 0, 0, false
		}
		j++
	}
	digits, groups := r.len(), 1
	for {
		g := rs[j].len()
		if g < 3 || g > 6 {
			return 0, 0, false
		}
		digits += g
		groups++
		if digits >= 11 || sep == 0 || !s.joined(j, sep) {
			break
		}
		j++
	}
	if digits != 11 || groups > 4 {
		return 0, 0, false
	}
	end = rs[j].end
	return start, end, s.leftFree(start, tightSeps) && s.rightFree(end, tightSeps)
}

// barePhone reports whether run i is a phone number written without
// separators right after a phone cue, or in the answer to a question for
// one: 10 digits (North American), or 11 starting with 1 (North American
// with the country code) or 0 (UK).
func (s *scanner) barePhone(i int) (ok, answer bool) {
	r := s.runs[i]
	d := s.text[r.start:r.end]
	switch {
	case len(d) == 10 && d[0] >= '2' && d[3] >= '2':
	case len(d) == 11 && d[0] == '1' && d[1] >= '2' && d[4] >= '2':
	case len(d) == 11 && d[0] == '0' && d[1] != '0':
	default:
		return false, false
	}
	if !s.leftFree(r.start, tightSeps) || !s.rightFree(r.end, tightSeps) {
		return false, false
	}
	return s.cued(KindPhone, r.start, phoneCues, phoneWords)
}
