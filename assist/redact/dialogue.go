package redact

// The speakers of a conversation's turns, as the engine and transcripts
// name them. Only an agent's turn asks, and only a customer's answers; any
// other speaker's turn is redacted on its own.
const (
	SpeakerAgent    = "agent"
	SpeakerCustomer = "customer"
)

// answerTurns is how many of the customer's turns a question stays open
// for until one of them answers it: "sure, one second" often comes first.
const answerTurns = 2

// Dialogue redacts the turns of one conversation in order, so that a
// customer's answer to the agent's question for a date of birth, a card,
// an account, an SSN or a phone number is redacted although the cue was in
// the question. An agent's turn that asks for one of these opens the
// question (replacing any open one); it stays open for the customer's next
// two turns, until one of them gives a number of a kind it asked for. An
// agent's turn that asks nothing leaves it as it is ("take your time").
//
// A Dialogue is not safe for concurrent use: a conversation's turns come
// one at a time. A Dialogue of a nil Redactor redacts nothing.
type Dialogue struct {
	r    *Redactor
	ask  ask
	left int // customer turns the open question still governs
}

// Dialogue returns a Dialogue that redacts with r, for one conversation.
func (r *Redactor) Dialogue() *Dialogue { return &Dialogue{r: r} }

// Find returns the personal data in a turn said by speaker, given the
// turns before it, and notes the turn for the ones after it.
func (d *Dialogue) Find(speaker, text string) []Finding {
	return findings(d.turn(speaker, text, true))
}

// Redact returns a turn said by speaker with its personal data replaced by
// placeholders, given the turns before it, and notes the turn for the ones
// after it.
func (d *Dialogue) Redact(speaker, text string) string {
	return replace(text, d.turn(speaker, text, true), Kind.Placeholder)
}

// Note notes a turn said by speaker for the turns after it, without
// redacting it: for the turns before the one to redact.
func (d *Dialogue) Note(speaker, text string) { d.turn(speaker, text, true) }

// turn finds the personal data of a turn and, when note is set, notes the
// question it asks or the answer it gives.
func (d *Dialogue) turn(speaker, text string, note bool) []hit {
	if d.r == nil {
		return nil
	}
	switch speaker {
	case SpeakerAgent:
		if note {
			if a := asks(text); a.kinds != 0 {
				d.ask, d.left = a, answerTurns
			}
		}
	case SpeakerCustomer:
		if d.left > 0 {
			hs := d.r.find(text, d.ask)
			if note {
				d.left--
				for _, h := range hs {
					if d.ask.kinds&h.Kind.bit() != 0 {
						d.left = 0 // answered
					}
				}
			}
			return hs
		}
	}
	return d.r.find(text, ask{})
}
