package replies

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"github.com/larkspur-labs/assist/assist/redact"
)

// personal finds the personal data scrub replaces first; a Redactor is
// immutable and safe to share, and one of every kind cannot fail to build.
var personal, _ = redact.New(redact.Config{})

// personalPlaceholder is the placeholder of a kind of personal data: its
// name in braces ("{card}"), except that a date of birth is a {date} like
// any other date of a template.
func personalPlaceholder(k redact.Kind) string {
	if k == redact.KindDOB {
		return "{date}"
	}
	return "{" + string(k) + "}"
}

// numberWord is a spelled-out number, as speech recognisers write them.
const numberWord = `(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|` +
	`thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|` +
	`fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)`

// month is a month name or abbreviation; "may" only ever matches with a day
// after it.
const month = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|` +
	`sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

// ordinal is a spelled-out day of the month, as in "the twelfth of June".
const ordinal = `(?:(?:twenty|thirty)[\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|` +
	`tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|` +
	`nineteenth|twentieth|thirtieth)`

// streetType ends a street address.
const streetType = `(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|square|sq)`

// specifics are the details of a template scrub replaces after the
// personal data, in order. Anything holding digits comes before the
// catch-all {number}; spelled-out numbers come before amounts so "twenty
// five dollars" is an amount.
var specifics = []struct {
	re          *regexp.Regexp
	placeholder string
}{
	{regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S*[^\s.,!?;:)]`), "{url}"},
	{regexp.MustCompile(`(?i)\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}/\d{1,2}\b|` +
		`\b` + month + `\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + month + `\b(?:,?\s+\d{4})?`), "{date}"},
	{regexp.MustCompile(`(?i)\b(?:the\s+)?` + ordinal + `\s+of\s+` + month + `\b|\b` + month + `\s+(?:the\s+)?` + ordinal + `\b`), "{date}"},
	{regexp.MustCompile(`(?i)\b\d+[a-z]?\s+(?:\p{L}+\s+){0,3}` + streetType + `\b\.?`), "{address}"},
	{regexp.MustCompile(`(?i)\b\d{1,2}(?::\d{2})?\s?[ap](?:\.m\.|m\b)|\b\d{1,2}:\d{2}\b`), "{time}"},
	{regexp.MustCompile(`(?i)\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b)`), "{percent}"},
	{regexp.MustCompile(`(?i)\b` + numberWord + `(?:(?:\s+|-)(?:and\s+)?` + numberWord + `)+\b`), "{number}"},
	{regexp.MustCompile(`(?i)[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|thousand|million|billion)\b)?|` +
		`(?:\b\d[\d,]*(?:\.\d+)?|\{number\}|\b` + numberWord + `)\s?(?:dollars?|usd|bucks|euros?|eur|pounds?|gbp|cents?)\b`), "{amount}"},
	{regexp.MustCompile(`[\p{L}\p{Nd}]*\p{Nd}(?:[\p{L}\p{Nd}]|[.,:/-]\p{Nd})*`), "{number}"},
	// People's names the text flags itself.
	{regexp.MustCompile(`\b(?:[Mm]rs?|Ms|Miss|[Dd]r|Mister)\.?\s+\p{L}+`), "{name}"},
	{regexp.MustCompile(`(?i)\b(my name is|my name's|name is)\s+\p{L}+`), "$1 {name}"},
}

// placeholderRuns are placeholders in a row that read as one detail ("Mr
// Raghav Singh", "six two zero one", "March fourth, 1958").
var placeholderRuns = []struct {
	re          *regexp.Regexp
	placeholder string
}{
	{regexp.MustCompile(`\{name\}(?:\s+\{name\})+`), "{name}"},
	{regexp.MustCompile(`\{number\}(?:[\s,-]+\{number\})+`), "{number}"},
	{regexp.MustCompile(`\{date\},?\s+\{number\}`), "{date}"},
}

// quotes maps typographic quotes onto ASCII ones so "I’m" and "I'm" group.
var quotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// scrub replaces the specifics of one turn by placeholders (personal data
// first, then specifics and nameWords) and collapses whitespace, so that
// the same reply with different values reads the same and no customer
// detail reaches the allowlist. knownNames are lower-case words of the
// call's participants' names, which catch names in lower-case speech
// transcripts.
func scrub(s string, knownNames map[string]bool) string {
	s = quotes.Replace(s)
	s = personal.RedactWith(s, personalPlaceholder)
	for _, sp := range specifics {
		s = sp.re.ReplaceAllString(s, sp.placeholder)
	}
	s = nameWords(s, knownNames)
	for _, r := range placeholderRuns {
		s = r.re.ReplaceAllString(s, r.placeholder)
	}
	return strings.Join(strings.Fields(s), " ")
}

// word is one run of letters.
var word = regexp.MustCompile(`\p{L}+`)

// nameWords replaces the words that look like people's names by {name}: a
// participant's name, or a capitalised word inside a sentence ("send it to
// Amir"). The second also catches brands and places ("Larkspur Bank"),
// which costs little in a reply template and errs on the side of privacy.
func nameWords(s string, known map[string]bool) string {
	// Speech transcripts are often all lower case; there a participant's
	// name is a name whatever its case.
	caseless := !strings.ContainsFunc(s, unicode.IsUpper)
	var b strings.Builder
	last := 0
	for _, loc := range word.FindAllStringIndex(s, -1) {
		if !looksLikeName(s, loc[0], s[loc[0]:loc[1]], known, caseless) {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString("{name}")
		last = loc[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// notNames are words that say nothing about a person even when capitalised
// inside a sentence: English stop words (the analyzer's list),
// pleasantries writers capitalise after a comma ("Ok, Thank you"), months
// and weekdays.
var notNames = func() map[string]bool {
	stop := analysis.NewTokenMap()
	if err := stop.LoadBytes(en.EnglishStopWords); err != nil {
		panic(fmt.Sprintf("replies: bleve's English stop words: %v", err)) // a fixed list: cannot fail at run time
	}
	for _, w := range strings.Fields(`ok okay thank thanks please yes yeah yep no nope hi hello hey
		sure great sorry welcome bye goodbye
		january february march april may june july august september october november december
		monday tuesday wednesday thursday friday saturday sunday`) {
		stop[w] = true
	}
	return stop
}()

// looksLikeName reports whether w, found at start in s, is a name. In
// mixed-case text a participant's name counts only with a capital, so a
// customer called Bill leaves "your bill" alone.
func looksLikeName(s string, start int, w string, known map[string]bool, caseless bool) bool {
	if start > 0 && s[start-1] == '{' {
		return false // a placeholder's own word
	}
	lower := strings.ToLower(w)
	first, _ := utf8.DecodeRuneInString(w)
	if known[lower] && (caseless || unicode.IsUpper(first)) {
		return true
	}
	return capitalised(w) && !notNames[lower] && !startsSentence(s, start)
}

// capitalised reports an upper-case letter followed by at least one lower-case
// one: "Amir" and "McDonald", not "I", "ATM" or "iPhone".
func capitalised(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && strings.IndexFunc(w[size:], unicode.IsLower) >= 0
}

// startsSentence reports whether the word at start begins a sentence or a
// clause after a colon, where capitals say nothing.
func startsSentence(s string, start int) bool {
	i := start
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune(`"'([*•-`, r):
			i -= size
		case strings.ContainsRune(".!?:;…", r):
			return true
		default:
			return false
		}
	}
	return true
}

// participantNames are the lower-case words of a call's participants'
// names. Only capitalised words that are not common words count, so neither
// a role such as "virtual agent" nor a customer called Will turns every
// "will" into a name.
func participantNames(participants []string) map[string]bool {
	names := map[string]bool{}
	for _, w := range word.FindAllString(strings.Join(participants, " "), -1) {
		if len([]rune(w)) > 1 && capitalised(w) && !notNames[strings.ToLower(w)] {
			names[strings.ToLower(w)] = true
		}
	}
	return names
}
