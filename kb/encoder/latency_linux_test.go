package encoder

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
)

// BenchmarkEncodeSentences encodes the BANKING77 sample's questions one
// at a time, with the int8 model and the exact one in turn (so that both
// see the same load), and reports each one's per-sentence latency:
// p50/p99 in wall time, and cpu-p50/cpu-p99 in the thread's CPU time,
// which a busy machine inflates less. Run it with -benchtime 1x: one
// iteration is a pass over all the questions.
func BenchmarkEncodeSentences(b *testing.B) {
	rows, err := datasets.Load(datasetstest.Sample(b, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		b.Fatal(err)
	}
	dir := encodertest.Dir(b)
	models := []struct {
		name string
		load func(string) (*Model, error)
		m    *Model
		wall []time.Duration
		cpu  []time.Duration
	}{{name: "int8", load: Load}, {name: "exact", load: LoadExact}}
	for i := range models {
		if models[i].m, err = models[i].load(dir); err != nil {
			b.Fatal(err)
		}
	}
	// The thread's CPU clock is only the encoder's while it stays on one
	// thread.
	lockThread(b)
	var pieces []int
	for b.Loop() {
		for i, r := range rows {
			for k := range models {
				md := &models[(i+k)%len(models)]
				w0, c0 := time.Now(), threadCPU(b)
				md.m.Encode(r.Text)
				md.cpu = append(md.cpu, threadCPU(b)-c0)
				md.wall = append(md.wall, time.Since(w0))
			}
			pieces = append(pieces, len(models[0].m.tok.encode(r.Text)))
		}
	}
	for _, md := range models {
		b.ReportMetric(quantileMicros(md.wall, 0.50), md.name+"-p50-µs")
		b.ReportMetric(quantileMicros(md.wall, 0.99), md.name+"-p99-µs")
		b.ReportMetric(quantileMicros(md.cpu, 0.50), md.name+"-cpu-p50-µs")
		b.ReportMetric(quantileMicros(md.cpu, 0.99), md.name+"-cpu-p99-µs")
	}
	slices.Sort(pieces)
	b.ReportMetric(float64(pieces[len(pieces)/2]), "pieces-p50")
	b.ReportMetric(float64(pieces[len(pieces)*99/100]), "pieces-p99")
}

func quantileMicros(d []time.Duration, q float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)-1))].Nanoseconds()) / 1e3
}

func threadCPU(tb testing.TB) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

func lockThread(tb testing.TB) {
	runtime.LockOSThread()
	tb.Cleanup(runtime.UnlockOSThread)
}
