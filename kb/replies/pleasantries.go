package replies

import (
	"regexp"
	"strings"
)

// clauseBreak splits a reply into the clauses isOnlyPleasantries checks one
// by one.
var clauseBreak = regexp.MustCompile(`[.,!?;:()\-–—]+|\s+and\s+`)

// pleasantry is a greeting, thanks, acknowledgement, wish or goodbye, in
// lower case.
var pleasantry = `(?:` + strings.Join([]string{
	`(?:oh |well )?(?:hi|hello|hey|greetings|good (?:morning|afternoon|evening|day))(?: there| again)?(?: {name})?`,
	`(?:ok|okay|sure|alright|all right|right|great|perfect|excellent|wonderful|got it|no problem|not a problem|no worries|my pleasure|of course|certainly|absolutely|anytime|sounds good|thank god)`,
	`(?:you're|you are|you're very|you are very|you're most|you are most|very|most) welcome`,
	`(?:i'm |i am )?(?:glad|happy) (?:i could|i was able to|to) (?:help|assist)(?: you)?(?: today)?`,
	`(?:thanks|thank you|many thanks)(?: (?:so|very) much)?(?: again)?(?: for (?:calling|contacting us|reaching out|chatting|your (?:call|time|patience|business)|waiting|holding)(?: (?:us|with us|{name}))?)?(?: {name})?(?: today)?`,
	`(?:i hope you |you )?(?:have|enjoy)(?: a| an| your| the rest of your)?(?: (?:very|really))?(?: (?:great|good|nice|wonderful|lovely|pleasant|awesome|excellent|fantastic|fine|safe|blessed|beautiful|great rest of the))?(?: (?:day|afternoon|evening|morning|night|one|weekend|week|time))(?: today)?`,
	`(?:bye|goodbye|good bye|bye bye|take care|cheers|see you(?: soon| later)?|talk (?:to you )?(?:soon|later))(?: now)?`,
	`(?:this is|my name is|i am|i'm) {name}`,
}, "|") + `)`

// pleasantries matches a clause made only of pleasantries. Several may follow
// each other unpunctuated, as speech transcripts write them ("thank you for
// calling have a great day").
var pleasantries = regexp.MustCompile(`^` + pleasantry + `(?: (?:and )?` + pleasantry + `)*$`)

// isOnlyPleasantries reports whether every clause of text is a pleasantry
// ("Thank you, and have a nice evening."): such a turn closes a call, it
// answers nothing.
func isOnlyPleasantries(text string) bool {
	for _, clause := range clauseBreak.Split(strings.ToLower(text), -1) {
		clause = strings.Join(strings.Fields(clause), " ")
		if clause != "" && !pleasantries.MatchString(clause) {
			return false
		}
	}
	return true
}
