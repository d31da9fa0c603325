//go:build cgo

package sphinx

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

// BenchmarkConcurrentStreams decodes a LibriVox clip on 1, 2 and 6 streams
// at once, fed in 20 ms frames as fast as they decode, and reports the
// real-time factor of each stream (decode time over audio time): a call
// has two streams, so 6 streams is 3 calls. The target is 0.25 per stream.
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
	samples := c.Channels[0]
	for _, n := range []int{1, 2, 6} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			streams := make([]audio.Stream, n)
			for i := range streams {
				s, err := r.NewStream()
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				streams[i] = s
			}
			var busy time.Duration
			for b.Loop() {
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, s := range streams {
					wg.Add(1)
					go func() {
						defer wg.Done()
						start := time.Now()
						for i := 0; i < len(samples); i += audio.FrameSamples {
							s.Accept(samples[i:min(i+audio.FrameSamples, len(samples))])
						}
						s.Final()
						mu.Lock()
						busy += time.Since(start)
						mu.Unlock()
					}()
				}
				wg.Wait()
			}
			audioTime := c.Duration().Seconds() * float64(b.N*n)
			b.ReportMetric(busy.Seconds()/audioTime, "rtf-per-stream")
		})
	}
}
