package evalsuite

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/samples"
)

// RepliesOptions configures `assist eval replies`.
type RepliesOptions struct {
	// Replies and Calls are reply annotations (the layout of
	// engine/samples/replies.json) and the calls they annotate, a
	// transcript file in any format replay reads; the bundled calls and
	// theirs when both are empty.
	Replies, Calls string
	// Encoder is the sentence encoder's folder; left out when empty.
	Encoder string
	// Out receives a row per annotated turn, then the report as a line of
	// JSON; ErrOut what was read.
	Out, ErrOut io.Writer
}

// Replies measures the suggested replies against annotations of the
// articles that fit each customer turn, with the bundled knowledge base
// ranked as the engine ranks it (see eval.ReplyRanks).
func Replies(ctx context.Context, o *RepliesOptions) error {
	name, data, calls, err := annotated("eval replies", "engine/samples/replies.json", samples.Replies, o.Replies, o.Calls)
	if err != nil {
		return err
	}
	if o.Encoder != "" {
		fmt.Fprintf(o.ErrOut, "eval replies: sentence encoder from %s (--encoder '' leaves it out)\n", o.Encoder)
	}
	rep, err := replyRanks(ctx, name, data, calls, o.Encoder, o.Out, o.ErrOut)
	if err != nil {
		return err
	}
	return json.NewEncoder(o.Out).Encode(rep)
}

// replyRanks ranks the bundled knowledge base's replies on calls against
// the annotations in data (named name), with the sentence encoder in
// encoderDir (empty for none), writing a row per annotated turn to out.
func replyRanks(ctx context.Context, name string, data []byte, calls []eval.StepCall, encoderDir string, out, errOut io.Writer) (eval.RepliesReport, error) {
	ann, err := eval.ParseReplyAnnotations(name, data)
	if err != nil {
		return eval.RepliesReport{}, err
	}
	k, err := app.OpenKnowledge(ctx, app.Config{KB: app.KBConfig{Encoder: encoderDir}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return eval.RepliesReport{}, fmt.Errorf("eval replies: %w", err)
	}
	defer k.Close()
	for _, id := range ann.Articles() {
		if _, ok := k.Base.Index.Article(id); !ok {
			return eval.RepliesReport{}, fmt.Errorf("eval replies: %s names article %q, which the bundled knowledge base lacks", name, id)
		}
	}
	fmt.Fprintf(errOut, "eval replies: %d annotated calls (%s)\n", len(ann.Calls), name)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "call\tturn\twant\tgot\tverdict")
	rep, err := eval.ReplyRanks(ctx, k.Ranker().Rank, calls, ann, func(r eval.ReplyRow) {
		got := r.Got
		if got == "" {
			got = "(abstain)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.CallID, r.UtteranceID, strings.Join(r.Want, "|"), got, r.Verdict)
	})
	if err != nil {
		return rep, err
	}
	return rep, tw.Flush()
}

// The replies group runs `assist eval replies` with the sentence encoder
// on the bundled calls and on the Harper Valley sample calls of the data
// folder, against the annotations of each (the latter's built in from
// testdata).
var repliesGroup = group{
	name: "replies", needs: []string{hvbSample}, encoder: true,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		bundled, hvb, err := annotatedCalls(s)
		if err != nil {
			return nil, err
		}
		var rows []Row
		for _, set := range []struct {
			what, name, args string
			data             []byte
			calls            []eval.StepCall
		}{
			{"the 4 bundled calls (partly in-sample)", "engine/samples/replies.json", "", samples.Replies, bundled},
			{"the 4 Harper Valley sample calls (out of sample)", "engine/evalsuite/testdata/hvb_replies.json",
				" --replies engine/evalsuite/testdata/hvb_replies.json --calls " + dataArg(hvbSample), hvbRepliesJSON, hvb},
		} {
			rep, err := replyRanks(ctx, set.name, set.data, set.calls, s.opts.Encoder, io.Discard, io.Discard)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{
				Figure:  "suggested replies against the articles annotated for each customer turn: " + set.what,
				Command: "assist eval replies" + set.args,
				Value:   repliesValue(rep),
				Figures: rep,
			})
		}
		return rows, nil
	},
}

// hvbRepliesJSON annotates hvbSample's customer turns.
//
//go:embed testdata/hvb_replies.json
var hvbRepliesJSON []byte

// repliesValue is a reply evaluation's figures as the README quotes them.
func repliesValue(r eval.RepliesReport) string {
	return fmt.Sprintf("top-1 %s, top-3 %s on %d turns an article fits (abstained on %s); abstained on %s of %d turns none fits",
		frac(r.Top1), frac(r.Top3), r.ArticleTurns, frac(r.AbstainArticle), frac(r.AbstainNone), r.NoneTurns)
}
