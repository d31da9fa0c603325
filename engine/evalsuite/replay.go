package evalsuite

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/stats"
)

// The replay group plays the SGD dialogues, and the bundled sample calls,
// as `assist replay --headless --speed 0` does (app.Start,
// engine.ReplayHeadless), each configuration three times on a fresh stack,
// and reports the median of each figure.

const sgdDialogues = "sgd_banks_dialogues/sgd_banks_dialogues.jsonl"

// replayRuns is how many times each configuration plays.
const replayRuns = 3

var replayGroup = group{
	name: "replay", needs: []string{sgdDialogues}, encoder: true,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		sgd, warnings, err := app.LoadCalls([]string{s.data(sgdDialogues)}, transcript.FormatAuto)
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			s.logf("  replay: transcript problem: %s", w)
		}
		bundled, _, err := app.LoadCalls(nil, transcript.FormatAuto)
		if err != nil {
			return nil, err
		}
		note := fmt.Sprintf("(its last stderr line; median of %d runs)", replayRuns)
		var rows []Row
		sgdArg := " " + dataArg(sgdDialogues)
		for _, c := range []struct {
			what, how, flags, file string
			calls                  []transcript.Call
			encoder                bool
			parallel               int
		}{
			{"SGD dialogues", "with the sentence encoder", "", sgdArg, sgd, true, 0},
			{"SGD dialogues", "without the encoder", " --encoder ''", sgdArg, sgd, false, 0},
			{"SGD dialogues", "without the encoder, one call at a time", " --encoder '' --parallel 1", sgdArg, sgd, false, 1},
			{"bundled sample calls", "with the sentence encoder", "", "", bundled, true, 0},
		} {
			enc := ""
			if c.encoder {
				enc = s.opts.Encoder
			}
			sum, err := s.replay(ctx, c.what+", "+c.how, c.calls, enc, c.parallel)
			if err != nil {
				return nil, err
			}
			figure := fmt.Sprintf("headless replay, %d %s, %s utterances (%s customer), %s events, %s",
				sum.calls, c.what, count(sum.utterances), count(sum.customer), count(sum.events), c.how)
			cmd := "assist replay --headless --speed 0" + c.flags + c.file + " >/dev/null"
			rows = append(rows, Row{Figure: figure, Command: cmd, Note: note, Value: sum.String(), Figures: sum.runs})
		}
		return rows, nil
	},
}

// replayRun is the figures of one headless replay.
type replayRun struct {
	UtterancesPerS float64 `json:"utterances_per_s"`
	// P50MS and P99MS are of each customer turn's first suggestions;
	// RefinedP50MS and RefinedP99MS of the encoder's refined ones, when
	// there are any (Refined turns).
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	Refined      int     `json:"refined,omitempty"`
	RefinedP50MS float64 `json:"refined_p50_ms,omitempty"`
	RefinedP99MS float64 `json:"refined_p99_ms,omitempty"`
}

// replaySummary is the median of a configuration's runs.
type replaySummary struct {
	calls, utterances, customer, events int
	runs                                []replayRun
}

// String is the medians as the README quotes them, and each run's
// throughput.
func (r replaySummary) String() string {
	med := func(f func(replayRun) float64) float64 {
		v := make([]float64, len(r.runs))
		for i, run := range r.runs {
			v[i] = f(run)
		}
		return stats.Median(v)
	}
	rates := make([]float64, len(r.runs))
	for i, run := range r.runs {
		rates[i] = run.UtterancesPerS
	}
	slices.Sort(rates)
	each := make([]string, len(rates))
	for i, v := range rates {
		each[i] = count(int(math.Round(v)))
	}
	refined := ""
	if med(func(x replayRun) float64 { return float64(x.Refined) }) > 0 {
		refined = fmt.Sprintf("; refined p50 %s, p99 %s",
			ms(med(func(x replayRun) float64 { return x.RefinedP50MS })),
			ms(med(func(x replayRun) float64 { return x.RefinedP99MS })))
	}
	return fmt.Sprintf("%s utterances/s; utterance-to-suggestions p50 %s, p99 %s%s (runs: %s utterances/s)",
		count(int(math.Round(med(func(x replayRun) float64 { return x.UtterancesPerS })))),
		ms(med(func(x replayRun) float64 { return x.P50MS })),
		ms(med(func(x replayRun) float64 { return x.P99MS })),
		refined, strings.Join(each, ", "))
}

// replay plays calls replayRuns times, each time on a new stack as a new
// `assist replay` process would start: the bundled knowledge base, the
// encoder in enc when not empty, nothing kept between runs.
func (s *suite) replay(ctx context.Context, name string, calls []transcript.Call, enc string, parallel int) (replaySummary, error) {
	var sum replaySummary
	for range replayRuns {
		stack, err := app.Start(ctx, app.Config{KB: app.KBConfig{Encoder: enc}})
		if err != nil {
			return sum, err
		}
		// As the command at --speed 0: each turn's refinement waited for.
		player := engine.NewPlayer(stack.Engine, engine.PlayerOptions{Speed: 0, Parallel: parallel, WaitModels: true})
		rep, err := engine.ReplayHeadless(ctx, stack.Bus, player, calls, io.Discard)
		stack.Close()
		if err != nil {
			return sum, fmt.Errorf("replay %s: %w", name, err)
		}
		run := replayRun{
			UtterancesPerS: rep.UtterancesPerSecond(),
			P50MS:          stats.Percentile(rep.LatencyMS, 50),
			P99MS:          stats.Percentile(rep.LatencyMS, 99),
			Refined:        len(rep.RefinedLatencyMS),
		}
		if run.Refined > 0 {
			run.RefinedP50MS = stats.Percentile(rep.RefinedLatencyMS, 50)
			run.RefinedP99MS = stats.Percentile(rep.RefinedLatencyMS, 99)
		}
		s.logf("  replay %s: %s", name, rep)
		sum.runs = append(sum.runs, run)
		sum.calls, sum.utterances, sum.customer, sum.events = rep.Calls, rep.Utterances, rep.CustomerUtterances, rep.Events
	}
	return sum, nil
}
