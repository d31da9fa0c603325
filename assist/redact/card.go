package redact

// maxGroups bounds the digit groups a grouped number is read as.
const maxGroups = 8

// chain returns the lengths of digit runs i, i+1, … joined one to the next
// by sep, at most maxGroups of them, and how many there are. With sep 0 the
// chain is run i alone.
func (s *scanner) chain(i int, sep byte, lens *[maxGroups]int) int {
	n := 0
	for j := i; j < len(s.runs) && n < maxGroups; j++ {
		lens[n] = s.runs[j].len()
		n++
		if sep == 0 || !s.joined(j, sep) {
			break
		}
	}
	return n
}

// groupSep returns the separator that joins run i to the next one when it
// is one of seps, or 0.
func (s *scanner) groupSep(i int, seps string) byte {
	for k := 0; k < len(seps); k++ {
		if s.joined(i, seps[k]) {
			return seps[k]
		}
	}
	return 0
}

// cards finds payment card numbers; see the package doc.
func (s *scanner) cards() {
	var lens [maxGroups]int
	for i := 0; i < len(s.runs); i++ {
		r := s.runs[i]
		if !s.leftFree(r.start, tightSeps) {
			continue
		}
		// A later group of a number grouped in fours.
		if i > 0 && r.len() <= 4 && s.joined(i-1, ' ') && s.runs[i-1].len() == 4 {
			continue
		}
		sep := s.groupSep(i, " -")
		n := s.chain(i, sep, &lens)
		for k := n; k >= 1; k-- {
			g := lens[:k]
			digits := sum(g)
			if digits < 13 || digits > 19 || !cardGrouping(g) {
				continue
			}
			end := s.runs[i+k-1].end
			if k < n {
				// Only a space leaves the rest of the chain as separate
				// numbers, and not when it goes on in groups of four.
				if sep != ' ' || (k > 1 && lens[k] == 4 && allFours(g[:k-1])) {
					continue
				}
			} else if !s.rightFree(end, tightSeps) {
				continue
			}
			// Recognised speech gets a digit wrong often enough that a card
			// number read out in answer to the agent's question is taken
			// without its check digit: privacy over precision there.
			valid := luhn(s.text[r.start:end]) || s.ask.kinds&KindCard.bit() != 0
			if valid && !allZeros(s.text[r.start:end]) && s.add(KindCard, r.start, end) {
				i += k - 1
				break
			}
		}
	}
}

// cardGrouping reports whether digit groups are laid out like a card
// number: one run, fours with a shorter last group, or Amex/Diners 4-6-5 and
// 4-6-4.
func cardGrouping(g []int) bool {
	switch {
	case len(g) == 1:
		return true
	case len(g) == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4):
		return true
	}
	last := g[len(g)-1]
	return allFours(g[:len(g)-1]) && last >= 1 && last <= 4
}

func allFours(g []int) bool {
	for _, n := range g {
		if n != 4 {
			return false
		}
	}
	return true
}

func sum(g []int) int {
	t := 0
	for _, n := range g {
		t += n
	}
	return t
}

// luhn reports whether the digits of s, ignoring anything else, pass the
// Luhn (mod 10) check that every payment card number carries.
func luhn(s string) bool {
	total, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		total += d
		double = !double
	}
	return total%10 == 0
}

func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) && s[i] != '0' {
			return false
		}
	}
	return true
}
