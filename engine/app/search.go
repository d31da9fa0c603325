package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/larkspur-labs/assist/internal/termtext"
)

// SearchOptions configure 'assist kb search'.
type SearchOptions struct {
	// Query is the customer utterance to rank the articles for.
	Query string
	// K is how many candidate articles to show.
	K int
	// KB is the knowledge base searched.
	KB KBConfig
	// Out receives the candidates and the suggestions; ErrOut the log
	// and the notices of opening the knowledge base.
	Out, ErrOut io.Writer
}

// SearchArticles ranks the knowledge base for o.Query the way the engine
// does and prints every candidate with what each source gave it, then the
// suggestions the agent would see, or why it would abstain.
func SearchArticles(ctx context.Context, o *SearchOptions) error {
	k, err := OpenKnowledge(ctx, Config{KB: o.KB, Logger: NewLogger(o.ErrOut, false), Notices: o.ErrOut})
	if err != nil {
		return err
	}
	defer k.Close()
	cands, r, err := k.Search(ctx, o.Query, o.K)
	if err != nil {
		return err
	}
	out := o.Out
	fmt.Fprintf(out, "candidates (%d):\n", len(cands))
	fmt.Fprintf(out, "%4s %6s  %6s %6s %6s  %-28s %s\n", "", "conf", "intent", "text", "dense", "article", "title")
	for i, c := range cands {
		title := termtext.Sanitize(c.Article.Title)
		if c.Article.OutOfScope {
			title += " (out of scope)"
		}
		fmt.Fprintf(out, "%3d. %5.1f%%  %6.3f %6.3f %6.3f  %-28s %s\n", i+1, c.Confidence*100,
			c.Intent, c.FullText, c.Dense, c.Article.ID, title)
	}
	if r.Abstain {
		fmt.Fprintf(out, "suggestions: none (abstain: %s)\n", r.Reason)
		return nil
	}
	fmt.Fprintln(out, "suggestions:")
	for i, s := range r.Suggestions {
		id := s.ArticleID
		if id == "" {
			id = s.ID
		}
		fmt.Fprintf(out, "%3d. %3.0f%%  %-7s %s\n       %s\n", i+1, s.Confidence*100, s.Source, id, termtext.Sanitize(s.Text))
	}
	return nil
}

// IndexOptions configure 'assist kb index'.
type IndexOptions struct {
	// KB is the knowledge base indexed, with the data folder its cache
	// is kept in.
	KB KBConfig
	// Out receives the line saying what was built; ErrOut the log and
	// the notices.
	Out, ErrOut io.Writer
}

// IndexArticles builds the knowledge base's index and models into its
// cache, or finds them up to date, and prints what it holds.
func IndexArticles(ctx context.Context, o *IndexOptions) error {
	start := time.Now()
	k, err := OpenKnowledge(ctx, Config{KB: o.KB, Logger: NewLogger(o.ErrOut, false), Notices: o.ErrOut})
	if err != nil {
		return err
	}
	defer k.Close()
	state := "up to date"
	if k.Base.Built {
		state = "built"
	}
	fmt.Fprintf(o.Out, "%s: %s in %.1fs (fingerprint %s, cache %s)\n",
		o.KB.Dir, k.Status(), time.Since(start).Seconds(), k.Base.Fingerprint, state)
	return nil
}
