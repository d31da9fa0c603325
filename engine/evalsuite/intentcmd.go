package evalsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/kb/encoder"
)

// IntentOptions configure 'assist eval intent'.
type IntentOptions struct {
	// Train and Test are the files of Format, "banking77" or "clinc150";
	// without Test, BANKING77 holds out the rows Holdout·i+Fold of each
	// intent.
	Train, Test, Format string
	Holdout, Fold       int
	// Split and OutOfScopeArticle choose CLINC150's test split and
	// whether oos_train is trained as an out-of-scope article.
	Split             string
	OutOfScopeArticle bool
	// Threshold is the abstain threshold on the top confidence.
	Threshold float64
	// Encoder is the sentence encoder's folder; left out when empty.
	Encoder string
	// EncoderExact loads the encoder in float32 (encoder.LoadExact).
	EncoderExact bool
	// Out receives the report as a line of JSON; ErrOut what was read
	// and the summary.
	Out, ErrOut io.Writer
}

// Intent measures knowledge-base retrieval on the intent data set (see
// eval.Intent).
func Intent(ctx context.Context, o *IntentOptions) error {
	var (
		set eval.IntentSet
		err error
	)
	if o.Format == "banking77" {
		set, err = eval.Banking77(o.Train, o.Test, o.Holdout, o.Fold)
	} else {
		set, err = eval.CLINC150(o.Train, o.Test, eval.CLINC150Options{Split: o.Split, NoOutOfScopeArticle: !o.OutOfScopeArticle})
		if err == nil && set.TestSplit == eval.CLINC150Val && o.Split != eval.CLINC150Val {
			fmt.Fprintf(o.ErrOut, "eval intent: %s has no test split; testing on val and oos_val\n", o.Test)
		}
	}
	if err != nil {
		return err
	}
	run := eval.IntentOptions{Threshold: o.Threshold}
	if o.Encoder != "" {
		load, kind := encoder.Load, "int8"
		if o.EncoderExact {
			load, kind = encoder.LoadExact, "float32"
		}
		if run.Encoder, err = load(o.Encoder); err != nil {
			return err
		}
		fmt.Fprintf(o.ErrOut, "eval intent: sentence encoder (%s) from %s (--encoder '' leaves it out)\n", kind, o.Encoder)
	}
	fmt.Fprintf(o.ErrOut, "eval intent: %d training utterances (and %d out of scope), %d test queries (and %d out of scope)\n",
		len(set.Train), len(set.OutOfScopeTrain), len(set.Test), len(set.OutOfScope))
	rep, err := eval.Intent(ctx, set, run)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.ErrOut, rep.Summary())
	return json.NewEncoder(o.Out).Encode(rep)
}
