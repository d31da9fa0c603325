package redact

// ssnCues introduce a bare nine-digit Social Security number.
var ssnCues = []string{"ssn", "social security", "social security number", "social"}

// ssns finds US Social Security numbers; see the package doc.
func (s *scanner) ssns() {
	for i, r := range s.runs {
		switch {
		case r.len() == 3 && i+2 < len(s.runs):
			sep := s.groupSep(i, "- ")
			if sep == 0 || s.runs[i+1].len() != 2 || !s.joined(i+1, sep) || s.runs[i+2].len() != 4 {
				continue
			}
			seps := tightSeps
			if sep == ' ' {
				seps += " "
			}
			end := s.runs[i+2].end
			if s.leftFree(r.start, seps) && s.rightFree(end, seps) && validSSN(s.text[r.start:end]) {
				s.add(KindSSN, r.start, end)
			}
		case r.len() == 9:
			if !s.leftFree(r.start, tightSeps) || !s.rightFree(r.end, tightSeps) || !validSSN(s.text[r.start:r.end]) {
				continue
			}
			if ok, answer := s.cued(KindSSN, r.start, ssnCues, 4); ok {
				s.addHit(KindSSN, r.start, r.end, answer)
			}
		}
	}
}

// validSSN reports whether the nine digits of s (separators ignored) could
// have been issued: area 001–899 but not 666, group 01–99, serial
// 0001–9999.
func validSSN(s string) bool {
	var d [9]int
	n := 0
	for i := 0; i < len(s) && n < 9; i++ {
		if isDigit(s[i]) {
			d[n] = int(s[i] - '0')
			n++
		}
	}
	area := d[0]*100 + d[1]*10 + d[2]
	group := d[3]*10 + d[4]
	serial := d[5]*1000 + d[6]*100 + d[7]*10 + d[8]
	return n == 9 && area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}
