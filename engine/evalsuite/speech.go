package evalsuite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/app"
)

// The speech groups run `assist eval asr`'s evaluation (eval.ASR) with the
// embedded recognizer and its live search, at real-time pace, so they take
// at least as long as their audio: 36 s twice, 5 s twice, and 80 s twice
// at once.

const (
	jfkWAV       = "speech_jfk/jfk.wav"
	jfkReference = "speech_jfk/jfk.reference.txt"
	librivoxDir  = "librivox"
	fsddDir      = "fsdd_train_8k"
)

// The digit recordings of pocketsphinx-testdata: TIDIGITS' raw 16 kHz
// PCM, and a WAV of the cards test.
const (
	tidigitsRaw = "tidigits/dhd.2934z.raw"
	cardsWAV    = "cards/004.wav"
)

// telephoneNote says how the 8 kHz rows differ from the command.
const telephoneNote = "on 8 kHz μ-law copies: made here with audio.Resample and G.711 μ-law (no sox); by hand, `sox in.wav -r 8000 -e u-law out.wav`"

var speechGroup = group{
	name:   "asr",
	needs:  []string{jfkWAV, jfkReference},
	sphinx: []string{librivoxDir + "/transcription"},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		ref, err := os.ReadFile(s.data(jfkReference))
		if err != nil {
			return nil, err
		}
		jfk := eval.ASRItem{Path: s.data(jfkWAV), Reference: strings.TrimSpace(string(ref))}
		librivox, err := eval.SphinxTranscriptionItems(s.sphinx(librivoxDir))
		if err != nil {
			return nil, err
		}
		items := append([]eval.ASRItem{jfk}, librivox...)
		phone, err := eval.Telephone(items)
		if err != nil {
			return nil, err
		}
		rec, err := app.NewRecognizer(app.ASRConfig{}, nil)
		if err != nil {
			return nil, err
		}
		cmd := "assist eval asr --manifest speech.tsv"
		manifest := fmt.Sprintf("(speech.tsv: %s and the %d LibriVox clips of %s, references from its transcription file)",
			dataArg(jfkWAV), len(librivox), filepath.Join(s.opts.SphinxData, librivoxDir))
		var rows []Row
		for _, run := range []struct {
			name, note string
			items      []eval.ASRItem
		}{
			{"16 kHz originals", manifest, items},
			{"8 kHz μ-law", manifest + "; " + telephoneNote, phone},
		} {
			rep, files, err := s.asr(ctx, "speech, "+run.name, rec, run.items)
			if err != nil {
				return nil, err
			}
			lv := files[1:]
			rows = append(rows,
				Row{Figure: fmt.Sprintf("speech, %s, all %d (%.1f s of audio)", run.name, rep.N, rep.AudioS), Command: cmd, Note: run.note,
					Value: asrValue(rep, files), Figures: rep},
				Row{Figure: fmt.Sprintf("speech, %s, the %d LibriVox clips", run.name, len(lv)), Command: cmd, Note: "(the per-file lines on stderr)",
					Value: werValue(lv)},
				Row{Figure: fmt.Sprintf("speech, %s, jfk.wav", run.name), Command: cmd, Note: "(the per-file lines on stderr)",
					Value: werValue(files[:1])},
			)
		}
		return rows, nil
	},
}

var digitsGroup = group{
	name:   "digits",
	sphinx: []string{tidigitsRaw, cardsWAV},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		clip, err := readRaw(s.sphinx(tidigitsRaw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.sphinx(tidigitsRaw), err)
		}
		items := []eval.ASRItem{
			{Path: s.sphinx(tidigitsRaw), Reference: "two nine three four zero", Clip: clip},
			{Path: s.sphinx(cardsWAV), Reference: "five five"},
		}
		phone, err := eval.Telephone(items)
		if err != nil {
			return nil, err
		}
		rec, err := app.NewRecognizer(app.ASRConfig{Digits: true}, nil)
		if err != nil {
			return nil, err
		}
		cmd := "assist eval asr --digits --manifest digits.tsv"
		manifest := fmt.Sprintf("(digits.tsv: %s as a 16 kHz WAV, \"two nine three four zero\"; %s, \"five five\")",
			filepath.Join(s.opts.SphinxData, tidigitsRaw), filepath.Join(s.opts.SphinxData, cardsWAV))
		var rows []Row
		for _, run := range []struct {
			name, note string
			items      []eval.ASRItem
		}{
			{"16 kHz", manifest, items},
			{"8 kHz μ-law", manifest + "; " + telephoneNote, phone},
		} {
			rep, files, err := s.asr(ctx, "digits, "+run.name, rec, run.items)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{
				Figure:  fmt.Sprintf("spoken digits (--digits), the %d digit recordings of pocketsphinx-testdata, %s", rep.N, run.name),
				Command: cmd, Note: run.note, Value: asrValue(rep, files), Figures: rep,
			})
		}
		return rows, nil
	},
}

// readRaw reads a file of raw 16 kHz mono PCM.
func readRaw(path string) (*audio.Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return audio.ReadRawPCM(f, audio.SampleRate, 1)
}

// fsddFirst and fsddLast bound the recordings of the Free Spoken Digit
// Dataset the fsdd group reads: the 5th to the 7th of each speaker and
// digit, 180 of 2,700 and 80 s of audio. Each recording is a new stream,
// and a new PocketSphinx decoder costs about half a second, so the open
// language model takes three minutes over them; the digits grammar decodes
// them at the same time, on its own stream, and the real-time factors are
// those of two streams at once.
const fsddFirst, fsddLast = 5, 7

var fsddGroup = group{
	name:  "fsdd",
	needs: []string{fsddDir + "/references.tsv"},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		all, err := eval.FSDDItems(s.data(fsddDir))
		if err != nil {
			return nil, err
		}
		items, err := fsddSubset(all, fsddFirst, fsddLast)
		if err != nil {
			return nil, err
		}
		runs := []struct {
			name, flags, note string
			digits            bool
			rep               eval.ASRReport
			files             []eval.ASRFile
			err               error
		}{
			{name: "open language model"},
			// The shipped transform was trained on every recording of the
			// training split, these included.
			{name: "digits grammar", flags: " --digits", digits: true,
				note: "; the digits grammar's telephone adaptation was trained on these recordings: `assist eval asr-adapt` holds each speaker out"},
		}
		var wg sync.WaitGroup
		for i := range runs {
			r := &runs[i]
			rec, err := app.NewRecognizer(app.ASRConfig{Digits: r.digits}, nil)
			if err != nil {
				return nil, err
			}
			wg.Go(func() { r.rep, r.files, r.err = s.asr(ctx, "FSDD, "+r.name, rec, items) })
		}
		wg.Wait()
		var rows []Row
		for _, r := range runs {
			if r.err != nil {
				return nil, r.err
			}
			cmd := "assist eval asr --fsdd " + dataArg(fsddDir) + r.flags
			rows = append(rows, Row{
				Figure: fmt.Sprintf("spoken digits, Free Spoken Digit Dataset recordings %d–%d of each speaker and digit (%d of %s, 8 kHz, %.0f s), %s; two streams at once",
					fsddFirst, fsddLast, len(items), count(len(all)), r.rep.AudioS, r.name),
				Command: cmd,
				Note:    fmt.Sprintf("(on all %s recordings; this row alone: `assist eval all --data DATA --only fsdd`%s)", count(len(all)), r.note),
				Value:   asrValue(r.rep, r.files), Figures: r.rep,
			}, Row{
				Figure:  fmt.Sprintf("spoken digits, the same %d FSDD recordings, %s, by speaker: WER and empty results", len(items), r.name),
				Command: cmd,
				Note:    "(the `speakers` of its JSON line, and its `speaker` lines on stderr)",
				Value:   speakersValue(r.rep.Speakers),
			})
		}
		return rows, nil
	},
}

// fsddSubset keeps the recordings whose index, the number ending the file
// name (as in 0_george_5.wav), is from first to last.
func fsddSubset(items []eval.ASRItem, first, last int) ([]eval.ASRItem, error) {
	var out []eval.ASRItem
	for _, it := range items {
		name := strings.TrimSuffix(filepath.Base(it.Path), filepath.Ext(it.Path))
		i, err := strconv.Atoi(name[strings.LastIndexByte(name, '_')+1:])
		if err != nil {
			return nil, fmt.Errorf("fsdd: %s: the file name does not end in the recording's index", it.Path)
		}
		if i >= first && i <= last {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("fsdd: no recordings with index %d to %d", first, last)
	}
	return out, nil
}

// asr runs one evaluation and reports it on the progress lines, returning
// every file's result too.
func (s *suite) asr(ctx context.Context, name string, rec audio.Recognizer, items []eval.ASRItem) (eval.ASRReport, []eval.ASRFile, error) {
	start := time.Now()
	var files []eval.ASRFile
	rep, err := eval.ASR(ctx, rec, items, func(f eval.ASRFile) { files = append(files, f) })
	if err != nil {
		return rep, nil, fmt.Errorf("%s: %w", name, err)
	}
	s.logf("  %s: WER %s, %d of %d empty, real-time factor %.2f (%s)", name, frac(rep.WER), rep.Empty, rep.N, rep.RTF, since(start))
	return rep, files, nil
}

// asrValue is a run's word error rate, empty results, speed and
// finalisation latency.
func asrValue(r eval.ASRReport, files []eval.ASRFile) string {
	return fmt.Sprintf("%s, %d of %d empty; real-time factor %.2f, finalize p50 %.0f ms", werValue(files), r.Empty, r.N, r.RTF, r.FinalizeMSP50)
}

// speakersValue lists each speaker's word error rate and empty results.
func speakersValue(speakers []eval.ASRSpeaker) string {
	parts := make([]string, len(speakers))
	for i, sp := range speakers {
		parts[i] = fmt.Sprintf("%s %s, %d/%d empty", sp.Speaker, frac(sp.WER), sp.Empty, sp.N)
	}
	return strings.Join(parts, "; ")
}

// werValue is the word error rate over files, with its edits and words.
func werValue(files []eval.ASRFile) string {
	var edits, words int
	for _, f := range files {
		edits, words = edits+f.Edits, words+f.Words
	}
	wer := 0.0
	if words > 0 {
		wer = float64(edits) / float64(words)
	}
	return fmt.Sprintf("WER %s (%d/%d words)", frac(wer), edits, words)
}
