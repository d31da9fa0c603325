package eval

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/stats"
)

// ASRItem is one WAV file and its reference transcript.
type ASRItem struct {
	Path      string
	Reference string
	// Speaker names who speaks, when the data set says (FSDD does); the
	// report then breaks its figures down by speaker.
	Speaker string
	// Clip, when set, is the audio to recognise, already in memory (raw
	// PCM, or converted as by Telephone); Path then only names it.
	Clip *audio.Clip
}

// ReadManifest reads a manifest of WAV files: on each line a WAV path
// (relative to the manifest), a tab and the reference transcript. Blank
// lines and lines starting with # are skipped.
func ReadManifest(path string) ([]ASRItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []ASRItem
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
		items = append(items, ASRItem{Path: wav, Reference: ref})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: no entries", path)
	}
	return items, nil
}

// SphinxTranscriptionItems lists the recordings of a CMU Sphinx test
// folder, such as the LibriVox clips of the Debian package
// pocketsphinx-testdata: each file id of dir/transcription as dir/<id>.wav,
// with its words for reference.
func SphinxTranscriptionItems(dir string) ([]ASRItem, error) {
	utts, err := datasets.Load(filepath.Join(dir, "transcription"), datasets.ReadSphinxTranscription)
	if err != nil {
		return nil, err
	}
	items := make([]ASRItem, len(utts))
	for i, u := range utts {
		items[i] = ASRItem{Path: filepath.Join(dir, u.FileID+".wav"), Reference: u.Text}
	}
	return items, nil
}

// TelephoneRate is the sample rate of telephone audio.
const TelephoneRate = 8000

// Telephone returns the items as a phone line carries them: each clip's
// first channel resampled to 8 kHz (audio.Resample's anti-aliased filter)
// and passed through G.711 μ-law, as a WAV file converted with
// `sox in.wav -r 8000 -e u-law out.wav` decodes. Items without a Clip are
// read from their Path first.
func Telephone(items []ASRItem) ([]ASRItem, error) {
	out := make([]ASRItem, len(items))
	for i, it := range items {
		clip, err := it.load()
		if err != nil {
			return nil, err
		}
		narrow := audio.Resample(nil, clip.Channels[0], clip.Rate, TelephoneRate)
		for j, s := range narrow {
			narrow[j] = audio.MulawDecode(audio.MulawEncode(s))
		}
		it.Clip = &audio.Clip{Rate: TelephoneRate, Channels: [][]int16{narrow}}
		out[i] = it
	}
	return out, nil
}

// load returns the item's clip, reading it from Path when it has none.
func (it ASRItem) load() (*audio.Clip, error) {
	if it.Clip != nil {
		return it.Clip, nil
	}
	return audio.LoadWAV(it.Path)
}

// digitWords are the words the digits grammar recognises for 0 to 9.
var digitWords = [10]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// FSDDItems lists the recordings of a Free Spoken Digit Dataset folder
// (its references.tsv), each with its digit as a word ("zero" … "nine")
// for reference.
func FSDDItems(dir string) ([]ASRItem, error) {
	clips, err := datasets.LoadFSDD(dir)
	if err != nil {
		return nil, err
	}
	items := make([]ASRItem, len(clips))
	for i, c := range clips {
		items[i] = ASRItem{Path: c.Path, Reference: digitWords[c.Digit], Speaker: c.Speaker}
	}
	return items, nil
}

// ASRFile is how the recognizer did on one file.
type ASRFile struct {
	Path    string
	Speaker string
	// Text is what it recognised.
	Text string
	// Edits are the word edits between Text and the reference, of Words
	// reference words.
	Edits, Words int
}

// WER is the file's word error rate.
func (f ASRFile) WER() float64 { return ratio(f.Edits, f.Words) }

// Empty says the recognizer returned no words for the file: the
// endpointer found no speech, or the recognizer none in what it found.
func (f ASRFile) Empty() bool { return len(audio.NormalizeWords(f.Text)) == 0 }

// ASRSpeaker holds one speaker's figures in an ASRReport.
type ASRSpeaker struct {
	Speaker string  `json:"speaker"`
	N       int     `json:"n"`
	Empty   int     `json:"empty"`
	WER     float64 `json:"wer"`
	Edits   int     `json:"edits"`
	Words   int     `json:"words"`
}

// BySpeaker sums files up per speaker, in the order speakers first
// appear; files without a speaker are left out.
func BySpeaker(files []ASRFile) []ASRSpeaker {
	var out []ASRSpeaker
	at := map[string]int{}
	for _, f := range files {
		if f.Speaker == "" {
			continue
		}
		i, ok := at[f.Speaker]
		if !ok {
			i = len(out)
			at[f.Speaker] = i
			out = append(out, ASRSpeaker{Speaker: f.Speaker})
		}
		sp := &out[i]
		sp.N, sp.Edits, sp.Words = sp.N+1, sp.Edits+f.Edits, sp.Words+f.Words
		if f.Empty() {
			sp.Empty++
		}
	}
	for i := range out {
		out[i].WER = stats.Round(ratio(out[i].Edits, out[i].Words), 3)
	}
	return out
}

// ASRReport holds the figures of a speech-recognition evaluation.
type ASRReport struct {
	// WER is the word error rate over all files: lower-cased, punctuation
	// removed.
	WER float64 `json:"wer"`
	N   int     `json:"n"`
	// Empty counts the files that came back with no words.
	Empty  int     `json:"empty"`
	AudioS float64 `json:"audio_s"`
	// RTF is the recognition time over the audio time.
	RTF float64 `json:"rtf"`
	// FinalizeMSP50 is the median time from the end of an utterance's
	// audio to its final hypothesis.
	FinalizeMSP50 float64 `json:"finalize_ms_p50"`
	Recognizer    string  `json:"recognizer"`
	// Speakers breaks the figures down by speaker, when the items name
	// them.
	Speakers []ASRSpeaker `json:"speakers,omitempty"`
}

// ASR feeds every file's first channel to rec at real-time pace in 20 ms
// frames, as a live call would be, so it takes as long as the audio. each,
// when not nil, gets every file's result as it is done.
func ASR(ctx context.Context, rec audio.Recognizer, items []ASRItem, each func(ASRFile)) (ASRReport, error) {
	var (
		edits, words  int
		audioS, busyS float64
		finalizeMS    []float64
		files         []ASRFile
	)
	for _, it := range items {
		clip, err := it.load()
		if err != nil {
			return ASRReport{}, err
		}
		r, err := paceThrough(ctx, rec, clip)
		if err != nil {
			return ASRReport{}, fmt.Errorf("%s: %w", it.Path, err)
		}
		e, w := audio.WordErrors(it.Reference, r.text)
		edits, words = edits+e, words+w
		audioS += clip.Duration().Seconds()
		busyS += r.busy.Seconds()
		finalizeMS = append(finalizeMS, r.finalizeMS...)
		f := ASRFile{Path: it.Path, Speaker: it.Speaker, Text: r.text, Edits: e, Words: w}
		files = append(files, f)
		if each != nil {
			each(f)
		}
	}
	empty := 0
	for _, f := range files {
		if f.Empty() {
			empty++
		}
	}
	return ASRReport{
		WER: stats.Round(ratio(edits, words), 3), N: len(items), Empty: empty, AudioS: stats.Round(audioS, 3),
		RTF: stats.Round(busyS/audioS, 3), FinalizeMSP50: math.Round(stats.Median(finalizeMS)), Recognizer: rec.Name(),
		Speakers: BySpeaker(files),
	}, nil
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
