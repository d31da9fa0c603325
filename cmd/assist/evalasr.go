package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/internal/stats"
)

type evalASROptions struct {
	io       streams
	manifest string
	asr      asrFlags
}

func newEvalASRCmd(io streams, runF func(context.Context, *evalASROptions) error) *cobra.Command {
	opts := &evalASROptions{io: io}
	cmd := &cobra.Command{
		Use:   "asr --manifest FILE.tsv",
		Short: "Measure speech recognition on WAV files with reference transcripts",
		Long: `Each line of the manifest is a WAV path (relative to the manifest) and its
reference transcript, separated by a tab. Every file's first channel is fed to
the recognizer at real-time pace in 20 ms frames, as a live call would be, so
the run takes as long as the audio. The last line of stdout is one JSON object:
wer (word error rate over all files, lower-cased, punctuation removed), n (files),
audio_s, rtf (recognition time over audio time) and finalize_ms_p50 (the median
time from the end of an utterance's audio to its final hypothesis). Per-file
figures go to stderr.`,
		Example: `  assist eval asr --manifest clips.tsv`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.manifest == "" {
				return usagef("--manifest is required")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalASR(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.manifest, "manifest", "", "TSV file: WAV path <TAB> reference transcript")
	opts.asr.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.asr.digits, "digits", false, "score the digits grammar (number entry) instead of the open language model")
	return cmd
}

// asrItem is one manifest line.
type asrItem struct {
	path, reference string
}

func readManifest(path string) ([]asrItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []asrItem
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		wav, ref, ok := strings.Cut(text, "\t")
		if !ok || strings.TrimSpace(wav) == "" {
			return nil, fmt.Errorf("%s:%d: want a WAV path, a tab, and the reference transcript", path, line)
		}
		if !filepath.IsAbs(wav) {
			wav = filepath.Join(filepath.Dir(path), wav)
		}
		items = append(items, asrItem{wav, ref})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: no entries", path)
	}
	return items, nil
}

// asrReport is the last line of `assist eval asr`.
type asrReport struct {
	WER           float64 `json:"wer"`
	N             int     `json:"n"`
	AudioS        float64 `json:"audio_s"`
	RTF           float64 `json:"rtf"`
	FinalizeMSP50 float64 `json:"finalize_ms_p50"`
	Recognizer    string  `json:"recognizer"`
}

func runEvalASR(ctx context.Context, opts *evalASROptions) error {
	items, err := readManifest(opts.manifest)
	if err != nil {
		return err
	}
	rec, err := opts.asr.recognizer(newLogger(opts.io.err, false), false)
	if err != nil {
		return err
	}
	var (
		edits, words  int
		audioS, busyS float64
		finalizeMS    []float64
	)
	for _, it := range items {
		clip, err := audio.LoadWAV(it.path)
		if err != nil {
			return err
		}
		r, err := paceThrough(ctx, rec, clip)
		if err != nil {
			return fmt.Errorf("%s: %w", it.path, err)
		}
		e, w := audio.WordErrors(it.reference, r.text)
		edits, words = edits+e, words+w
		audioS += clip.Duration().Seconds()
		busyS += r.busy.Seconds()
		finalizeMS = append(finalizeMS, r.finalizeMS...)
		fmt.Fprintf(opts.io.err, "%s: wer %.3f (%d/%d)  %q\n", filepath.Base(it.path), ratio(e, w), e, w, r.text)
	}
	rep := asrReport{
		WER: stats.Round(ratio(edits, words), 3), N: len(items), AudioS: stats.Round(audioS, 3),
		RTF: stats.Round(busyS/audioS, 3), FinalizeMSP50: math.Round(stats.Median(finalizeMS)), Recognizer: rec.Name(),
	}
	line, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.io.out, string(line))
	return nil
}

// pacedResult is what feeding one clip at real-time pace gave.
type pacedResult struct {
	text       string
	busy       time.Duration // time spent recognising
	finalizeMS []float64     // per utterance: end of its audio → final
}

// paceThrough feeds the clip's first channel in 20 ms frames at real-time
// pace and times each final against the wall-clock moment its audio ended.
func paceThrough(ctx context.Context, rec audio.Recognizer, clip *audio.Clip) (pacedResult, error) {
	var res pacedResult
	d, err := audio.NewChannelDecoder(rec, clip.Rate, audio.EndpointOptions{})
	if err != nil {
		return res, err
	}
	var texts []string
	start := time.Now()
	emit := func(h audio.Hypothesis) {
		if !h.Final {
			return
		}
		res.finalizeMS = append(res.finalizeMS, float64(time.Since(start.Add(h.End)).Microseconds())/1000)
		if h.Text != "" {
			texts = append(texts, h.Text)
		}
	}
	samples := clip.Channels[0]
	step := clip.Rate / 50
	for i := 0; i < len(samples); i += step {
		// Frame i is complete once its audio has "arrived".
		due := start.Add(time.Duration(i+step) * time.Second / time.Duration(clip.Rate))
		select {
		case <-ctx.Done():
			d.Close(emit)
			return res, ctx.Err()
		case <-time.After(time.Until(due)):
		}
		t0 := time.Now()
		err := d.Write(samples[i:min(i+step, len(samples))], emit)
		res.busy += time.Since(t0)
		if err != nil {
			d.Close(emit)
			return res, err
		}
	}
	t0 := time.Now()
	err = d.Close(emit)
	res.busy += time.Since(t0)
	res.text = strings.Join(texts, " ")
	return res, err
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
