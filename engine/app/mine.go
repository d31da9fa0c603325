package app

import (
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/larkspur-labs/assist/internal/termtext"
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

// MineOptions configure 'assist kb mine'.
type MineOptions struct {
	// Files are the transcript files of past calls, read in Format.
	Files  []string
	Format transcript.Format
	// MinCount keeps the replies said by at least this many agent turns.
	MinCount int
	// Output is the allowlist file written; stdout when empty or "-".
	Output string
	// Out receives the allowlist without Output; ErrOut the warnings and
	// the counts.
	Out, ErrOut io.Writer
}

// MineAllowlist mines the reply allowlist of the calls in o.Files (see
// MineReplies) and writes it whole, or not at all, then says how much was
// read and kept. Each bad line is a warning on ErrOut.
func MineAllowlist(o *MineOptions) error {
	mined, warnings, err := MineReplies(o.Files, o.Format, replies.MineOptions{MinCount: o.MinCount})
	for _, w := range warnings {
		fmt.Fprintln(o.ErrOut, "assist: warning:", termtext.Sanitize(w.String()))
	}
	if err != nil {
		return err
	}
	// A failed run never leaves a truncated allowlist where the engine
	// would load it.
	err = atomicfile.WriteOutput(o.Output, 0o644, o.Out, func(w io.Writer) error { return replies.Write(w, mined.Replies) })
	if err != nil {
		return fmt.Errorf("write allowlist: %w", err)
	}
	fmt.Fprintf(o.ErrOut, "mined %d replies from %d agent turns in %d calls\n", len(mined.Replies), mined.AgentTurns, mined.Calls)
	if len(mined.Replies) == 0 {
		fmt.Fprintf(o.ErrOut, "no reply was said %d times; add transcripts or lower --min-count\n", o.MinCount)
	}
	return nil
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
