package assist

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// maxProducts bounds the product words among the Entities, so that the
// amounts and dates of the call find room.
const maxProducts = 3

// productTerms are the product words looked for in topic titles; a longer
// term is tried before one it contains ("debit card" before "card").
var productTerms = func() [][]string {
	var terms [][]string
	for _, t := range []string{
		"debit card", "credit card", "virtual card", "card", "pin", "checking account", "savings account",
		"account number", "routing number", "account", "direct deposit", "deposit", "wire transfer",
		"transfer", "overdraft protection", "overdraft fee", "overdraft", "fee", "mobile app", "app",
		"online banking", "password", "passcode", "loan", "mortgage", "statement", "transaction history",
		"interest rate", "checkbook", "atm", "cash withdrawal", "balance", "branch appointment",
		"travel notice", "payment", "charge", "apple pay", "google pay",
	} {
		terms = append(terms, strings.Fields(t))
	}
	slices.SortStableFunc(terms, func(a, b []string) int { return len(b) - len(a) })
	return terms
}()

// productWords returns the product terms in a topic title, in the order
// they appear; a plural counts ("Overdraft fees" gives "overdraft fee").
func productWords(title string) []string {
	ws := lowerWords(title)
	var out []string
	for i := 0; i < len(ws); {
		n := 0
		for _, t := range productTerms {
			if i+len(t) > len(ws) || !slices.Equal(ws[i:i+len(t)-1], t[:len(t)-1]) {
				continue
			}
			if last := ws[i+len(t)-1]; last == t[len(t)-1] || last == t[len(t)-1]+"s" {
				n = len(t)
				out = append(out, strings.Join(t, " "))
				break
			}
		}
		i += max(n, 1)
	}
	return out
}

// callEntities returns the Entities of a call; see Extractive.
func callEntities(req SummaryRequest) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) bool {
		key := strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(s, ",", "")), "s")
		if len(out) == maxEntities || seen[key] {
			return false
		}
		seen[key] = true
		out = append(out, s)
		return true
	}
	products := 0
	var taken []string
	for _, title := range req.Topics {
		for _, p := range productWords(title) {
			// "fee" says nothing once "overdraft fee" is there.
			if products < maxProducts && !slices.ContainsFunc(taken, func(t string) bool { return containsPhrase(strings.Fields(t), strings.Fields(p)) }) && add(p) {
				taken = append(taken, p)
				products++
			}
		}
	}
	afterBirth := false
	for _, t := range req.Turns {
		aboutBirth := mentionsBirth(t.Text)
		for _, m := range mentions(t.Text) {
			if m.date && (aboutBirth || afterBirth) {
				continue // a date of birth is personal data
			}
			add(t.Text[m.start:m.end])
		}
		afterBirth = aboutBirth
	}
	return out
}

// mentionsBirth reports whether text speaks of a birth date.
func mentionsBirth(text string) bool {
	for _, w := range lowerWords(text) {
		switch w {
		case "born", "birth", "birthday", "birthdate", "dob":
			return true
		}
	}
	return false
}

// mention is an amount, date or time in a text, text[start:end].
type mention struct {
	start, end int
	date       bool
}

// mentions returns the amounts, dates and times of text in order, without
// overlaps.
func mentions(text string) []mention {
	var all []mention
	all = append(all, signAmounts(text)...)
	all = append(all, wordMentions(text)...)
	all = append(all, numericMentions(text)...)
	slices.SortStableFunc(all, func(a, b mention) int { return a.start - b.start })
	var out []mention
	for _, m := range all {
		if len(out) > 0 && m.start < out[len(out)-1].end {
			continue
		}
		out = append(out, m)
	}
	return out
}

// signAmounts finds amounts written with a currency sign: "$12.50",
// "€ 30", "£1,200".
func signAmounts(text string) []mention {
	var out []mention
	for i, r := range text {
		if r != '$' && r != '€' && r != '£' {
			continue
		}
		j := i + utf8.RuneLen(r)
		if j < len(text) && text[j] == ' ' {
			j++
		}
		k := j
		for k < len(text) && (isDigitByte(text[k]) || (text[k] == ',' || text[k] == '.') && k+1 < len(text) && isDigitByte(text[k+1])) {
			k++
		}
		if k > j && isDigitByte(text[j]) {
			out = append(out, mention{start: i, end: k})
		}
	}
	return out
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// currencyNames after a number make it an amount: "200 dollars".
var currencyNames = setOf("dollar", "dollars", "buck", "bucks", "cent", "cents", "euro", "euros",
	"pound", "pounds", "quid", "pence", "usd", "eur", "gbp")

// numberWords are the words of a number written out.
var numberWords = setOf("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
	"nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
	"hundred", "thousand", "million", "billion")

// isNumberWord reports whether w is a number in digits or words
// ("thirty-five" too).
func isNumberWord(w string) bool {
	if w != "" && strings.Trim(w, "0123456789") == "" {
		return true
	}
	for _, part := range strings.Split(w, "-") {
		if !numberWords[part] {
			return false
		}
	}
	return w != ""
}

// weekdays name a day of the week, a date as a caller says it.
var weekdays = setOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

// monthNames maps month names and abbreviations to themselves.
var monthNames = setOf("january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
	"sep", "sept", "oct", "nov", "dec")

// wordMentions finds amounts with a currency word ("200 dollars", "a
// hundred and five dollars"), weekdays, and dates with a month name
// ("March 3", "3rd of March 2024").
func wordMentions(text string) []mention {
	spans := wordSpans(text)
	words := make([]string, len(spans))
	for i, sp := range spans {
		words[i] = strings.ToLower(text[sp[0]:sp[1]])
	}
	gap := func(i int) string { return text[spans[i][1]:spans[i+1][0]] } // between words i and i+1
	var out []mention
	for i, w := range words {
		switch {
		case currencyNames[w]:
			j := i
			for j > 0 {
				prev := words[j-1]
				g := gap(j - 1)
				spaced := strings.TrimSpace(g) == ""
				digits := (g == "," || g == ".") && isNumberWord(prev) && isNumberWord(words[j]) && isDigitByte(prev[0])
				if !spaced && !digits {
					break
				}
				if isNumberWord(prev) || prev == "and" && j < i && j > 1 && isNumberWord(words[j-2]) ||
					prev == "a" && j < i && (words[j] == "hundred" || words[j] == "thousand" || words[j] == "million") {
					j--
					continue
				}
				break
			}
			for j < i && words[j] == "and" {
				j++
			}
			if j < i {
				out = append(out, mention{start: spans[j][0], end: spans[i][1]})
			}
		case weekdays[w]:
			out = append(out, mention{start: spans[i][0], end: spans[i][1], date: true})
		case monthNames[w]:
			if start, end, ok := monthDate(text, spans, words, i); ok {
				out = append(out, mention{start: start, end: end, date: true})
			}
		}
	}
	return out
}

// monthDate reads a date around the month name words[i]: "March 3",
// "March 3rd, 2024", "3 March", "3rd of March 2024".
func monthDate(text string, spans [][2]int, words []string, i int) (start, end int, ok bool) {
	isDay := func(w string) bool {
		d := strings.TrimRight(w, "stndrh")
		if len(d) == 0 || len(d) > 2 || strings.Trim(d, "0123456789") != "" {
			return false
		}
		n := int(d[0] - '0')
		if len(d) == 2 {
			n = n*10 + int(d[1]-'0')
		}
		return n >= 1 && n <= 31
	}
	near := func(a, b int) bool { // words a and b (a < b) are separated by spaces or ". " only
		g := strings.TrimSpace(text[spans[a][1]:spans[b][0]])
		return g == "" || g == "."
	}
	year := func(k int, end int) int { // extends end over a year after word k
		if k+1 < len(words) && len(words[k+1]) == 4 && isNumberWord(words[k+1]) {
			if g := strings.TrimSpace(text[spans[k][1]:spans[k+1][0]]); g == "" || g == "," {
				return spans[k+1][1]
			}
		}
		return end
	}
	if i+1 < len(words) && isDay(words[i+1]) && near(i, i+1) {
		return spans[i][0], year(i+1, spans[i+1][1]), true
	}
	d := i - 1
	if d >= 1 && words[d] == "of" && near(d, i) {
		d--
	}
	if d >= 0 && isDay(words[d]) && near(d, d+1) {
		return spans[d][0], year(i, spans[i][1]), true
	}
	return 0, 0, false
}

// numericMentions finds numeric dates ("12/03/2024", "2024-03-12") and
// times ("10:30", "5:30pm", "9 am").
func numericMentions(text string) []mention {
	var out []mention
	for i := 0; i < len(text); i++ {
		if !isDigitByte(text[i]) || i > 0 && isWordByte(text[i-1]) {
			continue
		}
		if end, ok := numericDate(text, i); ok {
			out = append(out, mention{start: i, end: end, date: true})
			i = end
		} else if end, ok := clockTime(text, i); ok {
			out = append(out, mention{start: i, end: end})
			i = end
		}
	}
	return out
}

// digitRun returns the end of the digits at i.
func digitRun(text string, i int) int {
	for i < len(text) && isDigitByte(text[i]) {
		i++
	}
	return i
}

func numericDate(text string, i int) (end int, ok bool) {
	a := digitRun(text, i)
	if a == len(text) || strings.IndexByte("/-.", text[a]) < 0 {
		return 0, false
	}
	sep := text[a]
	b := digitRun(text, a+1)
	if b == a+1 || b == len(text) || text[b] != sep {
		return 0, false
	}
	c := digitRun(text, b+1)
	if c == b+1 || c < len(text) && (isWordByte(text[c]) || text[c] == sep && c+1 < len(text) && isDigitByte(text[c+1])) {
		return 0, false
	}
	x, y, z := atoi(text[i:a]), atoi(text[a+1:b]), atoi(text[b+1:c])
	switch la, lb, lc := a-i, b-a-1, c-b-1; {
	case la <= 2 && lb <= 2 && (lc == 2 || lc == 4):
		return c, x >= 1 && y >= 1 && x <= 31 && y <= 31 && (x <= 12 || y <= 12)
	case la == 4 && lb <= 2 && lc <= 2:
		return c, y >= 1 && y <= 12 && z >= 1 && z <= 31
	}
	return 0, false
}

func clockTime(text string, i int) (end int, ok bool) {
	h := digitRun(text, i)
	if h-i > 2 || atoi(text[i:h]) > 24 {
		return 0, false
	}
	end = h
	minutes := false
	if h+3 <= len(text) && text[h] == ':' && isDigitByte(text[h+1]) && isDigitByte(text[h+2]) && text[h+1] < '6' {
		end, minutes = h+3, true
		if end < len(text) && isDigitByte(text[end]) {
			return 0, false
		}
	}
	k := end
	if k < len(text) && text[k] == ' ' {
		k++
	}
	for _, ampm := range []string{"a.m.", "p.m.", "am", "pm"} {
		if len(text)-k >= len(ampm) && strings.EqualFold(text[k:k+len(ampm)], ampm) &&
			(k+len(ampm) == len(text) || !isWordByte(text[k+len(ampm)]) || ampm[len(ampm)-1] == '.') {
			return k + len(ampm), true
		}
	}
	if minutes && (end == len(text) || !isWordByte(text[end])) {
		return end, true
	}
	return 0, false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
