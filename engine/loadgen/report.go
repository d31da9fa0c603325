package loadgen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Report is what a finished run measured: the figures of the command's
// JSON summary.
type Report struct {
	// Calls is how many calls started.
	Calls int64 `json:"calls"`
	// Utterances is how many utterances were sent: chat messages of
	// either speaker, or clips played on either track.
	Utterances int64 `json:"utterances"`
	// Acked is how many chat utterances the service acknowledged.
	Acked int64 `json:"acked"`
	// Errors counts failed connections, refused or unanswered messages and
	// calls the service cut off.
	Errors int64 `json:"errors"`
	// AckMSP50 and AckMSP99 are the median and 99th percentile of the
	// chat utterances' ack latency, in milliseconds.
	AckMSP50 float64 `json:"ack_ms_p50"`
	AckMSP99 float64 `json:"ack_ms_p99"`
	// DurationS is the run's wall-clock time in seconds.
	DurationS float64 `json:"duration_s"`
}

// Progress is a run's counts so far.
type Progress struct {
	Elapsed time.Duration
	// Open is how many calls are open now; Calls how many started; Ended
	// how many were ended cleanly.
	Open, Calls, Ended int64
	// Utterances, Acked and Errors are as in Report.
	Utterances, Acked, Errors int64
	// RecentP50 and RecentP99 are over the last recentAcks acks.
	RecentP50, RecentP99 time.Duration
}

// Line writes the counts as one line; voice leaves out the acks, which
// voice calls do not have.
func (p Progress) Line(voice bool) string {
	line := fmt.Sprintf("%s  open %d  calls %d  ended %d  utterances %d",
		p.Elapsed.Round(time.Second), p.Open, p.Calls, p.Ended, p.Utterances)
	if !voice {
		line += fmt.Sprintf("  acked %d", p.Acked)
	}
	line += fmt.Sprintf("  errors %d", p.Errors)
	if p.Acked > 0 {
		line += fmt.Sprintf("  ack p50 %s p99 %s", p.RecentP50.Round(100*time.Microsecond), p.RecentP99.Round(100*time.Microsecond))
	}
	return line
}

// Description names the calls of the mode, as the summary and the
// command's first line do: "chat calls over WebSocket".
func (m Mode) Description() string {
	switch m {
	case ModeChatHTTP:
		return "chat calls over HTTP"
	case ModeTwilio:
		return "voice calls as Twilio Media Streams"
	}
	return "chat calls over WebSocket"
}

// Summary is the line that sums up a finished run: calls, how many ended
// cleanly, duration, utterances (clips for voice calls), acks, errors and
// the ack latency.
func (g *Generator) Summary(rep Report) string {
	what, ended := g.cfg.Mode.Description(), g.ended.Load()
	if g.cfg.Mode == ModeTwilio {
		return fmt.Sprintf("%d %s (%d ended cleanly) in %.1fs: %d clips played, %d errors",
			rep.Calls, what, ended, rep.DurationS, rep.Utterances, rep.Errors)
	}
	return fmt.Sprintf("%d %s (%d ended cleanly) in %.1fs: %d utterances, %d acked, %d errors; ack latency p50 %.1f ms, p99 %.1f ms",
		rep.Calls, what, ended, rep.DurationS, rep.Utterances, rep.Acked, rep.Errors, rep.AckMSP50, rep.AckMSP99)
}

// SyncWriter serialises writes to a writer: during a run, its calls log
// from their own goroutines while its progress is printed.
type SyncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewSyncWriter returns a SyncWriter that writes to w.
func NewSyncWriter(w io.Writer) *SyncWriter { return &SyncWriter{w: w} }

// Write writes p to the writer, one call at a time.
func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
