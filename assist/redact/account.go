package redact

// accountCues introduce an account, routing, sort-code or membership
// number.
var accountCues = []string{
	"account", "accounts", "acct", "a/c", "routing", "sort code", "member number", "customer number",
}

// accountWords is how many words may stand between a cue and the number:
// "account number is", "routing number for my account is".
const accountWords = 4

// currencySigns before a number make it an amount.
var currencySigns = []string{"$", "€", "£", "¥", "₹", "usd", "eur", "gbp"}

// currencyWords after a number make it an amount.
var currencyWords = []string{
	"dollar", "dollars", "bucks", "cents", "usd", "eur", "euro", "euros", "gbp", "pound", "pounds",
	"quid", "pence", "yen", "rupees", "pesos", "francs", "percent",
}

// accounts finds account numbers; see the package doc.
func (s *scanner) accounts() {
	var lens [maxGroups]int
	for i := 0; i < len(s.runs); i++ {
		r := s.runs[i]
		if !s.leftFree(r.start, tightSeps) || s.afterCurrency(r.start) {
			continue
		}
		sep := s.groupSep(i, " -")
		n := s.chain(i, sep, &lens)
		// Spaced groups of one digit are separate numbers ("12345678 2 days").
		for k := 1; k < n; k++ {
			if lens[k] < 2 {
				n = k
				break
			}
		}
		k := n
		for k > 0 && sum(lens[:k]) > 17 {
			k--
		}
		if k == 0 || sum(lens[:k]) < 6 {
			continue
		}
		end := s.runs[i+k-1].end
		if k < n {
			// Only a space leaves the rest as separate numbers.
			if sep != ' ' {
				continue
			}
		} else if !s.rightFree(end, tightSeps) {
			continue
		}
		if s.beforeCurrency(end) || s.isDate(i, k, sep) || s.isCard(i, k, &lens) {
			continue
		}
		if ok, answer := s.cued(KindAccount, r.start, accountCues, accountWords); ok && s.addHit(KindAccount, r.start, end, answer) {
			i += k - 1
		}
	}
}

// afterCurrency reports whether a currency sign comes right before pos
// ("$120000", "€ 1500000", "USD 250000").
func (s *scanner) afterCurrency(pos int) bool {
	t := s.text[:pos]
	for len(t) > 0 && t[len(t)-1] == ' ' {
		t = t[:len(t)-1]
	}
	for _, sign := range currencySigns {
		if endsWithWord(t, len(t), sign) {
			return true
		}
	}
	return false
}

// beforeCurrency reports whether a currency word or "%" follows pos.
func (s *scanner) beforeCurrency(pos int) bool {
	for s.at(pos) == ' ' {
		pos++
	}
	if s.at(pos) == '%' {
		return true
	}
	w := s.text[pos:s.wordEnd(pos)]
	for _, c := range currencyWords {
		if equalFold(w, c) {
			return true
		}
	}
	return false
}

// isDate reports whether the k groups from run i read as yyyy-mm-dd or
// dd-mm-yyyy.
func (s *scanner) isDate(i, k int, sep byte) bool {
	if k != 3 || sep == 0 {
		return false
	}
	_, _, ok := s.numericDate(i)
	return ok
}

// isCard reports whether the k groups from run i are a valid card number.
func (s *scanner) isCard(i, k int, lens *[maxGroups]int) bool {
	g := lens[:k]
	d := sum(g)
	text := s.text[s.runs[i].start:s.runs[i+k-1].end]
	return d >= 13 && d <= 19 && cardGrouping(g) && luhn(text) && !allZeros(text)
}
