package evalsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/adapt"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/stats"
)

// DefaultAdaptPasses is how many times the digits transform is
// estimated, each pass counting under the model the previous one adapted.
const DefaultAdaptPasses = 2

// digitWords are the words of the digits 0 to 9.
var digitWords = [10]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// TrainASRAdaptOptions configure 'assist train asr-adapt'.
type TrainASRAdaptOptions struct {
	// FSDD is the Free Spoken Digit Dataset folder trained on; Output the
	// transform written.
	FSDD, Output string
	// Passes is how many times the transform is estimated.
	Passes int
	// Work keeps sphinxtrain's files (features, counts, logs) in this
	// folder; a temporary one, removed at the end, when empty.
	Work string
	// Out receives the line saying what was trained; ErrOut each step.
	Out, ErrOut io.Writer
}

// TrainASRAdapt trains the digits grammar's MLLR transform on every
// recording of an FSDD folder: the file audio/sphinx/telephone ships.
func TrainASRAdapt(ctx context.Context, o *TrainASRAdaptOptions) error {
	start := time.Now()
	clips, err := datasets.LoadFSDD(o.FSDD)
	if err != nil {
		return err
	}
	t, audioS, err := fsddTrainer(clips, o.Work, o.ErrOut)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := t.MLLR(ctx, nil, o.Passes, o.Output); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "%s: MLLR transform from %d recordings of %d speakers (%.1f min), %d passes, in %.0fs\n",
		o.Output, len(clips), len(t.Speakers()), audioS/60, o.Passes, time.Since(start).Seconds())
	return nil
}

// fsddTrainer loads a Trainer with the FSDD clips as the digits decoder
// hears them on a telephone line, and returns the seconds of audio.
func fsddTrainer(clips []datasets.FSDDClip, work string, log io.Writer) (*adapt.Trainer, float64, error) {
	sc, err := app.DigitsModel()
	if err != nil {
		return nil, 0, err
	}
	t, err := adapt.NewTrainer(adapt.TrainerOptions{Model: sc, Work: work, Log: log})
	if err != nil {
		return nil, 0, err
	}
	var audioS float64
	for i, c := range clips {
		clip, err := audio.LoadWAV(c.Path)
		if err != nil {
			t.Close()
			return nil, 0, err
		}
		audioS += clip.Duration().Seconds()
		rec := adapt.Recording{
			ID:      strings.TrimSuffix(filepath.Base(c.Path), filepath.Ext(c.Path)),
			Speaker: c.Speaker,
			Words:   digitWords[c.Digit],
			Samples: adapt.Telephone(clip.Channels[0], clip.Rate, uint64(i)),
		}
		if err := t.Add(rec); err != nil {
			t.Close()
			return nil, 0, err
		}
	}
	fmt.Fprintf(log, "adapt: features of %d recordings\n", len(clips))
	return t, audioS, nil
}

// ASRAdaptOptions configure 'assist eval asr-adapt'.
type ASRAdaptOptions struct {
	// FSDD is the Free Spoken Digit Dataset folder.
	FSDD string
	// Passes is how many times each fold's transform is estimated.
	Passes int
	// First and Last bound the recordings scored, by the index ending
	// their names; every recording of the other speakers is trained on.
	First, Last int
	// Open also scores the open language model, which is slow: a new
	// decoder per recording.
	Open bool
	// Jobs is how many recordings are decoded at once.
	Jobs int
	// Work keeps sphinxtrain's files; temporary when empty.
	Work string
	// Out receives the table and a JSON line; ErrOut the progress.
	Out, ErrOut io.Writer
}

// ASRAdaptFigure is one recognizer's result on one held-out speaker (or
// all of them, Speaker "all").
type ASRAdaptFigure struct {
	Speaker    string  `json:"speaker"`
	Recognizer string  `json:"recognizer"`
	Path       string  `json:"path"`
	WER        float64 `json:"wer"`
	Edits      int     `json:"edits"`
	Words      int     `json:"words"`
	Empty      int     `json:"empty"`
}

// adaptRun is one recognizer scored in the cross-validation.
type adaptRun struct {
	name   string
	digits bool
	// adapted uses the fold's transform; otherwise none.
	adapted bool
}

// ASRAdapt cross-validates the digits grammar's adaptation by speaker:
// for each FSDD speaker it trains a transform on the other five, then
// scores the held-out speaker's recordings with and without it, each
// decoded two ways: whole (padded as adapt.Telephone pads it, fed straight
// to a stream, so the endpointer plays no part) and through the
// endpointer, as `assist eval asr --fsdd` decodes them.
func ASRAdapt(ctx context.Context, o *ASRAdaptOptions) error {
	clips, err := datasets.LoadFSDD(o.FSDD)
	if err != nil {
		return err
	}
	scored := map[string][]datasets.FSDDClip{}
	for _, c := range clips {
		if i := recordingIndex(c.Path); i >= o.First && i <= o.Last {
			scored[c.Speaker] = append(scored[c.Speaker], c)
		}
	}
	for _, c := range clips {
		if len(scored[c.Speaker]) == 0 {
			return fmt.Errorf("asr-adapt: no recordings %d to %d of %s", o.First, o.Last, c.Speaker)
		}
	}
	t, _, err := fsddTrainer(clips, o.Work, o.ErrOut)
	if err != nil {
		return err
	}
	defer t.Close()
	runs := []adaptRun{{"digits grammar", true, false}, {"digits grammar, adapted", true, true}}
	if o.Open {
		runs = append(runs, adaptRun{"open language model", false, false})
	}
	speakers := t.Speakers()
	var figures []ASRAdaptFigure
	for _, held := range speakers {
		train := slices.DeleteFunc(slices.Clone(speakers), func(s string) bool { return s == held })
		mllr := filepath.Join(t.Work(), "without-"+held+".mllr")
		if err := t.MLLR(ctx, train, o.Passes, mllr); err != nil {
			return err
		}
		for _, run := range runs {
			cfg := app.ASRConfig{Digits: run.digits, DigitsAdapt: app.DigitsAdaptOff}
			if run.adapted {
				cfg.DigitsAdapt = mllr
			}
			rec, err := app.NewRecognizer(cfg, nil)
			if err != nil {
				return err
			}
			for _, path := range []string{"whole", "endpointer"} {
				f, err := scoreFSDD(ctx, rec, scored[held], path, o.Jobs)
				if err != nil {
					return err
				}
				f.Speaker, f.Recognizer = held, run.name
				figures = append(figures, f)
				fmt.Fprintf(o.ErrOut, "asr-adapt: %s, %s, %s: WER %.3f (%d/%d), %d empty\n", held, run.name, path, f.WER, f.Edits, f.Words, f.Empty)
			}
			closeRecognizer(rec)
		}
	}
	figures = append(figures, totals(figures)...)
	writeAdaptTable(o.Out, figures)
	return json.NewEncoder(o.Out).Encode(figures)
}

// closeRecognizer frees a recognizer's decoders when it holds any.
func closeRecognizer(rec audio.Recognizer) {
	if c, ok := rec.(io.Closer); ok {
		c.Close()
	}
}

// recordingIndex is the index ending an FSDD file name (5 in
// 0_george_5.wav), or -1.
func recordingIndex(path string) int {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	i, err := strconv.Atoi(name[strings.LastIndexByte(name, '_')+1:])
	if err != nil {
		return -1
	}
	return i
}

// scoreFSDD decodes the clips, jobs at a time, each on a new stream, and
// sums their word errors.
func scoreFSDD(ctx context.Context, rec audio.Recognizer, clips []datasets.FSDDClip, path string, jobs int) (ASRAdaptFigure, error) {
	texts := make([]string, len(clips))
	errs := make([]error, len(clips))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(jobs, 1) {
		wg.Go(func() {
			for i := range next {
				texts[i], errs[i] = decodeFSDD(rec, clips[i].Path, path, uint64(i))
			}
		})
	}
feed:
	for i := range clips {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return ASRAdaptFigure{}, err
	}
	f := ASRAdaptFigure{Path: path}
	for i, c := range clips {
		if errs[i] != nil {
			return f, fmt.Errorf("%s: %w", c.Path, errs[i])
		}
		e, w := audio.WordErrors(digitWords[c.Digit], texts[i])
		f.Edits, f.Words = f.Edits+e, f.Words+w
		if texts[i] == "" {
			f.Empty++
		}
	}
	f.WER = stats.Round(ratio(f.Edits, f.Words), 3)
	return f, nil
}

// decodeFSDD recognises one recording, whole or through the endpointer.
func decodeFSDD(rec audio.Recognizer, path, how string, seed uint64) (string, error) {
	clip, err := audio.LoadWAV(path)
	if err != nil {
		return "", err
	}
	if how == "endpointer" {
		hs, err := audio.Transcribe(rec, clip, audio.EndpointOptions{})
		if err != nil {
			return "", err
		}
		var texts []string
		for _, h := range hs[0] {
			texts = append(texts, h.Text)
		}
		return strings.Join(texts, " "), nil
	}
	// A telephone stream: with the open model, that is the one mixed
	// with the digits model.
	s, err := audio.NewStreamAt(rec, clip.Rate)
	if err != nil {
		return "", err
	}
	defer s.Close()
	samples := adapt.Telephone(clip.Channels[0], clip.Rate, seed)
	for off := 0; off < len(samples); off += audio.FrameSamples {
		if _, err := s.Accept(samples[off:min(off+audio.FrameSamples, len(samples))]); err != nil {
			return "", err
		}
	}
	return s.Final()
}

// totals sums the figures of every speaker per recognizer and path.
func totals(figures []ASRAdaptFigure) []ASRAdaptFigure {
	var out []ASRAdaptFigure
	index := map[[2]string]int{}
	for _, f := range figures {
		key := [2]string{f.Recognizer, f.Path}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, ASRAdaptFigure{Speaker: "all", Recognizer: f.Recognizer, Path: f.Path})
		}
		out[i].Edits += f.Edits
		out[i].Words += f.Words
		out[i].Empty += f.Empty
	}
	for i := range out {
		out[i].WER = stats.Round(ratio(out[i].Edits, out[i].Words), 3)
	}
	return out
}

// writeAdaptTable prints the figures as a Markdown table: a row per
// speaker, a column per recognizer and path.
func writeAdaptTable(w io.Writer, figures []ASRAdaptFigure) {
	var cols [][2]string
	var speakers []string
	cell := map[[3]string]ASRAdaptFigure{}
	for _, f := range figures {
		col := [2]string{f.Recognizer, f.Path}
		if !slices.Contains(cols, col) {
			cols = append(cols, col)
		}
		if !slices.Contains(speakers, f.Speaker) {
			speakers = append(speakers, f.Speaker)
		}
		cell[[3]string{f.Speaker, f.Recognizer, f.Path}] = f
	}
	fmt.Fprint(w, "| held-out speaker |")
	for _, c := range cols {
		fmt.Fprintf(w, " %s, %s |", c[0], c[1])
	}
	fmt.Fprint(w, "\n| --- |")
	for range cols {
		fmt.Fprint(w, " --- |")
	}
	fmt.Fprintln(w)
	for _, s := range speakers {
		fmt.Fprintf(w, "| %s |", s)
		for _, c := range cols {
			f := cell[[3]string{s, c[0], c[1]}]
			fmt.Fprintf(w, " %s (%d/%d, %d empty) |", frac(f.WER), f.Edits, f.Words, f.Empty)
		}
		fmt.Fprintln(w)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
