//go:build cgo

package sphinx

import (
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

// BenchmarkConcurrentStreams runs 1 and then 6 streams at once, each fed
// a 7 s LibriVox clip at real-time pace in 20 ms frames through the
// endpointer, as live calls would be. It reports:
//   - cpu-rtf-per-stream: the process's CPU time over the audio time of
//     all streams, the share of a core one stream needs (target ≤ 0.25,
//     so that 6 calls fit on 2 cores);
//   - lag-max-ms: the furthest any stream fell behind real time, which
//     stays near zero while the machine keeps up;
//   - finalize-p50-ms: the median time from the end of an utterance's
//     speech to its final hypothesis.
func BenchmarkConcurrentStreams(b *testing.B) {
	const clip = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav"
	c, err := audio.LoadWAV(clip)
	if err != nil {
		b.Skip(err)
	}
	r, err := New(DefaultConfig())
	if err != nil {
		b.Skip(err)
	}
	for _, n := range []int{1, 6} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			var (
				cpu       time.Duration
				lagMax    time.Duration
				finalizes []float64
			)
			for b.Loop() {
				// Decoders load their models (about a second of CPU each)
				// before the clock starts, as they would before a call.
				b.StopTimer()
				decoders := make([]*audio.ChannelDecoder, n)
				for i := range decoders {
					if decoders[i], err = audio.NewChannelDecoder(r, c.Rate, audio.EndpointOptions{}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				before := cpuTime()
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, d := range decoders {
					wg.Add(1)
					go func() {
						defer wg.Done()
						lag, fin, err := paced(d, c)
						if err != nil {
							b.Error(err)
							return
						}
						mu.Lock()
						lagMax = max(lagMax, lag)
						finalizes = append(finalizes, fin...)
						mu.Unlock()
					}()
				}
				wg.Wait()
				cpu += cpuTime() - before
			}
			audioTime := c.Duration().Seconds() * float64(b.N*n)
			b.ReportMetric(cpu.Seconds()/audioTime, "cpu-rtf-per-stream")
			b.ReportMetric(float64(lagMax.Milliseconds()), "lag-max-ms")
			if len(finalizes) > 0 {
				slices.Sort(finalizes)
				b.ReportMetric(finalizes[len(finalizes)/2], "finalize-p50-ms")
			}
		})
	}
}

// paced feeds the clip's first channel to d at real-time pace and
// returns how far it fell behind and each final's delay after the end of
// its speech.
func paced(d *audio.ChannelDecoder, c *audio.Clip) (lag time.Duration, finalizeMS []float64, err error) {
	start := time.Now()
	emit := func(h audio.Hypothesis) {
		if h.Final {
			finalizeMS = append(finalizeMS, float64(time.Since(start.Add(h.End)).Microseconds())/1000)
		}
	}
	samples := c.Channels[0]
	step := c.Rate / 50
	for i := 0; i < len(samples); i += step {
		due := start.Add(time.Duration(i+step) * time.Second / time.Duration(c.Rate))
		time.Sleep(time.Until(due))
		if err := d.Write(samples[i:min(i+step, len(samples))], emit); err != nil {
			d.Close(emit)
			return 0, nil, err
		}
		lag = max(lag, time.Since(due))
	}
	return lag, finalizeMS, d.Close(emit)
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
