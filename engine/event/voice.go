package event

import "time"

// VoiceStatus is one service process's voice admission: how many voice
// calls it recognises itself now, out of how many it may, and what
// became of the calls that found it full. It is not an event of a call:
// each process publishes its own, as JSON, whenever it changes and at
// least every VoiceStatusInterval, so that a terminal that starts late
// learns it soon and one that hears nothing from a process for
// VoiceStatusStale takes that process for gone.
type VoiceStatus struct {
	// Worker is the process's worker id.
	Worker string `json:"worker"`
	// Active is how many voice calls hold one of the process's slots:
	// recognised by its own recognizer.
	Active int `json:"active"`
	// Capacity is how many slots there are; 0 means no bound.
	Capacity int `json:"capacity"`
	// Overflow is how many live voice calls came when every slot was
	// taken and are recognised by the configured speech server instead.
	Overflow int `json:"overflow"`
	// HandedOver and Refused count, since the process started, the voice
	// calls that came when every slot was taken: handed to the speech
	// server, or refused for want of one.
	HandedOver uint64 `json:"handed_over"`
	Refused    uint64 `json:"refused"`
	// TS is when the process took this reading.
	TS time.Time `json:"ts"`
}

// VoiceStatusInterval is the longest a service process stays silent about
// its voice admission; VoiceStatusStale is how long a reader keeps a
// process's last status without a new one.
const (
	VoiceStatusInterval = 2 * time.Second
	VoiceStatusStale    = 3 * VoiceStatusInterval
)

// Full reports whether every slot is taken, so that the next voice call
// is handed over or refused.
func (v VoiceStatus) Full() bool { return v.Capacity > 0 && v.Active >= v.Capacity }

// SumVoice adds up the voice admission of several processes: what the
// service as a whole is doing. The sum has no bound when any of them has
// none; its Worker is empty and its TS the latest.
func SumVoice(statuses ...VoiceStatus) VoiceStatus {
	var sum VoiceStatus
	unbounded := false
	for _, s := range statuses {
		sum.Active += s.Active
		sum.Capacity += s.Capacity
		sum.Overflow += s.Overflow
		sum.HandedOver += s.HandedOver
		sum.Refused += s.Refused
		if s.Capacity <= 0 {
			unbounded = true
		}
		if s.TS.After(sum.TS) {
			sum.TS = s.TS
		}
	}
	if unbounded {
		sum.Capacity = 0
	}
	return sum
}
