package evalsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/engine/app"
)

// ASROptions configure 'assist eval asr'.
type ASROptions struct {
	// Manifest is a TSV file of WAV paths and reference transcripts; FSDD
	// a Free Spoken Digit Dataset folder instead.
	Manifest, FSDD string
	// ASR is the speech recognizer measured.
	ASR app.ASRConfig
	// Out receives the report as a line of JSON; ErrOut each file's line
	// and the log.
	Out, ErrOut io.Writer
}

// ASR measures speech recognition on the recordings (see eval.ASR).
func ASR(ctx context.Context, o *ASROptions) error {
	items, err := eval.ASRItems(o.Manifest, o.FSDD)
	if err != nil {
		return err
	}
	rec, err := app.NewRecognizer(o.ASR, app.NewLogger(o.ErrOut, false))
	if err != nil {
		return err
	}
	rep, err := eval.ASR(ctx, rec, items, func(f eval.ASRFile) {
		fmt.Fprintln(o.ErrOut, f)
	})
	if err != nil {
		return err
	}
	for _, sp := range rep.Speakers {
		fmt.Fprintf(o.ErrOut, "speaker %s: wer %.3f (%d/%d), %d of %d empty\n", sp.Speaker, sp.WER, sp.Edits, sp.Words, sp.Empty, sp.N)
	}
	return json.NewEncoder(o.Out).Encode(rep)
}
