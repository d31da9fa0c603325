package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/larkspur-labs/assist/kb/encoder"
	"io"
	"os"
	"path/filepath"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/kb/intent"
	"github.com/spf13/cobra"
)

// newEvalCmd groups the commands that measure the models on labelled data.
func newEvalCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure the models on labelled data sets",
	}
	cmd.AddCommand(newEvalIntentCmd(io, nil), newEvalSentimentCmd(io, nil), newEvalASRCmd(io, nil))
	cmd.AddCommand(newEvalFlowsCmd(io, nil))
	return cmd
}

type evalIntentOptions struct {
	io        streams
	train     string
	test      string
	format    string
	threshold float64
	holdout   int
	fold      int
	encoder   string
}

func newEvalIntentCmd(io streams, runF func(context.Context, *evalIntentOptions) error) *cobra.Command {
	opts := &evalIntentOptions{io: io}
	cmd := &cobra.Command{
		Use:   "intent --train FILE [--test FILE] --format banking77|clinc150",
		Short: "Measure knowledge-base retrieval on an intent data set",
		Long: `Build a knowledge base from the training file (one article per intent, its
utterances as example questions), answer every test query through the same
ranker the agent view uses, and print the figures. The last line of stdout
is one JSON object: top1, top3, n, p50_us, p99_us, and for clinc150
in_scope_accuracy and oos_recall at the abstain threshold; fulltext_top1 and
fulltext_top3 are the same queries through full-text search alone.

banking77 files are CSV with the header text,category. Without --test, every
--holdout-th row of each intent in the training file is held out for testing,
from the --fold-th on (the last by default); folds 0 to holdout-1 together
are a cross-validation.

clinc150 files are JSON objects of splits, each a list of [text, intent].
Training reads the split "train", and "oos_train" as an out-of-scope article
(when the best match, the ranker abstains). Testing reads "test" and "oos_test", or
"val" and "oos_val" when the test file has no test split (as the published
train_val.json).`,
		Example: `  assist eval intent --format banking77 --train ../shared/data/banking77/train.csv
  assist eval intent --format clinc150 --train ../shared/data/clinc150/train_val.json --test ../shared/data/clinc150/train_val.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.train == "" {
				return usagef("--train is required")
			}
			if opts.format != "banking77" && opts.format != "clinc150" {
				return usagef("--format must be banking77 or clinc150, not %q", opts.format)
			}
			if opts.format == "clinc150" && opts.test == "" {
				return usagef("--test is required for clinc150")
			}
			if opts.holdout < 2 {
				return usagef("--holdout must be at least 2")
			}
			if !cmd.Flags().Changed("fold") {
				opts.fold = opts.holdout - 1
			}
			if opts.fold < 0 || opts.fold >= opts.holdout {
				return usagef("--fold must be from 0 to %d", opts.holdout-1)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalIntent(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.train, "train", "", "training file")
	f.StringVar(&opts.test, "test", "", "test file (banking77: default a held-out part of --train)")
	f.StringVar(&opts.format, "format", "", "data format: banking77 or clinc150")
	f.Float64Var(&opts.threshold, "threshold", assist.DefaultThreshold, "abstain threshold on the top confidence")
	f.IntVar(&opts.holdout, "holdout", 5, "banking77 without --test: hold out every N-th row of each intent")
	f.IntVar(&opts.fold, "fold", 0, "with --holdout N: hold out the rows N·i+fold of each intent (default N-1)")
	f.StringVar(&opts.encoder, "encoder", defaultEncoderDir(), encoderUsage)
	return cmd
}

func runEvalIntent(ctx context.Context, opts *evalIntentOptions) error {
	ev := assist.IntentEval{Threshold: opts.threshold}
	var err error
	switch opts.format {
	case "banking77":
		err = loadBanking77(opts, &ev)
	case "clinc150":
		err = loadCLINC150(opts, &ev)
	}
	if err != nil {
		return err
	}
	if opts.encoder != "" {
		if ev.Encoder, err = encoder.Load(opts.encoder); err != nil {
			return err
		}
		fmt.Fprintf(opts.io.err, "eval intent: sentence encoder from %s (--encoder '' leaves it out)\n", opts.encoder)
	}
	fmt.Fprintf(opts.io.err, "eval intent: %d training utterances (and %d out of scope), %d test queries (and %d out of scope)\n",
		len(ev.Train), len(ev.OutOfScopeTrain), len(ev.Test), len(ev.OutOfScope))
	rep, err := assist.EvalIntent(ctx, ev)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.err, "fused:     top-1 %.4f  top-3 %.4f\nfull text: top-1 %.4f  top-3 %.4f\n",
		rep.Top1, rep.Top3, rep.FullTextTop1, rep.FullTextTop3)
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.io.out, string(line))
	return nil
}

func loadBanking77(opts *evalIntentOptions, ev *assist.IntentEval) error {
	train, err := readExamples(opts.train, intent.ReadBanking77)
	if err != nil {
		return err
	}
	if opts.test == "" {
		ev.Train, ev.Test = holdOut(train, opts.holdout, opts.fold)
		return nil
	}
	ev.Train = train
	ev.Test, err = readExamples(opts.test, intent.ReadBanking77)
	return err
}

// holdOut puts the examples n·i+fold of each label in test, the rest in
// train.
func holdOut(examples []intent.Example, n, fold int) (train, test []intent.Example) {
	seen := map[string]int{}
	for _, ex := range examples {
		if seen[ex.Label]%n == fold {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
		seen[ex.Label]++
	}
	return train, test
}

func loadCLINC150(opts *evalIntentOptions, ev *assist.IntentEval) error {
	train, err := readCLINC(opts.train)
	if err != nil {
		return err
	}
	test, err := readCLINC(opts.test)
	if err != nil {
		return err
	}
	if len(train["train"]) == 0 {
		return fmt.Errorf("%s: no \"train\" split", opts.train)
	}
	ev.Train = train["train"]
	for _, ex := range train["oos_train"] {
		ev.OutOfScopeTrain = append(ev.OutOfScopeTrain, ex.Text)
	}
	in, oos := "test", "oos_test"
	if len(test[in]) == 0 {
		in, oos = "val", "oos_val"
		fmt.Fprintf(opts.io.err, "eval intent: %s has no test split; testing on val and oos_val\n", opts.test)
	}
	for _, ex := range test[in] {
		if ex.Label != intent.OutOfScope {
			ev.Test = append(ev.Test, ex)
		}
	}
	for _, ex := range test[oos] {
		ev.OutOfScope = append(ev.OutOfScope, ex.Text)
	}
	if len(ev.Test) == 0 {
		return fmt.Errorf("%s: no %q split", opts.test, in)
	}
	return nil
}

func readCLINC(path string) (intent.CLINC150, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := intent.ReadCLINC150(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func readExamples(path string, read func(io.Reader) ([]intent.Example, error)) ([]intent.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Clean(path), err)
	}
	return ex, nil
}

type evalSentimentOptions struct {
	io       streams
	test     string
	format   string
	baseline string
	heldOut  bool
	holdOut  int
	models   string
}

func newEvalSentimentCmd(io streams, runF func(context.Context, *evalSentimentOptions) error) *cobra.Command {
	opts := &evalSentimentOptions{io: io}
	cmd := &cobra.Command{
		Use:   "sentiment --test FILE --format airline|goemotions [--baseline vader]",
		Short: "Measure positive/negative/neutral sentiment on a labelled file",
		Long: `Classify every text of the test file as positive, negative or neutral with the
embedded emotion model (or, with --baseline vader, with VADER at its standard
±0.05 thresholds) and print the figures. The last line of stdout is one JSON
object: accuracy, macro_f1 (over the three classes), n and per_utt_us (the
median time per utterance).

airline is the Twitter US Airline Sentiment CSV (columns text and
airline_sentiment). goemotions is a GoEmotions TSV; labels.txt and
sentiment_dict.json are read beside it. A row counts when all its emotions
fall in one group (positive, negative, or the label neutral); rows in the
ambiguous group (surprise, curiosity, confusion, realization) or spanning
groups are dropped, and their number is printed. With --held-out, only the
rows 'assist train emotion' held out of a training file are used.`,
		Example: `  assist eval sentiment --format goemotions --test ../shared/data/goemotions/dev.tsv
  assist eval sentiment --format goemotions --test ../shared/data/goemotions/dev.tsv --baseline vader
  assist eval sentiment --format goemotions --test ../shared/data/goemotions/train.tsv --held-out`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.test == "" {
				return usagef("--test is required")
			}
			if opts.format != "airline" && opts.format != "goemotions" {
				return usagef("--format must be airline or goemotions, not %q", opts.format)
			}
			if opts.baseline != "" && opts.baseline != "vader" {
				return usagef("--baseline must be vader, not %q", opts.baseline)
			}
			if opts.heldOut && opts.format != "goemotions" {
				return usagef("--held-out applies to goemotions training files only")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalSentiment(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.test, "test", "", "test file")
	f.StringVar(&opts.format, "format", "", "data format: airline or goemotions")
	f.StringVar(&opts.baseline, "baseline", "", "measure this peer instead of the embedded model: vader")
	f.BoolVar(&opts.heldOut, "held-out", false, "goemotions: only the rows the shipped model held out of training")
	f.IntVar(&opts.holdOut, "hold-out", assist.DefaultHoldOut, "with --held-out: every N-th row was held out, as 'assist train emotion --hold-out N'")
	f.StringVar(&opts.models, "models", "", "folder with polarity.model and gauges.model (default: the embedded ones)")
	return cmd
}

func runEvalSentiment(opts *evalSentimentOptions) error {
	texts, gold, dropped, err := sentimentTestSet(opts)
	if err != nil {
		return err
	}
	var c assist.Classifier
	switch {
	case opts.baseline == "vader":
		c = assist.NewVader()
	case opts.models != "":
		if c, err = assist.LoadEmotionModel(opts.models); err != nil {
			return err
		}
	default:
		if c, err = assist.EmbeddedEmotionModel(); err != nil {
			return err
		}
	}
	fmt.Fprintf(opts.io.err, "eval sentiment: %s on %d texts (%d dropped: ambiguous or mixed groups)\n",
		c.Name(), len(texts), dropped)
	rep, err := assist.EvalSentiment(c, texts, gold)
	if err != nil {
		return err
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.io.out, string(line))
	return nil
}

// sentimentTestSet reads the texts and gold classes of the test file.
func sentimentTestSet(opts *evalSentimentOptions) (texts, gold []string, dropped int, err error) {
	if opts.format == "airline" {
		rows, err := assist.ReadAirline(opts.test)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, r := range rows {
			texts, gold = append(texts, r.Text), append(gold, r.Labels[0])
		}
		return texts, gold, 0, nil
	}
	ge, err := assist.ReadGoEmotions(opts.test)
	if err != nil {
		return nil, nil, 0, err
	}
	for i, r := range ge.Rows {
		if opts.heldOut && !assist.HeldOut(i, opts.holdOut) {
			continue
		}
		c, ok := ge.Polarity(r)
		if !ok {
			dropped++
			continue
		}
		texts, gold = append(texts, r.Text), append(gold, c)
	}
	return texts, gold, dropped, nil
}
