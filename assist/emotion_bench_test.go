package assist

import (
	"runtime"
	"testing"
)

// BenchmarkEmotionModel times the embedded model on a customer turn: the
// polarity class alone (what `assist eval sentiment` times) and the whole
// analysis with the gauges. It reports the heap the loaded model takes.
func BenchmarkEmotionModel(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := embeddedEmotion()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heapMB := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	const turn = "I've been on hold for forty minutes and nobody can tell me why my card was declined"
	b.Run("polarity", func(b *testing.B) {
		for b.Loop() {
			m.Polarity(turn)
		}
		b.ReportMetric(heapMB, "model-heap-MB")
	})
	b.Run("analyze", func(b *testing.B) {
		for b.Loop() {
			m.Analyze(turn)
		}
		b.ReportMetric(heapMB, "model-heap-MB")
	})
	// What a call does with every customer turn: the analysis, the cues
	// read against the agent's reply, and the score adjusted for them.
	const agent = "I can refund one of the fees now if you'd like."
	b.Run("in-context", func(b *testing.B) {
		for b.Loop() {
			ReadInContext(m, turn, agent)
		}
	})
	b.Run("cues", func(b *testing.B) {
		for b.Loop() {
			ReadCues(turn, agent)
		}
	})
}
