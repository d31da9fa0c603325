// Package evalsuite runs, in one process, every evaluation behind the
// README's quality and performance tables, as `assist eval all` and `make
// eval` do: retrieval on BANKING77 and CLINC150, sentiment and the emotion
// gauges on GoEmotions and TweetEval, guided flows on ABCD, speech
// recognition on jfk.wav, the LibriVox and digit clips of
// pocketsphinx-testdata and the Free Spoken Digit Dataset, the headless
// replay of the SGD dialogues, and the voice path's memory and lag under
// concurrent Twilio calls. Each figure is computed by the
// functions the standalone command calls (assist/eval, and the engine's
// headless replay through engine/app), and each row names that command,
// so a figure can be checked on its own.
//
// It is a package of its own rather than a part of engine/app because it
// composes both sides: the offline harness of assist/eval and the stack
// that engine/app starts for a replay, neither of which should know the
// other.
//
// The commands themselves run here too, each printing what it prints:
// All is `assist eval all`; Intent, Sentiment, ASR, Flows and VoiceLoad
// are the standalone `assist eval` commands, and TrainEmotion is `assist train
// emotion`, which trains the model the sentiment figures measure.
package evalsuite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/kb/encoder"
)

// Options set where the suite reads and what it runs.
type Options struct {
	// Data is the folder of the public data sets, laid out as
	// ../shared/data: banking77/, clinc150/, goemotions/, tweeteval/,
	// abcd_guidelines/, speech_jfk/, fsdd_train_8k/, sgd_banks_dialogues/.
	Data string
	// Encoder is the sentence encoder's folder, which the retrieval and
	// replay groups need.
	Encoder string
	// SphinxData is the folder of the Debian package
	// pocketsphinx-testdata; SphinxTestData when empty.
	SphinxData string
	// ContactSet is the folder of the project's contact-center set
	// (turns.jsonl, calls.jsonl, alerts.jsonl); DefaultContactSet, from
	// the repository root, when empty.
	ContactSet string
	// Groups names the groups to run, in any order; all when empty.
	Groups []string
	// Progress receives a line as each evaluation and each row is done;
	// nothing when nil.
	Progress io.Writer
}

// SphinxTestData is where the Debian package pocketsphinx-testdata
// installs its recordings.
const SphinxTestData = "/usr/share/pocketsphinx/test/data"

// Row is one figure of the table.
type Row struct {
	// Group is the group that computed the row (see Groups).
	Group string `json:"group"`
	// Figure says what was measured, on what.
	Figure string `json:"figure"`
	// Command is the standalone command that reproduces the row, with
	// the data folder written DATA.
	Command string `json:"command"`
	// Note says which part of the command's output the row is, or how
	// the suite's run differs from the command's.
	Note string `json:"note,omitempty"`
	// Value is the figure as the README quotes it.
	Value string `json:"value"`
	// Figures holds the numbers behind Value: the report the command
	// prints as JSON, or the reports it was summed up from.
	Figures any `json:"figures,omitempty"`
}

// group is a set of rows computed together, because they share a data
// set, a model or a run.
type group struct {
	name string
	// needs lists the files the group reads, relative to the data folder
	// or, for pocketsphinx-testdata, to its folder (sphinx).
	needs, sphinx []string
	// encoder says the group needs the sentence encoder.
	encoder bool
	run     func(ctx context.Context, s *suite) ([]Row, error)
}

// groups are run in this order: the quick ones first, so that a problem
// shows early.
var groups = []group{
	flowsGroup, stepsGroup, repliesGroup, goEmotionsGroup, gaugesGroup, tweetEvalGroup, contactCenterGroup, alertsGroup,
	bankingGroup, clincGroup, clincTuningGroup,
	replayGroup,
	speechGroup, digitsGroup, fsddGroup,
	voiceLoadGroup,
}

// Groups returns the names of the groups, in the order they run.
func Groups() []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.name
	}
	return names
}

// suite is one run: its options, what the groups share, and its progress.
type suite struct {
	opts  Options
	enc   *encoder.Model
	start time.Time
	// mu keeps the progress lines of evaluations run at once whole.
	mu sync.Mutex
}

// Run runs the groups and returns their rows, in group order. Missing data
// (a data-set file, pocketsphinx-testdata, the sentence encoder) fails
// before anything runs. A group that fails is reported on Progress and in
// the error, and the other groups still run.
func Run(ctx context.Context, opts Options) ([]Row, error) {
	if opts.SphinxData == "" {
		opts.SphinxData = SphinxTestData
	}
	selected, err := selectGroups(opts.Groups)
	if err != nil {
		return nil, err
	}
	s := &suite{opts: opts, start: time.Now()}
	if err := s.check(selected); err != nil {
		return nil, err
	}
	var (
		rows []Row
		errs []error
	)
	for _, g := range selected {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		start := time.Now()
		s.logf("%s: running", g.name)
		got, err := g.run(ctx, s)
		if err != nil {
			err = fmt.Errorf("eval all: %s: %w", g.name, err)
			s.logf("%v", err)
			errs = append(errs, err)
			continue
		}
		for i := range got {
			got[i].Group = g.name
			s.logf("%s: %s: %s", g.name, got[i].Figure, got[i].Value)
		}
		s.logf("%s: %d rows in %s", g.name, len(got), since(start))
		rows = append(rows, got...)
	}
	s.logf("%d rows in %s", len(rows), since(s.start))
	return rows, errors.Join(errs...)
}

// CheckGroups returns an error naming the first of names that is not a
// group.
func CheckGroups(names []string) error {
	for _, n := range names {
		if !slices.Contains(Groups(), n) {
			return fmt.Errorf("no group %q: want some of %s", n, strings.Join(Groups(), ", "))
		}
	}
	return nil
}

// selectGroups returns the named groups in run order, or all of them.
func selectGroups(names []string) ([]group, error) {
	if len(names) == 0 {
		return groups, nil
	}
	if err := CheckGroups(names); err != nil {
		return nil, fmt.Errorf("eval all: %w", err)
	}
	var out []group
	for _, g := range groups {
		if slices.Contains(names, g.name) {
			out = append(out, g)
		}
	}
	return out, nil
}

// check makes sure every file the groups read is there, and loads the
// sentence encoder when a group needs it.
func (s *suite) check(selected []group) error {
	var missing []string
	needEncoder := false
	for _, g := range selected {
		for _, rel := range g.needs {
			if _, err := os.Stat(s.data(rel)); err != nil {
				missing = append(missing, fmt.Sprintf("%s (group %s): %v", s.data(rel), g.name, err))
			}
		}
		for _, rel := range g.sphinx {
			if _, err := os.Stat(s.sphinx(rel)); err != nil {
				missing = append(missing, fmt.Sprintf("%s (group %s; Debian package pocketsphinx-testdata): %v", s.sphinx(rel), g.name, err))
			}
		}
		needEncoder = needEncoder || g.encoder
	}
	if len(missing) > 0 {
		return fmt.Errorf("eval all: missing data:\n  %s", strings.Join(missing, "\n  "))
	}
	if !needEncoder {
		return nil
	}
	if s.opts.Encoder == "" {
		return errors.New("eval all: the sentence encoder is not installed: run 'make encoder', or pass --encoder DIR")
	}
	enc, err := encoder.Load(s.opts.Encoder)
	if err != nil {
		return fmt.Errorf("eval all: %w", err)
	}
	s.enc = enc
	return nil
}

// data is the path of a file of the data folder.
func (s *suite) data(rel string) string {
	return filepath.Join(s.opts.Data, filepath.FromSlash(rel))
}

// sphinx is the path of a file of pocketsphinx-testdata.
func (s *suite) sphinx(rel string) string {
	return filepath.Join(s.opts.SphinxData, filepath.FromSlash(rel))
}

// logf writes a progress line with the time since the suite started.
func (s *suite) logf(format string, args ...any) {
	if s.opts.Progress != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		fmt.Fprintf(s.opts.Progress, "eval all [%s] %s\n", since(s.start), fmt.Sprintf(format, args...))
	}
}

// dataArg names a file of the data folder in a row's command.
func dataArg(rel string) string { return "DATA/" + rel }

// since is the time since start, to the second.
func since(start time.Time) time.Duration { return time.Since(start).Round(time.Second) }

// WriteMarkdown writes rows as a Markdown table with the columns figure,
// command (as code, then its note) and value.
func WriteMarkdown(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| figure | command | value |\n| --- | --- | --- |\n")
	for _, r := range rows {
		command := "`" + cell(r.Command) + "`"
		if r.Note != "" {
			command += " " + cell(r.Note)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(r.Figure), command, cell(r.Value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes what would end a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// WriteJSON writes rows as an indented JSON list, with the figures behind
// each value.
func WriteJSON(w io.Writer, rows []Row) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}
