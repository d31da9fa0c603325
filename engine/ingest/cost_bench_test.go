//go:build linux

package ingest

import (
	"syscall"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
)

// BenchmarkTwoTrackCallCost measures what recognising one two-track
// telephone call costs the embedded recognizer, the figure behind
// VoiceCallsPerCore: the call of twoPartyCall (the customer speaks, then
// the agent answers, over line noise on both tracks), μ-law at 8 kHz as
// Twilio sends it, fed 20 ms at a time through one channel decoder per
// track, as fast as they take it. The decoders are built before the clock
// starts, as a pool of warm decoders would have them. It reports
// cores-per-call, the process's CPU time over the call's duration (the
// share of a core the call needs while it lasts), and its inverse,
// calls-per-core.
func BenchmarkTwoTrackCallCost(b *testing.B) {
	rec := sphinxtest.Recognizer(b)
	customer, agent, _, _ := twoPartyCall(b)
	tracks := [][]int16{
		audio.DecodeMulaw(nil, mulaw(customer)),
		audio.DecodeMulaw(nil, mulaw(agent)),
	}
	callTime := time.Duration(len(customer)) * time.Second / telephonyRate
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		decoders := make([]*audio.ChannelDecoder, len(tracks))
		for i := range decoders {
			d, err := audio.NewChannelDecoder(rec, telephonyRate, audio.EndpointOptions{})
			if err != nil {
				b.Fatal(err)
			}
			decoders[i] = d
		}
		b.StartTimer()
		before := cpuTime()
		const frame = telephonyRate / 50
		discard := func(audio.Hypothesis) {}
		for at := 0; at < len(customer); at += frame {
			for i, d := range decoders {
				if err := d.Write(tracks[i][at:min(at+frame, len(customer))], discard); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, d := range decoders {
			if err := d.Close(discard); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - before
	}
	perCall := cpu.Seconds() / (callTime.Seconds() * float64(b.N))
	b.ReportMetric(perCall, "cores-per-call")
	b.ReportMetric(1/perCall, "calls-per-core")
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
