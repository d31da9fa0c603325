package redact

// ibanLength is the IBAN length of the countries whose customers a
// European or US bank meets most; an IBAN of any other country is judged by
// its checksum alone.
var ibanLength = map[string]int{
	"DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16, "CH": 21, "AT": 20,
	"IE": 22, "PL": 28, "PT": 25, "SE": 24, "DK": 18, "NO": 15, "FI": 18, "LU": 20,
}

// IBAN lengths by ISO 13616: a country code, two check digits and an
// account part of 11 to 30 characters.
const (
	minIBAN = 15
	maxIBAN = 34
)

// ibans finds IBANs, compact or printed in groups of four; see the package
// doc. Every IBAN's check digits are a digit run right after two letters,
// so the digit runs are where to look.
func (s *scanner) ibans() {
	t := s.text
	var buf [maxIBAN]byte
	for _, r := range s.runs {
		p := r.start - 2
		if p < 0 || !isLetter(t[p]) || !isLetter(t[p+1]) || glued(s.at(p-1)) {
			continue
		}
		// The first token: the whole IBAN, or its first group of four.
		tokEnd := p
		for tokEnd < len(t) && (isDigit(t[tokEnd]) || isLetter(t[tokEnd])) {
			tokEnd++
		}
		if tokEnd-p < 4 {
			continue
		}
		n := copy(buf[:], t[p:min(tokEnd, p+maxIBAN)])
		cc := [2]byte{upper(buf[0]), upper(buf[1])}
		want := ibanLength[string(cc[:])]
		if tokEnd-p >= minIBAN {
			if tokEnd-p <= maxIBAN && (want == 0 || want == n) && s.rightFree(tokEnd, tightSeps) && validIBAN(buf[:n], want != 0) {
				s.add(KindIBAN, p, tokEnd)
			}
			continue
		}
		if tokEnd-p != 4 {
			continue
		}
		// Grouped: further groups of four after single spaces, the last
		// one possibly shorter. Try the longest that fits, then shorter.
		var ends [maxIBAN / 4]int // text end after each group
		var sizes [maxIBAN / 4]int
		g := 0
		for q := tokEnd; g < len(ends) && q < len(t) && t[q] == ' '; {
			e := q + 1
			for e < len(t) && e-q-1 < 5 && (isDigit(t[e]) || isLetter(t[e])) {
				e++
			}
			size := e - q - 1
			if size == 0 || size > 4 || glued(s.at(e)) || n+size > maxIBAN {
				break
			}
			copy(buf[n:], t[q+1:e])
			n += size
			ends[g], sizes[g] = e, n
			g++
			q = e
			if size < 4 {
				break
			}
		}
		for k := g - 1; k >= 0; k-- {
			size := sizes[k]
			if size < minIBAN || (want != 0 && size != want) {
				continue
			}
			if s.rightFree(ends[k], tightSeps) && validIBAN(buf[:size], want != 0) {
				s.add(KindIBAN, p, ends[k])
				break
			}
		}
	}
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// validIBAN checks the check digits (02–98) and the ISO 13616 mod-97
// checksum of a compact IBAN, case-insensitively: the first four
// characters move to the end, letters count as 10–35, and the number must
// leave 1 divided by 97. For a country outside the length table, at least
// half the account part must also be digits.
func validIBAN(iban []byte, knownCountry bool) bool {
	if len(iban) < minIBAN || !isDigit(iban[2]) || !isDigit(iban[3]) {
		return false
	}
	if check := int(iban[2]-'0')*10 + int(iban[3]-'0'); check < 2 || check > 98 {
		return false
	}
	if !knownCountry {
		digits := 0
		for _, c := range iban[4:] {
			if isDigit(c) {
				digits++
			}
		}
		if 2*digits < len(iban)-4 {
			return false
		}
	}
	m := 0
	for i := range iban {
		c := iban[(i+4)%len(iban)]
		switch {
		case isDigit(c):
			m = (m*10 + int(c-'0')) % 97
		case isLetter(c):
			m = (m*100 + int(upper(c)-'A') + 10) % 97
		default:
			return false
		}
	}
	return m == 1
}
