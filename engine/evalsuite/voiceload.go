package evalsuite

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/larkspur-labs/assist/internal/stats"
)

// VoiceLoadOptions configure 'assist eval voice-load'.
type VoiceLoadOptions struct {
	// Calls two-track Twilio calls are served, Concurrent at a time, in
	// batches: every call of a batch ends before the next batch starts.
	Calls, Concurrent int
	// Sweep, when set, lists the concurrencies to try instead of Calls
	// and Concurrent, in order: two batches at each, stopping at the
	// first that does not keep up.
	Sweep []int
	// WAVs are the speech clips each call plays: every clip once on the
	// inbound (customer) track, each answered on the outbound (agent)
	// track with the next. Two short LibriVox clips of
	// pocketsphinx-testdata when empty.
	WAVs []string
	// Warm is how many decoders are loaded before the first call: two a
	// call (one a track) for the concurrency when zero, none when
	// negative.
	Warm int
	// SphinxData is the folder of pocketsphinx-testdata, for the default
	// clips; SphinxTestData when empty.
	SphinxData string
	// Out receives the summary and the report as a line of JSON; ErrOut a
	// line per batch and the service's warnings.
	Out, ErrOut io.Writer
}

// The keep-up criteria of a concurrency: no audio dropped, and finals no
// later than this after their audio (99th percentile).
const voiceLoadMaxLagMS = 1500

// voiceLoadClips are the default clips, in pocketsphinx-testdata: 3.0 s
// and 3.3 s of read speech, so a call lasts about 15 s.
var voiceLoadClips = []string{
	librivoxDir + "/sense_and_sensibility_01_austen_64kb-0880.wav",
	librivoxDir + "/sense_and_sensibility_01_austen_64kb-0930.wav",
}

// voiceCallRate spaces a call's turns by loadgen's pause between turns
// (600 ms) rather than by a rate.
const voiceCallRate = 10

// voiceEndTimeout bounds the wait for a batch's calls to end after their
// last audio. Each call's recognition may be ingest.VoiceQueuedAudio
// (10 s) behind, and a loaded machine may need minutes to catch up, and
// without warm decoders to load them; beyond this the run fails.
const voiceEndTimeout = 5 * time.Minute

// VoiceLoadReport is what a voice load run measured.
type VoiceLoadReport struct {
	Calls      int `json:"calls"`
	Concurrent int `json:"concurrent"`
	// CallS is how long a batch's calls took to play, the longest.
	CallS float64 `json:"call_s"`
	// Warmed decoders were loaded in WarmS before the first call.
	Warmed int     `json:"warmed"`
	WarmS  float64 `json:"warm_s"`
	// Resident memory in MB: of the service before the recognizer was
	// loaded, after Warm, after each batch (no call live), and at its
	// peak.
	RSSBaseMB    float64   `json:"rss_base_mb"`
	RSSWarmMB    float64   `json:"rss_warm_mb"`
	RSSBatchesMB []float64 `json:"rss_batches_mb"`
	RSSPeakMB    float64   `json:"rss_peak_mb"`
	// GrowthPct is the growth of RSS from the first batch to the last.
	GrowthPct float64 `json:"growth_pct"`
	// RSSPerCallMB is RSS after the first batch over the base, per
	// concurrent call.
	RSSPerCallMB float64 `json:"rss_per_call_mb"`
	GoHeapMB     float64 `json:"go_heap_mb"`
	// Utterances were played (clips), Finals published; lag is from the
	// end of a final's audio being sent to the final's event.
	Utterances int64   `json:"utterances"`
	Finals     int     `json:"finals"`
	LagMSP50   float64 `json:"lag_ms_p50"`
	LagMSP99   float64 `json:"lag_ms_p99"`
	LagMSMax   float64 `json:"lag_ms_max"`
	// FramesDropped counts the audio the ingest dropped because
	// recognition was too far behind (its queue_overflow errors: one a
	// 20 ms frame of both tracks, give or take).
	FramesDropped int `json:"frames_dropped"`
	// IngestErrors are every ingest error by reason, RecognitionErrors
	// the recognizer's, ClientErrors the calls that failed to play.
	IngestErrors      map[string]int `json:"ingest_errors,omitempty"`
	RecognitionErrors int            `json:"recognition_errors"`
	ClientErrors      int64          `json:"client_errors"`
	// DrainSMax is the longest a batch's calls took to end after their
	// last audio was sent: recognition catching up.
	DrainSMax float64 `json:"drain_s_max"`
	// CoresBusy is the process's CPU time over the wall time of the
	// batches.
	CoresBusy float64 `json:"cores_busy"`
	// KeepsUp says the run dropped no audio, lost no call and had its
	// finals' lag p99 under 1.5 s.
	KeepsUp   bool    `json:"keeps_up"`
	DurationS float64 `json:"duration_s"`
}

// VoiceLoad serves real two-track Twilio calls to the service's voice
// path in this process and measures its memory and how far recognition
// lags behind, or, with Sweep, finds how many concurrent calls keep up.
func VoiceLoad(ctx context.Context, o *VoiceLoadOptions) error {
	if len(o.Sweep) > 0 {
		return voiceSweep(ctx, o)
	}
	rep, err := runVoiceLoad(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.Out, rep.summary())
	return json.NewEncoder(o.Out).Encode(rep)
}

// voiceSweep runs two batches at each concurrency of o.Sweep on one
// service and recognizer, warming decoders for each as the service
// would for its capacity, until one does not keep up.
func voiceSweep(ctx context.Context, o *VoiceLoadOptions) error {
	if slices.ContainsFunc(o.Sweep, func(c int) bool { return c < 1 }) {
		return fmt.Errorf("voice load: sweep %v: want concurrencies of at least 1", o.Sweep)
	}
	run, err := newVoiceRun(o)
	if err != nil {
		return err
	}
	defer run.close()
	var reps []VoiceLoadReport
	best := 0
	for _, c := range o.Sweep {
		rep, err := run.measure(ctx, 2*c, c)
		if err != nil {
			return err
		}
		reps = append(reps, rep)
		fmt.Fprintln(o.Out, rep.summary())
		if !rep.KeepsUp {
			break
		}
		best = c
	}
	fmt.Fprintf(o.Out, "keeps up with %d concurrent two-track calls (no audio dropped, finals' lag p99 under %d ms)\n", best, voiceLoadMaxLagMS)
	return json.NewEncoder(o.Out).Encode(struct {
		KeepsUpAt int               `json:"keeps_up_at"`
		Levels    []VoiceLoadReport `json:"levels"`
	}{best, reps})
}

// runVoiceLoad is one run of o.Calls calls.
func runVoiceLoad(ctx context.Context, o *VoiceLoadOptions) (VoiceLoadReport, error) {
	if o.Concurrent < 1 || o.Calls < 1 {
		return VoiceLoadReport{}, fmt.Errorf("voice load: want at least one call at a time, got %d calls, %d at once", o.Calls, o.Concurrent)
	}
	run, err := newVoiceRun(o)
	if err != nil {
		return VoiceLoadReport{}, err
	}
	defer run.close()
	return run.measure(ctx, o.Calls, o.Concurrent)
}

// voiceRun is a service and its recognizer, measured over runs.
type voiceRun struct {
	o     *VoiceLoadOptions
	log   *slog.Logger
	clips []*loadgen.Clip
	base  memory
	rec   audio.Recognizer
	svc   *voiceService
}

func newVoiceRun(o *VoiceLoadOptions) (*voiceRun, error) {
	paths := o.WAVs
	if len(paths) == 0 {
		dir := cmp.Or(o.SphinxData, SphinxTestData)
		for _, c := range voiceLoadClips {
			paths = append(paths, filepath.Join(dir, c))
		}
	}
	if len(paths) < 2 {
		return nil, errors.New("voice load: give at least two clips, one for each party to answer the other with")
	}
	clips, err := loadgen.LoadClips(paths)
	if err != nil {
		return nil, fmt.Errorf("voice load: %w", err)
	}
	r := &voiceRun{o: o, clips: clips, log: slog.New(slog.NewTextHandler(o.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if r.svc, err = startVoiceService(r.log); err != nil {
		return nil, err
	}
	// The base is the service without the recognizer: what calls add
	// goes on top.
	runtime.GC()
	if r.base, err = readMemory(); err != nil {
		r.close()
		return nil, err
	}
	if r.rec, err = app.NewRecognizer(app.ASRConfig{}, r.log); err != nil {
		r.close()
		return nil, err
	}
	if err := r.svc.listen(r.rec, r.log); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *voiceRun) close() {
	if r.svc != nil {
		r.svc.close()
	}
	if c, ok := r.rec.(io.Closer); ok {
		c.Close()
	}
}

// measure warms decoders for concurrent calls and serves calls calls,
// concurrent at a time.
func (r *voiceRun) measure(ctx context.Context, calls, concurrent int) (VoiceLoadReport, error) {
	rep := VoiceLoadReport{Calls: calls, Concurrent: concurrent, RSSBaseMB: round1(r.base.RSS)}
	warm := r.o.Warm
	if warm == 0 {
		warm = 2 * concurrent
	}
	start := time.Now()
	if warm > 0 {
		if err := audio.Warm(r.rec, warm); err != nil {
			return rep, fmt.Errorf("voice load: %w", err)
		}
		rep.Warmed, rep.WarmS = warm, stats.Round(time.Since(start).Seconds(), 2)
	}
	m, err := readMemory()
	if err != nil {
		return rep, err
	}
	rep.RSSWarmMB = round1(m.RSS)
	errsBefore, err := r.svc.counter("assist_ingest_errors_total", "reason")
	if err != nil {
		return rep, err
	}
	modelBefore, err := r.svc.counter("assist_model_errors_total", "model")
	if err != nil {
		return rep, err
	}
	r.svc.takeLags()
	cpu0, wall0 := cpuTime(), time.Now()
	var lags []float64
	for done, batch := 0, 1; done < calls; batch++ {
		n := min(concurrent, calls-done)
		lr, drain, err := r.batch(ctx, n)
		if err != nil {
			return rep, err
		}
		rep.DrainSMax = max(rep.DrainSMax, stats.Round(drain.Seconds(), 1))
		done += n
		rep.Utterances += lr.Utterances
		rep.ClientErrors += lr.Errors
		rep.CallS = max(rep.CallS, stats.Round(lr.DurationS, 1))
		runtime.GC()
		m, err := readMemory()
		if err != nil {
			return rep, err
		}
		rep.RSSBatchesMB = append(rep.RSSBatchesMB, round1(m.RSS))
		batchLags := r.svc.takeLags()
		lags = append(lags, batchLags...)
		slices.Sort(batchLags)
		fmt.Fprintf(r.o.ErrOut, "eval voice-load: batch %d: %d calls (%d of %d) at %d at once: RSS %.0f MB, %d finals, lag p50 %.0f ms, p99 %.0f ms\n",
			batch, n, done, calls, concurrent, m.RSS, len(batchLags),
			stats.SortedPercentile(batchLags, 50), stats.SortedPercentile(batchLags, 99))
	}
	wall := time.Since(wall0)
	rep.CoresBusy = stats.Round((cpuTime()-cpu0).Seconds()/wall.Seconds(), 2)
	errsAfter, err := r.svc.counter("assist_ingest_errors_total", "reason")
	if err != nil {
		return rep, err
	}
	modelAfter, err := r.svc.counter("assist_model_errors_total", "model")
	if err != nil {
		return rep, err
	}
	for reason, n := range errsAfter {
		if d := n - errsBefore[reason]; d > 0 {
			if rep.IngestErrors == nil {
				rep.IngestErrors = map[string]int{}
			}
			rep.IngestErrors[reason] = d
		}
	}
	// The ingest's reason for audio it drops: recognition too far behind.
	rep.FramesDropped = rep.IngestErrors["queue_overflow"]
	rep.RecognitionErrors = modelAfter["asr"] - modelBefore["asr"]
	slices.Sort(lags)
	rep.Finals = len(lags)
	rep.LagMSP50 = stats.Round(stats.SortedPercentile(lags, 50), 1)
	rep.LagMSP99 = stats.Round(stats.SortedPercentile(lags, 99), 1)
	if len(lags) > 0 {
		rep.LagMSMax = stats.Round(lags[len(lags)-1], 1)
	}
	first, last := rep.RSSBatchesMB[0], rep.RSSBatchesMB[len(rep.RSSBatchesMB)-1]
	rep.GrowthPct = stats.Round(100*(last-first)/first, 1)
	rep.RSSPerCallMB = round1((first - r.base.RSS) / float64(concurrent))
	if m, err = readMemory(); err != nil {
		return rep, err
	}
	// The kernel brings VmHWM up to date only at some unmappings, so it
	// can trail a VmRSS read earlier: the peak is at least every reading.
	rep.RSSPeakMB = max(round1(m.Peak), rep.RSSWarmMB, slices.Max(rep.RSSBatchesMB))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.GoHeapMB = round1(float64(ms.HeapInuse) / (1 << 20))
	rep.KeepsUp = rep.FramesDropped == 0 && rep.ClientErrors == 0 && rep.RecognitionErrors == 0 && rep.LagMSP99 < voiceLoadMaxLagMS
	rep.DurationS = stats.Round(time.Since(start).Seconds(), 1)
	return rep, nil
}

// batch plays n calls at once and waits until the service has ended
// them, which took drain after their last audio.
func (r *voiceRun) batch(ctx context.Context, n int) (_ loadgen.Report, drain time.Duration, _ error) {
	var (
		mu  sync.Mutex
		ids []string
	)
	g, err := loadgen.New(loadgen.Config{
		URL: r.svc.url, Key: r.svc.key, Mode: loadgen.ModeTwilio, Calls: n, Rate: voiceCallRate,
		Queues: []string{"voice-load"}, Clips: r.clips, Logger: r.log,
		VoiceStarted: func(id string, at time.Time) {
			r.svc.callStarted(id, at)
			mu.Lock()
			ids = append(ids, id)
			mu.Unlock()
		},
	})
	if err != nil {
		return loadgen.Report{}, 0, fmt.Errorf("voice load: %w", err)
	}
	rep := g.Run(ctx)
	if err := ctx.Err(); err != nil {
		return rep, 0, err
	}
	sent := time.Now()
	err = r.svc.waitEnded(ctx, ids, voiceEndTimeout)
	return rep, time.Since(sent), err
}

// summary is the report in a few lines.
func (rep VoiceLoadReport) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d two-track calls of %.0f s, %d at a time (%d decoders warmed in %.1f s)\n", rep.Calls, rep.CallS, rep.Concurrent, rep.Warmed, rep.WarmS)
	fmt.Fprintf(&b, "  RSS: %.0f MB before the recognizer, %.0f MB warmed, %.0f MB after the first batch, %.0f MB after all (growth %+.1f%%), peak %.0f MB; %.0f MB per concurrent call\n",
		rep.RSSBaseMB, rep.RSSWarmMB, rep.RSSBatchesMB[0], rep.RSSBatchesMB[len(rep.RSSBatchesMB)-1], rep.GrowthPct, rep.RSSPeakMB, rep.RSSPerCallMB)
	fmt.Fprintf(&b, "  audio frames dropped: %d; finals: %d of %d utterances, lag p50 %.0f ms, p99 %.0f ms, max %.0f ms; calls ended up to %.1f s after their audio; %.2f cores busy\n",
		rep.FramesDropped, rep.Finals, rep.Utterances, rep.LagMSP50, rep.LagMSP99, rep.LagMSMax, rep.DrainSMax, rep.CoresBusy)
	verdict := "keeps up"
	if !rep.KeepsUp {
		verdict = "does NOT keep up"
	}
	fmt.Fprintf(&b, "  %s (keeping up is no audio dropped, no errors, finals' lag p99 under %d ms)", verdict, voiceLoadMaxLagMS)
	return b.String()
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func round1(x float64) float64 { return stats.Round(x, 1) }

// The voice-load group serves 100 calls, 8 at a time, as the command does
// by default: the calls play in real time, about three and a half
// minutes of them.
const (
	voiceLoadCalls      = 100
	voiceLoadConcurrent = 8
)

var voiceLoadGroup = group{
	name:   "voice-load",
	sphinx: voiceLoadClips,
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		progress := s.opts.Progress
		if progress == nil {
			progress = io.Discard
		}
		rep, err := runVoiceLoad(ctx, &VoiceLoadOptions{
			Calls: voiceLoadCalls, Concurrent: voiceLoadConcurrent, SphinxData: s.opts.SphinxData,
			Out: io.Discard, ErrOut: &lockedWriter{s: s, w: progress},
		})
		if err != nil {
			return nil, err
		}
		cmd := fmt.Sprintf("assist eval voice-load --calls %d --concurrent %d", voiceLoadCalls, voiceLoadConcurrent)
		note := fmt.Sprintf("(two-track Twilio calls of %.0f s speaking LibriVox clips 0880 and 0930 of %s; %d decoders warmed)",
			rep.CallS, filepath.Join(s.opts.SphinxData, librivoxDir), rep.Warmed)
		first, last := rep.RSSBatchesMB[0], rep.RSSBatchesMB[len(rep.RSSBatchesMB)-1]
		return []Row{
			{Figure: fmt.Sprintf("voice load, RSS after %d two-track calls, %d at a time, against after the first %d", rep.Calls, rep.Concurrent, rep.Concurrent),
				Command: cmd, Note: note, Value: fmt.Sprintf("%+.1f%% (%.0f → %.0f MB)", rep.GrowthPct, first, last), Figures: rep},
			{Figure: "voice load, RSS per concurrent two-track call", Command: cmd, Note: "(over the service without the recognizer)",
				Value: fmt.Sprintf("%.0f MB", rep.RSSPerCallMB)},
			{Figure: fmt.Sprintf("voice load, %d calls at a time: audio frames dropped; finals' lag p50 / p99", rep.Concurrent), Command: cmd,
				Note:  fmt.Sprintf("(%.2f cores busy; depends on the machine and its load)", rep.CoresBusy),
				Value: fmt.Sprintf("%d dropped; %.0f / %.0f ms", rep.FramesDropped, rep.LagMSP50, rep.LagMSP99)},
		}, nil
	},
}

// lockedWriter writes whole lines among the suite's progress lines.
type lockedWriter struct {
	s *suite
	w io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.w.Write(p)
}
