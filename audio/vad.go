package audio

// This file finds utterances in a channel's audio so a recognizer decodes
// speech, not line noise, and so each utterance ends (and its final
// transcript arrives) promptly after the speaker stops.
//
// Detection is energy-based against an adaptive noise floor: cheap, free of
// models, and good enough on telephone audio where the far end's
// background is steady. It is not a speech/noise classifier; a loud,
// fluctuating noise (a TV, a dog) counts as speech and is left for the
// recognizer to return "" on.

import (
	"math"
	"slices"
	"time"
)

// FrameSamples is the frame size the Endpointer's defaults are tuned for:
// 20 ms at SampleRate. Push accepts other sizes; timing is counted in
// samples either way.
const FrameSamples = SampleRate / 50

// EndpointOptions tunes an Endpointer. Zero (or negative) fields take the
// defaults noted, except PreRoll, where a negative value disables it.
//
// The defaults were tuned on the training split of the Free Spoken Digit
// Dataset (every 9th of its 2,700 recordings, 50 per speaker: 8 kHz,
// trimmed close to the word, so most start with speech) and on the asr
// evaluation's clips (jfk.wav and five LibriVox clips, 93 words, at 16 kHz
// and as 8 kHz μ-law), decoded with the embedded recognizer as `assist
// eval asr` decodes them, changing one parameter at a time. Below, "lost"
// counts FSDD recordings that gave no utterance at all, of those 300;
// "words" are the word errors of 93 at 16 kHz and at 8 kHz; "digit
// errors" are the digits grammar's on FSDD. With the defaults: none lost,
// 29 and 46 words, digits WER 0.617. The endpointer before, whose floor
// was the first audible frame, lost 101, made 29 and 43 words and digits
// WER 0.757. Cross-validated by speaker (each speaker scored with the
// values that did best on the other five, among those that keep the
// words at 29 and 46), every fold chose the defaults.
type EndpointOptions struct {
	// ThresholdDB is how far above the noise floor a frame's level must be
	// to count as speech. Default 10 dB: 12 dB lost 1 recording and 14 dB
	// 3 (FSDD's quietest speaker talks 10–20 dB over his line); 8 and 9 dB
	// cost 2 and 1 words at 8 kHz; 11 dB did as well as 10.
	ThresholdDB float64
	// MinLevelDB is the absolute level, in dB relative to full scale
	// (a full-scale square wave is 0, a full-scale sine −3), below which a
	// frame is never speech however quiet the floor is; it keeps a
	// near-silent line from turning hiss into utterances. Default −50
	// dBFS: FSDD's quietest speaker peaks at −39 dBFS (median) and −43
	// (10th percentile), and −45 lost 7 recordings; −52 and −55 cost 3 and
	// 4 digit errors, −60 lost 1. Values ≥ 0 take the default.
	MinLevelDB float64
	// PriorFloorDB is the noise floor assumed before the stream has shown
	// its own: a stream that opens with speech is judged against it, not
	// against its first (loud) frame, as it was before. Default
	// MinLevelDB−ThresholdDB, the lowest floor the tracker keeps (see
	// trackFloor), so that the first frames meet the lowest bar there is;
	// the hold in awaitOnset keeps a hissing line from taking advantage of
	// it. −55 dBFS lost 6 recordings; −65 and −70 cost 3 digit errors.
	// Values ≥ 0 take the default.
	PriorFloorDB float64
	// FloorRiseDB is how fast, in dB per second, the noise floor estimate
	// climbs when frames are louder than it (it drops at once when they are
	// quieter). Slow enough that speech, which dips between words, does not
	// drag the floor up; fast enough that a noise that steps up is learnt
	// within a few seconds. Default 3 dB/s: 1 and 2 dB/s cost 3 and 2
	// words at 8 kHz (and won one at 16 kHz), 6 dB/s one; 4 dB/s did as
	// well. FSDD's recordings are too short to care.
	FloorRiseDB float64
	// SteadyFor and SteadyWithinDB learn a steady noise at once: when every
	// frame of the last SteadyFor lies within SteadyWithinDB of the others,
	// that level is the floor. Speech rises and falls by far more within a
	// few hundred milliseconds; hiss, hum and fans do not. Defaults 500 ms
	// and 6 dB: 300 and 400 ms lost 3 and 2 recordings, whose vowels held
	// that long; 800 ms did as well as 500 ms, which learns a new noise
	// sooner. 4 and 5 dB miss jfk.wav's tape hiss, which spans 6 dB, and
	// cost 4 words at 16 kHz and 1 at 8 kHz; 8 dB did as well as 6.
	SteadyFor      time.Duration
	SteadyWithinDB float64
	// StartAfter is how much consecutive speech opens an utterance, so
	// clicks do not. Default 60 ms: 100 ms lost a recording and a word;
	// 40 and 80 ms did as well.
	StartAfter time.Duration
	// BurstAfter and BurstDB are the short path for very short words: a
	// run of speech BurstAfter long that peaks BurstDB above the floor
	// opens an utterance before StartAfter. Defaults 40 ms and 25 dB, two
	// frames and clearly louder than a talker's quiet syllables. No FSDD
	// recording needed it once the floor started from the prior (15 and
	// 35 dB did the same); the tests pin what it is for.
	BurstAfter time.Duration
	BurstDB    float64
	// EndAfter is the hangover: how much silence closes an utterance, long
	// enough to bridge the pauses between words. Default 450 ms.
	EndAfter time.Duration
	// PreRoll is how much audio from before the detected onset SpeechStart
	// carries, so soft word onsets (fricatives, "h") are not cut. Default
	// 200 ms: 100 and 300 ms cost 4 words at 16 kHz and 1–2 at 8 kHz.
	PreRoll time.Duration
	// MaxUtterance forces a cut in speech that never pauses (or noise
	// taken for speech), bounding the recognizer's buffer and the wait for
	// a final. Default 15 s.
	MaxUtterance time.Duration
}

const (
	defaultThresholdDB    = 10
	defaultMinLevelDB     = -50
	defaultFloorRiseDB    = 3
	defaultSteadyFor      = 500 * time.Millisecond
	defaultSteadyWithinDB = 6
	defaultStartAfter     = 60 * time.Millisecond
	defaultBurstAfter     = 40 * time.Millisecond
	defaultBurstDB        = 25
	defaultEndAfter       = 450 * time.Millisecond
	defaultPreRoll        = 200 * time.Millisecond
	defaultMaxUtterance   = 15 * time.Second
	// silenceDB is the level given to a frame of digital zeros, whose true
	// level is −∞.
	silenceDB = -100
	// minMeasured is the shortest frame whose level is measured: fewer
	// samples (the tail of a stream, 5 ms) give too noisy a level to
	// decide on, so such a frame takes the previous frame's decision.
	minMeasured = SampleRate / 200
	// digitalSilenceDB is the level under which a frame is taken for
	// digital silence (zeros, or the decoder's ±1 dither, −92 dBFS) rather
	// than the line's own quiet, and so proves nothing about the floor.
	digitalSilenceDB = -80
	// noisePrefix is how long a steady stretch at the start of a stream
	// must last, before a rise, to be taken for the line's noise rather
	// than the start of a word. jfk.wav's tape hiss holds for 260 ms
	// before "And". Of the 2,700 FSDD recordings, 1,942 start above the
	// bar and 1,466 rise out of a level start, which lasts 40 ms at the
	// median, 100 ms at the 90th percentile, 140 ms at the 99th and 220
	// ms at most: one recording reaches 200 ms, and its start still goes
	// to the recognizer in the pre-roll.
	noisePrefix = SampleRate / 5
)

// EventKind says what an Event reports.
type EventKind int

// The event kinds, in the order an utterance produces them: one
// SpeechStart, any number of Speech, one SpeechEnd.
const (
	// SpeechStart opens an utterance. Samples holds the pre-roll and the
	// onset frames: the audio from Start−PreRoll (or the stream's start) to
	// End. Start is the detected onset.
	SpeechStart EventKind = iota + 1
	// Speech carries one pushed frame inside an utterance, hangover frames
	// included; Start and End are the frame's span.
	Speech
	// SpeechEnd closes an utterance: Start is its onset and End the end of
	// its last speech frame, not counting the hangover (or the cut, when
	// MaxUtterance forced one). It carries no samples.
	SpeechEnd
)

// String names the kind for logs and test output.
func (k EventKind) String() string {
	switch k {
	case SpeechStart:
		return "SpeechStart"
	case Speech:
		return "Speech"
	case SpeechEnd:
		return "SpeechEnd"
	}
	return "EventKind(?)"
}

// Event is one step of endpointing. Times are audio time since the first
// frame pushed. Samples is the Event's own copy.
type Event struct {
	Kind       EventKind
	Samples    []int16
	Start, End time.Duration
}

// Endpointer turns a channel's frames (16 kHz mono) into utterance events.
// It is built to drive a recognizer Stream: on SpeechStart Accept the
// samples, on Speech Accept the samples, on SpeechEnd call Final. An
// Endpointer is used from one goroutine.
type Endpointer struct {
	thresholdDB, minLevelDB, riseDBPerSample float64
	steadyWithinDB, burstDB                  float64
	startAfter, burstAfter, endAfter         int64 // in samples
	preRoll, maxLen, steadyFor               int64 // in samples

	floor float64 // noise floor estimate, dBFS
	// proven is set once the line has been heard quiet: a frame that is
	// not speech against the floor, or a steady stretch taken for it.
	// Until then a run of speech is held; see awaitOnset.
	proven bool
	// steady holds the levels of the latest frames, up to steadyFor of
	// them, for the steady-noise rule.
	steady    []frameLevel
	steadyLen int64 // samples the steady frames cover
	last      bool  // the previous frame's decision
	now       int64 // samples pushed so far

	inSpeech bool
	onset    int64 // first sample of the current speech run or utterance
	run      int64 // consecutive speech samples while not in an utterance
	// runLevels are the levels of the run's frames.
	runLevels  []frameLevel
	silence    int64 // consecutive non-speech samples inside an utterance
	lastSpeech int64 // end of the utterance's last speech frame

	// recent holds the latest audio for the pre-roll: while waiting for an
	// utterance, the onset run plus up to preRoll samples before it.
	recent []int16
}

// frameLevel is one frame's level, first sample and length.
type frameLevel struct {
	db       float64
	start, n int64
}

// NewEndpointer returns an Endpointer with opts, defaults filled in.
func NewEndpointer(opts EndpointOptions) *Endpointer {
	opts = opts.withDefaults()
	return &Endpointer{
		thresholdDB:     opts.ThresholdDB,
		minLevelDB:      opts.MinLevelDB,
		riseDBPerSample: opts.FloorRiseDB / SampleRate,
		steadyWithinDB:  opts.SteadyWithinDB,
		burstDB:         opts.BurstDB,
		startAfter:      samplesIn(opts.StartAfter),
		burstAfter:      samplesIn(opts.BurstAfter),
		endAfter:        samplesIn(opts.EndAfter),
		preRoll:         samplesIn(opts.PreRoll),
		maxLen:          samplesIn(opts.MaxUtterance),
		steadyFor:       samplesIn(opts.SteadyFor),
		floor:           opts.PriorFloorDB,
	}
}

func (o EndpointOptions) withDefaults() EndpointOptions {
	orDefault := func(v, def float64) float64 {
		if v <= 0 {
			return def
		}
		return v
	}
	orDefaultDur := func(v, def time.Duration) time.Duration {
		if v <= 0 {
			return def
		}
		return v
	}
	belowZeroOr := func(v, def float64) float64 {
		if v >= 0 {
			return def
		}
		return v
	}
	o.ThresholdDB = orDefault(o.ThresholdDB, defaultThresholdDB)
	o.FloorRiseDB = orDefault(o.FloorRiseDB, defaultFloorRiseDB)
	o.SteadyWithinDB = orDefault(o.SteadyWithinDB, defaultSteadyWithinDB)
	o.BurstDB = orDefault(o.BurstDB, defaultBurstDB)
	o.MinLevelDB = belowZeroOr(o.MinLevelDB, defaultMinLevelDB)
	o.PriorFloorDB = belowZeroOr(o.PriorFloorDB, o.MinLevelDB-o.ThresholdDB)
	o.SteadyFor = orDefaultDur(o.SteadyFor, defaultSteadyFor)
	o.StartAfter = orDefaultDur(o.StartAfter, defaultStartAfter)
	o.BurstAfter = orDefaultDur(o.BurstAfter, defaultBurstAfter)
	o.EndAfter = orDefaultDur(o.EndAfter, defaultEndAfter)
	o.MaxUtterance = orDefaultDur(o.MaxUtterance, defaultMaxUtterance)
	switch {
	case o.PreRoll == 0:
		o.PreRoll = defaultPreRoll
	case o.PreRoll < 0:
		o.PreRoll = 0
	}
	return o
}

func samplesIn(d time.Duration) int64 { return int64(d) * SampleRate / int64(time.Second) }

func audioTime(samples int64) time.Duration {
	return time.Duration(samples * int64(time.Second) / SampleRate)
}

// Push classifies the next frame and returns the events it causes, nil for
// most frames outside speech.
func (e *Endpointer) Push(frame []int16) []Event {
	if len(frame) == 0 {
		return nil
	}
	speech, level := e.classify(frame)
	start := e.now
	e.now += int64(len(frame))
	e.remember(frame)
	if e.inSpeech {
		return e.continueUtterance(frame, speech, start)
	}
	return e.awaitOnset(frame, speech, level, start)
}

// Flush ends the stream (hang-up, end of file): it closes an utterance
// still open, and gives a run of speech the stream ended in before it was
// long enough to open one its own utterance, so the last word is not lost.
// It returns nil when there was neither.
func (e *Endpointer) Flush() []Event {
	switch {
	case e.inSpeech:
		return []Event{e.closeUtterance(e.lastSpeech)}
	case e.run > 0:
		start := e.open(e.now)
		return []Event{start, e.closeUtterance(e.now)}
	}
	return nil
}

// classify decides whether frame is speech, then updates the noise floor.
// Deciding first keeps a loud frame from raising the bar it is judged by.
func (e *Endpointer) classify(frame []int16) (speech bool, level float64) {
	level = levelDB(frame)
	if len(frame) < minMeasured {
		return e.last, level
	}
	speech = level > e.floor+e.thresholdDB && level > e.minLevelDB
	if !speech && level > digitalSilenceDB {
		e.proven = true
	}
	if e.trackFloor(level, int64(len(frame))) {
		// The frame is part of a steady stretch: noise, and so is the run
		// it may have been counted in.
		speech, e.run, e.proven = false, 0, true
	}
	e.last = speech
	return speech, level
}

// trackFloor is a slow minimum follower: it drops to a quieter frame at
// once and climbs towards louder ones at FloorRiseDB per second, or at
// once to a level that has held steady for SteadyFor, which it reports.
//
// Frames quieter than minLevel−threshold are ignored. They can never be
// speech, so a floor down there changes no decision, but letting them in
// would be harmful: recordings and VoIP silence suppression start with or
// insert digital zeros, which would pin the floor far below the line's real
// hiss and make that hiss "speech" for the seconds the floor takes to climb
// back (jfk.wav opens with 40 ms of zeros before −45 dBFS of tape hiss).
func (e *Endpointer) trackFloor(level float64, n int64) (steady bool) {
	if level < e.minLevelDB-e.thresholdDB {
		e.steady, e.steadyLen = e.steady[:0], 0
		return false
	}
	if level < e.floor {
		e.floor = level
	} else {
		e.floor = min(level, e.floor+e.riseDBPerSample*float64(n))
	}
	if lo, ok := e.steadyLevel(level, n); ok && lo > e.floor {
		e.floor = lo
		return true
	}
	return false
}

// steadyLevel adds a frame to the steady window and reports the window's
// lowest level if the window is full and every frame in it lies within
// SteadyWithinDB of the others.
func (e *Endpointer) steadyLevel(level float64, n int64) (float64, bool) {
	e.steady = append(e.steady, frameLevel{db: level, n: n})
	e.steadyLen += n
	drop := 0
	for e.steadyLen-e.steady[drop].n >= e.steadyFor {
		e.steadyLen -= e.steady[drop].n
		drop++
	}
	e.steady = append(e.steady[:0], e.steady[drop:]...)
	if e.steadyLen < e.steadyFor {
		return 0, false
	}
	lo, hi := level, level
	for _, f := range e.steady {
		lo, hi = min(lo, f.db), max(hi, f.db)
	}
	return lo, hi-lo <= e.steadyWithinDB
}

// remember appends frame to the pre-roll buffer and trims it to what a
// SpeechStart could need: the onset run so far plus preRoll before it.
func (e *Endpointer) remember(frame []int16) {
	e.recent = append(e.recent, frame...)
	keep := e.preRoll + e.run + int64(len(frame)) // the run is updated after this
	if e.inSpeech {
		keep = e.preRoll
	}
	if drop := int64(len(e.recent)) - keep; drop > 0 {
		n := copy(e.recent, e.recent[drop:])
		e.recent = e.recent[:n]
	}
}

// awaitOnset counts consecutive speech and opens an utterance once the run
// is StartAfter long, or BurstAfter long and loud.
//
// Until the line has been heard quiet (a frame that is not speech, or a
// steady stretch taken for the floor), the floor is only the prior, and a
// line whose hiss is above the prior's bar (jfk.wav's tape, −44 dBFS)
// would be speech from its first frame. So until then a run is held,
// unopened:
//   - if its levels spread by more than ThresholdDB, it rises and falls
//     as speech does and opens at once: from its start or, if it rose out
//     of a steady stretch of noisePrefix or more, after that stretch,
//     whose lowest level becomes the floor;
//   - if it lasts SteadyFor without such a spread, it is noise, and its
//     quietest frame becomes the floor;
//   - if a quiet frame ends it first, or the stream ends, it stood out
//     from the line after all and opens as it stands.
//
// Holding loses nothing: the pre-roll buffer keeps the whole run.
func (e *Endpointer) awaitOnset(frame []int16, speech bool, level float64, start int64) []Event {
	if !speech {
		if e.onsetDue() {
			// A held run ended by a quiet frame: it stood out from the
			// line after all. The quiet frame is its first hangover.
			ev := e.open(start)
			return append([]Event{ev}, e.continueUtterance(frame, false, start)...)
		}
		e.run, e.runLevels = 0, e.runLevels[:0]
		return nil
	}
	if e.run == 0 {
		e.onset = start
	}
	e.run += e.now - start
	e.runLevels = append(e.runLevels, frameLevel{db: level, start: start, n: e.now - start})
	if !e.proven {
		lo, hi := levelRange(e.runLevels)
		switch {
		case hi-lo > e.thresholdDB:
			// Speech. If it rose out of a steady stretch, that was the
			// line's noise: the floor, and the utterance starts after it.
			e.proven = true
			if n, noise := e.steadyPrefix(); n > 0 {
				e.floor = max(e.floor, noise)
				e.restartRun()
			}
			if e.run > 0 {
				return []Event{e.open(e.now)}
			}
			return nil
		case e.run >= e.steadyFor:
			// Noise that wavers too much for the steady rule; still not
			// speech, and its quietest frame is where the line is.
			e.floor, e.proven = max(e.floor, lo), true
			e.run, e.runLevels = 0, e.runLevels[:0]
			return nil
		default:
			return nil
		}
	}
	if !e.onsetDue() {
		return nil
	}
	return []Event{e.open(e.now)}
}

// onsetDue says whether the current run is long enough to open an
// utterance: StartAfter, or BurstAfter with a frame BurstDB above the
// floor.
func (e *Endpointer) onsetDue() bool {
	if e.run >= e.startAfter {
		return true
	}
	if e.run < e.burstAfter {
		return false
	}
	_, peak := levelRange(e.runLevels)
	return peak >= e.floor+e.burstDB
}

// steadyPrefix finds the frames at the start of the run that lie within
// SteadyWithinDB of each other. If they last noisePrefix or longer and
// the run then rises above them it returns how many they are and their
// lowest level, else 0: a word that starts level and then fades is
// speech all along.
func (e *Endpointer) steadyPrefix() (n int, lo float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	var dur int64
	for i, f := range e.runLevels {
		l, h := min(lo, f.db), max(hi, f.db)
		if h-l > e.steadyWithinDB {
			break
		}
		lo, hi, dur, n = l, h, dur+f.n, i+1
	}
	if dur < noisePrefix || n == len(e.runLevels) || e.runLevels[n].db < hi {
		return 0, 0
	}
	return n, lo
}

// restartRun drops the run's frames, from its start, that are not speech
// against a raised floor: the run now starts at its first frame that is.
func (e *Endpointer) restartRun() {
	bar := max(e.floor+e.thresholdDB, e.minLevelDB)
	i := slices.IndexFunc(e.runLevels, func(f frameLevel) bool { return f.db > bar })
	if i < 0 {
		e.run, e.runLevels = 0, e.runLevels[:0]
		return
	}
	e.runLevels = append(e.runLevels[:0], e.runLevels[i:]...)
	e.onset, e.run = e.runLevels[0].start, 0
	for _, f := range e.runLevels {
		e.run += f.n
	}
}

// levelRange is the lowest and highest level of frames.
func levelRange(frames []frameLevel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, f := range frames {
		lo, hi = min(lo, f.db), max(hi, f.db)
	}
	return lo, hi
}

// open starts an utterance at the current run's onset, carrying the
// audio from up to PreRoll before it to end, the end of the run.
func (e *Endpointer) open(end int64) Event {
	have := int64(len(e.recent)) - (e.now - end) // recent up to end
	from := max(have-(end-e.onset+e.preRoll), 0)
	samples := append([]int16(nil), e.recent[from:have]...)
	// Sent; the next pre-roll must not repeat it.
	e.recent = e.recent[:copy(e.recent, e.recent[have:])]
	e.inSpeech, e.run, e.silence, e.lastSpeech = true, 0, 0, end
	e.runLevels = e.runLevels[:0]
	return Event{Kind: SpeechStart, Samples: samples, Start: audioTime(e.onset), End: audioTime(end)}
}

// continueUtterance passes the frame on and closes the utterance after
// EndAfter of silence or at MaxUtterance.
func (e *Endpointer) continueUtterance(frame []int16, speech bool, start int64) []Event {
	events := []Event{{Kind: Speech, Samples: append([]int16(nil), frame...), Start: audioTime(start), End: audioTime(e.now)}}
	if speech {
		e.silence, e.lastSpeech = 0, e.now
	} else {
		e.silence += e.now - start
	}
	switch {
	case e.silence >= e.endAfter:
		events = append(events, e.closeUtterance(e.lastSpeech))
	case e.now-e.onset >= e.maxLen:
		// Everything up to now has been sent: start the next utterance
		// from scratch rather than re-sending a pre-roll.
		events = append(events, e.closeUtterance(e.lastSpeech))
		e.recent = e.recent[:0]
	}
	return events
}

func (e *Endpointer) closeUtterance(end int64) Event {
	ev := Event{Kind: SpeechEnd, Start: audioTime(e.onset), End: audioTime(end)}
	e.inSpeech, e.run, e.silence = false, 0, 0
	return ev
}

// levelDB is the frame's level in dB relative to full scale: its RMS
// about its own mean, so that a DC offset (one FSDD speaker records with
// one of −43 dBFS, and a 20 ms frame holds too few samples of speech for
// the mean to matter) neither looks like speech nor props up the floor.
// Removing each frame's mean blocks DC as a high-pass filter would,
// without one's tail: a one-pole filter at 30 Hz smears a click into the
// next frame 9 dB down, so that a 20 ms click measures 40 ms long. Mains
// hum passes (a 20 ms frame holds a whole 50 Hz cycle) and is left to the
// steady rule.
func levelDB(frame []int16) float64 {
	var sum, sq float64
	for _, v := range frame {
		x := float64(v)
		sum += x
		sq += x * x
	}
	n := float64(len(frame))
	return levelOf(max(sq-sum*sum/n, 0), len(frame))
}

// levelOf is the level in dBFS of n samples whose squares sum to sum.
func levelOf(sum float64, n int) float64 {
	if sum < 1e-9 {
		return silenceDB
	}
	ms := sum / float64(n) / (32768 * 32768)
	return max(10*math.Log10(ms), silenceDB)
}
