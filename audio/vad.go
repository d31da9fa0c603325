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
	"time"
)

// FrameSamples is the frame size the Endpointer's defaults are tuned for:
// 20 ms at SampleRate. Push accepts other sizes; timing is counted in
// samples either way.
const FrameSamples = SampleRate / 50

// EndpointOptions tunes an Endpointer. Zero (or negative) fields take the
// defaults noted, except PreRoll, where a negative value disables it.
type EndpointOptions struct {
	// ThresholdDB is how far above the noise floor a frame's level must be
	// to count as speech. Default 10 dB.
	ThresholdDB float64
	// MinLevelDB is the absolute level, in dB relative to full scale
	// (a full-scale square wave is 0, a full-scale sine −3), below which a
	// frame is never speech however quiet the floor is; it keeps a
	// near-silent line from turning hiss into utterances. Default −50 dBFS;
	// values ≥ 0 take the default.
	MinLevelDB float64
	// FloorRiseDB is how fast, in dB per second, the noise floor estimate
	// climbs when frames are louder than it (it drops at once when they are
	// quieter). Slow enough that speech, which dips between words, does not
	// drag the floor up; fast enough that a noise that steps up is learnt
	// within a few seconds. Default 3 dB/s.
	FloorRiseDB float64
	// StartAfter is how much consecutive speech opens an utterance, so
	// clicks do not. Default 60 ms.
	StartAfter time.Duration
	// EndAfter is the hangover: how much silence closes an utterance, long
	// enough to bridge the pauses between words. Default 450 ms.
	EndAfter time.Duration
	// PreRoll is how much audio from before the detected onset SpeechStart
	// carries, so soft word onsets (fricatives, "h") are not cut. Default
	// 200 ms.
	PreRoll time.Duration
	// MaxUtterance forces a cut in speech that never pauses (or noise
	// taken for speech), bounding the recognizer's buffer and the wait for
	// a final. Default 15 s.
	MaxUtterance time.Duration
}

const (
	defaultThresholdDB  = 10
	defaultMinLevelDB   = -50
	defaultFloorRiseDB  = 3
	defaultStartAfter   = 60 * time.Millisecond
	defaultEndAfter     = 450 * time.Millisecond
	defaultPreRoll      = 200 * time.Millisecond
	defaultMaxUtterance = 15 * time.Second
	// silenceDB is the level given to a frame of digital zeros, whose true
	// level is −∞.
	silenceDB = -100
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
	startAfter, endAfter, preRoll, maxLen    int64 // in samples

	floor    float64 // noise floor estimate, dBFS
	floorSet bool
	now      int64 // samples pushed so far

	inSpeech   bool
	onset      int64 // first sample of the current speech run or utterance
	run        int64 // consecutive speech samples while not in an utterance
	silence    int64 // consecutive non-speech samples inside an utterance
	lastSpeech int64 // end of the utterance's last speech frame

	// recent holds the latest audio for the pre-roll: while waiting for an
	// utterance, the onset run plus up to preRoll samples before it.
	recent []int16
}

// NewEndpointer returns an Endpointer with opts, defaults filled in.
func NewEndpointer(opts EndpointOptions) *Endpointer {
	opts = opts.withDefaults()
	return &Endpointer{
		thresholdDB:     opts.ThresholdDB,
		minLevelDB:      opts.MinLevelDB,
		riseDBPerSample: opts.FloorRiseDB / SampleRate,
		startAfter:      samplesIn(opts.StartAfter),
		endAfter:        samplesIn(opts.EndAfter),
		preRoll:         samplesIn(opts.PreRoll),
		maxLen:          samplesIn(opts.MaxUtterance),
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
	o.ThresholdDB = orDefault(o.ThresholdDB, defaultThresholdDB)
	o.FloorRiseDB = orDefault(o.FloorRiseDB, defaultFloorRiseDB)
	if o.MinLevelDB >= 0 {
		o.MinLevelDB = defaultMinLevelDB
	}
	o.StartAfter = orDefaultDur(o.StartAfter, defaultStartAfter)
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
	speech := e.classify(frame)
	start := e.now
	e.now += int64(len(frame))
	e.remember(frame)
	if e.inSpeech {
		return e.continueUtterance(frame, speech, start)
	}
	return e.awaitOnset(speech, start)
}

// Flush closes an utterance still open at the end of the stream (hang-up,
// end of file); it returns nil when none is open.
func (e *Endpointer) Flush() []Event {
	if !e.inSpeech {
		return nil
	}
	return []Event{e.closeUtterance(e.lastSpeech)}
}

// classify decides whether frame is speech, then updates the noise floor.
// Deciding first keeps a loud frame from raising the bar it is judged by.
// Until the floor is known nothing is speech.
func (e *Endpointer) classify(frame []int16) bool {
	level := levelDB(frame)
	speech := e.floorSet && level > e.floor+e.thresholdDB && level > e.minLevelDB
	e.trackFloor(level, len(frame))
	return speech
}

// trackFloor is a slow minimum follower: it drops to a quieter frame at
// once and climbs towards louder ones at FloorRiseDB per second.
//
// Frames quieter than minLevel−threshold are ignored. They can never be
// speech, so a floor down there changes no decision, but letting them in
// would be harmful: recordings and VoIP silence suppression start with or
// insert digital zeros, which would pin the floor far below the line's real
// hiss and make that hiss "speech" for the seconds the floor takes to climb
// back (jfk.wav opens with 40 ms of zeros before −45 dBFS of tape hiss).
func (e *Endpointer) trackFloor(level float64, n int) {
	if level < e.minLevelDB-e.thresholdDB {
		return
	}
	switch {
	case !e.floorSet:
		// The first audible frame is the best guess at the line's noise; a
		// stream that opens mid-word is caught at the first dip.
		e.floor, e.floorSet = level, true
	case level < e.floor:
		e.floor = level
	default:
		e.floor = min(level, e.floor+e.riseDBPerSample*float64(n))
	}
}

// levelDB is the frame's RMS level in dB relative to full scale.
func levelDB(frame []int16) float64 {
	var sum int64
	for _, s := range frame {
		sum += int64(s) * int64(s)
	}
	if sum == 0 {
		return silenceDB
	}
	ms := float64(sum) / float64(len(frame)) / (32768 * 32768)
	return max(10*math.Log10(ms), silenceDB)
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
// is StartAfter long.
func (e *Endpointer) awaitOnset(speech bool, start int64) []Event {
	if !speech {
		e.run = 0
		return nil
	}
	if e.run == 0 {
		e.onset = start
	}
	e.run += e.now - start
	if e.run < e.startAfter {
		return nil
	}
	e.inSpeech, e.run, e.silence, e.lastSpeech = true, 0, 0, e.now
	samples := append([]int16(nil), e.recent...)
	e.recent = e.recent[:0] // sent; the next pre-roll must not repeat it
	return []Event{{Kind: SpeechStart, Samples: samples, Start: audioTime(e.onset), End: audioTime(e.now)}}
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
