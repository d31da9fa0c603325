package supervisor

import (
	"strconv"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

// VoiceMsg brings one service process's voice admission, as each process
// publishes it when it changes and every event.VoiceStatusInterval. The
// header shows the sum over the processes heard from within
// event.VoiceStatusStale.
type VoiceMsg struct {
	Status event.VoiceStatus
}

// voiceReading is a process's last voice admission and when it came.
type voiceReading struct {
	status event.VoiceStatus
	at     time.Time
}

// applyVoice records a process's reading at the view's clock.
func (s *Model) applyVoice(v event.VoiceStatus) {
	if s.voice == nil {
		s.voice = map[string]voiceReading{}
	}
	s.voice[v.Worker] = voiceReading{status: v, at: s.clock}
	s.sumVoice()
}

// expireVoice forgets the processes not heard from for
// event.VoiceStatusStale: gone, or cut off from this terminal.
func (s *Model) expireVoice() {
	n := len(s.voice)
	for w, r := range s.voice {
		if s.clock.Sub(r.at) >= event.VoiceStatusStale {
			delete(s.voice, w)
		}
	}
	if len(s.voice) != n {
		s.sumVoice()
	}
}

// sumVoice sums the readings for the header.
func (s *Model) sumVoice() {
	readings := make([]event.VoiceStatus, 0, len(s.voice))
	for _, r := range s.voice {
		readings = append(readings, r.status)
	}
	s.voiceSum = event.SumVoice(readings...)
	s.frameOK = false
}

// voiceText is the header's voice admission: calls in slots of capacity
// (marked when full), live calls handed to the speech server, calls
// refused; "" before any process has reported.
func (s *Model) voiceText() string {
	if len(s.voice) == 0 {
		return ""
	}
	st := &s.th.Header
	v := s.voiceSum
	count := strconv.Itoa(v.Active)
	if v.Capacity > 0 {
		count += "/" + strconv.Itoa(v.Capacity)
	}
	out := st.Label.Render("voice ") + st.Value.Render(count)
	if v.Full() {
		out = st.Paused.Render("voice " + count + " full")
	}
	if v.Overflow > 0 {
		out += st.Sep.Render(" · ") + st.Value.Render(strconv.Itoa(v.Overflow)) + st.Label.Render(" on server")
	}
	if v.Refused > 0 {
		out += st.Sep.Render(" · ") + st.Paused.Render(strconv.FormatUint(v.Refused, 10)+" refused")
	}
	return out
}
