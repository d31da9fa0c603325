package adapt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/audio/sphinx"
)

// ToolsDir is where the Debian package sphinxtrain installs bw and
// mllr_solve.
const ToolsDir = "/usr/lib/sphinxtrain"

// toolsPackage is the Debian package errors point the user at.
const toolsPackage = "sphinxtrain"

// Recording is one utterance to adapt on.
type Recording struct {
	// ID names the recording's files; letters, digits, '_', '-' and '.'.
	ID string
	// Speaker groups recordings, so that a transform can be trained on
	// some speakers and scored on the others.
	Speaker string
	// Words is what is said, in the dictionary's words.
	Words string
	// Samples are 16 kHz audio as the decoder gets it (see Telephone).
	Samples []int16
}

// TrainerOptions configure a Trainer.
type TrainerOptions struct {
	// Model is the acoustic model (HMM) and dictionary (Dict) adapted;
	// its other fields are not used.
	Model sphinx.Config
	// Tools is the folder of sphinxtrain's programs; ToolsDir when empty.
	Tools string
	// Work is the folder for the features, counts and logs; a temporary
	// one, removed by Close, when empty.
	Work string
	// Log receives a line per step; nil discards them.
	Log io.Writer
}

// Trainer estimates MLLR transforms of an acoustic model from recordings,
// with sphinxtrain: bw counts how each Gaussian explains the recordings'
// features, aligned to their words, and mllr_solve finds the one affine
// transform of all means that best explains those counts. It handles
// PocketSphinx's phonetically tied (PTM) models, whose mixture weights
// ship only as a quantised sendump.
type Trainer struct {
	o       TrainerOptions
	ownWork bool
	fe      *FrontEnd
	model   string // the model as sphinxtrain reads it, in the work folder
	words   map[string]bool
	// recs are each speaker's recording ids and transcripts.
	recs map[string][]Recording
	// counts caches each speaker's counts under the unadapted model, the
	// first pass of every transform.
	counts map[string]string
}

// NewTrainer checks the tools, prepares the model for them and loads the
// decoder's front end.
func NewTrainer(o TrainerOptions) (*Trainer, error) {
	if o.Tools == "" {
		o.Tools = ToolsDir
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	for _, tool := range []string{"bw", "mllr_solve"} {
		if _, err := os.Stat(filepath.Join(o.Tools, tool)); err != nil {
			return nil, fmt.Errorf("adapt: %s not found in %s: install the Debian package %s (apt-get install %s)", tool, o.Tools, toolsPackage, toolsPackage)
		}
	}
	if _, err := exec.LookPath("pocketsphinx_mdef_convert"); err != nil {
		return nil, errors.New("adapt: pocketsphinx_mdef_convert not found: install the Debian package pocketsphinx")
	}
	t := &Trainer{o: o, words: map[string]bool{}, recs: map[string][]Recording{}, counts: map[string]string{}}
	if t.o.Work == "" {
		dir, err := os.MkdirTemp("", "assist-adapt-")
		if err != nil {
			return nil, fmt.Errorf("adapt: %w", err)
		}
		t.o.Work, t.ownWork = dir, true
	}
	for _, sub := range []string{"feat", "model", "counts", "logs"} {
		if err := os.MkdirAll(filepath.Join(t.o.Work, sub), 0o755); err != nil {
			t.Close()
			return nil, fmt.Errorf("adapt: %w", err)
		}
	}
	t.model = filepath.Join(t.o.Work, "model")
	if err := t.prepareModel(); err != nil {
		t.Close()
		return nil, err
	}
	fe, err := NewFrontEnd(o.Model)
	if err != nil {
		t.Close()
		return nil, err
	}
	t.fe = fe
	return t, nil
}

// prepareModel gives sphinxtrain the model in the forms it reads: the
// model definition as text, the mixture weights unquantised, and the
// other files as they are.
func (t *Trainer) prepareModel() error {
	hmm := t.o.Model.HMM
	for _, f := range []string{"means", "variances", "transition_matrices", "noisedict"} {
		if err := copyFile(filepath.Join(hmm, f), filepath.Join(t.model, f)); err != nil {
			return fmt.Errorf("adapt: model: %w", err)
		}
	}
	if err := t.run("mdef", "pocketsphinx_mdef_convert", "-text", filepath.Join(hmm, "mdef"), filepath.Join(t.model, "mdef.txt")); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(hmm, "mixture_weights")); err == nil {
		return copyFile(filepath.Join(hmm, "mixture_weights"), filepath.Join(t.model, "mixture_weights"))
	}
	return ConvertSendump(filepath.Join(hmm, "sendump"), filepath.Join(t.model, "mixture_weights"))
}

// validID keeps recording ids usable as file names and in control files.
var validID = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Add computes the recordings' features with the decoder's front end and
// files them under their speakers.
func (t *Trainer) Add(recs ...Recording) error {
	for _, r := range recs {
		if !validID.MatchString(r.ID) || !validID.MatchString(r.Speaker) {
			return fmt.Errorf("adapt: recording %q of speaker %q: ids may hold only letters, digits, '_', '-' and '.'", r.ID, r.Speaker)
		}
		words := strings.Fields(strings.ToLower(r.Words))
		if len(words) == 0 {
			return fmt.Errorf("adapt: recording %s: no words", r.ID)
		}
		cep, err := t.fe.Cepstra(r.Samples)
		if err != nil {
			return fmt.Errorf("adapt: recording %s: %w", r.ID, err)
		}
		if len(cep) == 0 {
			return fmt.Errorf("adapt: recording %s: no speech frames", r.ID)
		}
		if err := WriteMFC(filepath.Join(t.o.Work, "feat", r.ID+".mfc"), cep); err != nil {
			return fmt.Errorf("adapt: recording %s: %w", r.ID, err)
		}
		for _, w := range words {
			t.words[w] = true
		}
		r.Words, r.Samples = strings.Join(words, " "), nil
		t.recs[r.Speaker] = append(t.recs[r.Speaker], r)
		delete(t.counts, r.Speaker)
	}
	return nil
}

// Work is the trainer's work folder.
func (t *Trainer) Work() string { return t.o.Work }

// Speakers lists the speakers of the recordings added, sorted.
func (t *Trainer) Speakers() []string {
	return slices.Sorted(maps.Keys(t.recs))
}

// MLLR estimates a transform from the recordings of the speakers named
// (all when none are) and writes it to out. Each pass after the first
// counts again under the model the previous pass adapted, so the
// alignments improve with the transform.
func (t *Trainer) MLLR(ctx context.Context, speakers []string, passes int, out string) error {
	if len(speakers) == 0 {
		speakers = t.Speakers()
	}
	if passes < 1 {
		return fmt.Errorf("adapt: %d passes: want at least one", passes)
	}
	for _, s := range speakers {
		if len(t.recs[s]) == 0 {
			return fmt.Errorf("adapt: no recordings of speaker %q", s)
		}
	}
	if err := t.writeDictionary(); err != nil {
		return err
	}
	name := strings.Join(speakers, "+")
	prev := ""
	for pass := 1; pass <= passes; pass++ {
		var dirs []string
		for _, s := range speakers {
			dir, err := t.count(ctx, s, prev, fmt.Sprintf("%s.pass%d", name, pass))
			if err != nil {
				return err
			}
			dirs = append(dirs, dir)
		}
		mllr := filepath.Join(t.o.Work, fmt.Sprintf("%s.pass%d.mllr", name, pass))
		err := t.runCtx(ctx, fmt.Sprintf("mllr_solve-%s.pass%d", name, pass), filepath.Join(t.o.Tools, "mllr_solve"),
			"-meanfn", filepath.Join(t.model, "means"),
			"-varfn", filepath.Join(t.model, "variances"),
			"-outmllrfn", mllr,
			// A list of folders, as sphinxtrain parses one: commas.
			"-accumdir", strings.Join(dirs, ","))
		if err != nil {
			return err
		}
		fmt.Fprintf(t.o.Log, "adapt: %s, pass %d of %d: transform estimated from %d speakers\n", name, pass, passes, len(speakers))
		prev = mllr
	}
	return copyFile(prev, out)
}

// count runs bw over one speaker's recordings under the model adapted by
// mllr ("" for the model as it is) and returns the folder of its counts.
// Counts under the unadapted model are the same for every transform, so
// they are kept.
func (t *Trainer) count(ctx context.Context, speaker, mllr, tag string) (string, error) {
	if mllr == "" {
		if dir, ok := t.counts[speaker]; ok {
			return dir, nil
		}
		tag = "base"
	}
	dir := filepath.Join(t.o.Work, "counts", speaker+"."+tag)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("adapt: %w", err)
	}
	ctl, lsn := filepath.Join(t.o.Work, speaker+".ctl"), filepath.Join(t.o.Work, speaker+".lsn")
	var c, l bytes.Buffer
	for _, r := range t.recs[speaker] {
		fmt.Fprintln(&c, r.ID)
		fmt.Fprintf(&l, "<s> %s </s> (%s)\n", r.Words, r.ID)
	}
	if err := os.WriteFile(ctl, c.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("adapt: %w", err)
	}
	if err := os.WriteFile(lsn, l.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("adapt: %w", err)
	}
	args := []string{
		"-hmmdir", t.model,
		"-moddeffn", filepath.Join(t.model, "mdef.txt"),
		// PocketSphinx's en-us model: phonetically tied mixtures, three
		// streams of 13 (its feat.params' -svspec), cepstral mean taken
		// over each recording as the stream's warm-up takes it.
		"-ts2cbfn", ".ptm.",
		"-feat", "1s_c_d_dd",
		"-svspec", "0-12/13-25/26-38",
		"-cmn", "batch",
		"-agc", "none",
		"-dictfn", filepath.Join(t.o.Work, "train.dict"),
		"-fdictfn", filepath.Join(t.model, "noisedict"),
		"-ctlfn", ctl,
		"-lsnfn", lsn,
		"-cepdir", filepath.Join(t.o.Work, "feat"),
		"-accumdir", dir,
	}
	if mllr != "" {
		args = append(args, "-mllrmat", mllr)
	}
	logName := "bw-" + speaker + "." + tag
	if err := t.runCtx(ctx, logName, filepath.Join(t.o.Tools, "bw"), args...); err != nil {
		return "", err
	}
	if err := checkAligned(filepath.Join(t.o.Work, "logs", logName+".log"), len(t.recs[speaker])); err != nil {
		return "", fmt.Errorf("adapt: speaker %s: %w", speaker, err)
	}
	if mllr == "" {
		t.counts[speaker] = dir
	}
	return dir, nil
}

// checkAligned reads a bw log and fails when fewer than nine in ten of the
// recordings were aligned to their words: a transcript that does not
// match its audio, or features from another front end.
func checkAligned(logPath string, n int) error {
	f, err := os.Open(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	// bw prints a line for every recording, and an error ending in
	// "ignored" for each it could not align.
	aligned := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		switch line := sc.Text(); {
		case strings.HasPrefix(line, "utt>"):
			aligned++
		case strings.HasPrefix(line, "ERROR:") && strings.HasSuffix(line, " ignored"):
			aligned--
		}
	}
	if aligned*10 < n*9 {
		return fmt.Errorf("bw aligned %d of %d recordings (see %s)", aligned, n, logPath)
	}
	return nil
}

// writeDictionary writes the pronunciations of the transcripts' words,
// every variant, from the model's dictionary: bw loads it for each
// speaker, and a dozen lines load faster than the whole dictionary.
func (t *Trainer) writeDictionary() error {
	out, missing, err := Subset(t.o.Model.Dict, t.words)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("adapt: words not in %s: %s", t.o.Model.Dict, strings.Join(missing, " "))
	}
	return os.WriteFile(filepath.Join(t.o.Work, "train.dict"), out, 0o644)
}

// Subset returns the lines of a pronunciation dictionary for the words
// given, with all their variants ("zero(2)"), in the dictionary's order,
// and the words it does not have, sorted.
func Subset(dict string, words map[string]bool) ([]byte, []string, error) {
	f, err := os.Open(dict)
	if err != nil {
		return nil, nil, fmt.Errorf("adapt: dictionary: %w", err)
	}
	defer f.Close()
	var out bytes.Buffer
	found := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		word, _, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		if words[word] {
			found[word] = true
			out.WriteString(sc.Text())
			out.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("adapt: dictionary %s: %w", dict, err)
	}
	var missing []string
	for w := range words {
		if !found[w] {
			missing = append(missing, w)
		}
	}
	slices.Sort(missing)
	return out.Bytes(), missing, nil
}

// Close removes the work folder when the trainer made it, and frees the
// front end.
func (t *Trainer) Close() error {
	if t.fe != nil {
		t.fe.Close()
	}
	if t.ownWork {
		return os.RemoveAll(t.o.Work)
	}
	return nil
}

// run runs a program with its output in the logs folder.
func (t *Trainer) run(name, prog string, args ...string) error {
	return t.runCtx(context.Background(), name, prog, args...)
}

func (t *Trainer) runCtx(ctx context.Context, name, prog string, args ...string) error {
	logPath := filepath.Join(t.o.Work, "logs", name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("adapt: %w", err)
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("adapt: %s failed: %w; its output ends:\n%s", filepath.Base(prog), err, tail(logPath, 5))
	}
	return nil
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// copyFile copies a file, replacing dst.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
