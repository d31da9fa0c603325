package app

import (
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/kb/replies"
)

// Mined is what mining past calls for a reply allowlist found.
type Mined struct {
	// Replies is the allowlist.
	Replies []replies.Reply
	// Calls is how many calls were read, AgentTurns how many turns their
	// agents took.
	Calls, AgentTurns int
}

// MineReplies reads the calls of the transcript files (in format f, or
// detected) and mines the replies their agents said at least
// opts.MinCount times. A file that cannot be read is an error; a bad line
// only a warning, returned with the error too.
func MineReplies(files []string, f transcript.Format, opts replies.MineOptions) (Mined, []transcript.Warning, error) {
	calls, warnings, err := LoadCalls(files, f)
	if err != nil {
		return Mined{}, warnings, err
	}
	convs, agentTurns := conversations(calls)
	return Mined{Replies: replies.Mine(convs, opts), Calls: len(calls), AgentTurns: agentTurns}, warnings, nil
}

// conversations are calls as reply mining reads them: their participants'
// names and their turns. agentTurns counts the agents' turns.
func conversations(calls []transcript.Call) (convs []replies.Conversation, agentTurns int) {
	convs = make([]replies.Conversation, len(calls))
	for i, c := range calls {
		convs[i].Names = []string{c.Customer, c.Agent}
		convs[i].Turns = make([]replies.Turn, len(c.Utterances))
		for j, u := range c.Utterances {
			convs[i].Turns[j] = replies.Turn{Speaker: u.Speaker, Text: u.Text}
			if u.Speaker == replies.SpeakerAgent {
				agentTurns++
			}
		}
	}
	return convs, agentTurns
}
