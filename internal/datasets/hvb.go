package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// HVBCall is one call of the Gridspace-Stanford Harper Valley Bank sample
// (hvb_sample_conversations.jsonl): simulated contact-center calls with
// timed, human-transcribed segments.
type HVBCall struct {
	SID        string
	AgentName  string
	CallerName string
	// Tasks are the caller's task types, e.g. "replace card".
	Tasks    []string
	Segments []HVBSegment
	// Line is the call's line in the file.
	Line int
}

// HVBSegment is one stretch of speech, in file order (which need not be
// the order of StartMS).
type HVBSegment struct {
	// SpeakerRole is "agent" or "caller".
	SpeakerRole     string
	StartMS         float64
	DurationMS      float64
	HumanTranscript string
}

// ReadHVB reads the Harper Valley Bank JSONL, one call a line. A line that
// is not a call with a sid is a *LineError; when skip is not nil, skip gets
// it and the line is left out instead.
func ReadHVB(name string, r io.Reader, skip func(*LineError)) ([]HVBCall, error) {
	return readJSONL(name, r, skip, func(line []byte, n int) (HVBCall, error) {
		var h struct {
			SID        string `json:"sid"`
			AgentName  string `json:"agent_name"`
			CallerName string `json:"caller_name"`
			Tasks      []struct {
				TaskType string `json:"task_type"`
			} `json:"tasks"`
			Segments []struct {
				SpeakerRole     string  `json:"speaker_role"`
				StartMS         float64 `json:"start_ms"`
				DurationMS      float64 `json:"duration_ms"`
				HumanTranscript string  `json:"human_transcript"`
			} `json:"segments"`
		}
		if err := json.Unmarshal(line, &h); err != nil {
			return HVBCall{}, fmt.Errorf("malformed Harper Valley conversation (%v)", err)
		}
		if h.SID == "" {
			return HVBCall{}, errors.New("Harper Valley conversation without sid")
		}
		c := HVBCall{SID: h.SID, AgentName: h.AgentName, CallerName: h.CallerName, Line: n,
			Segments: make([]HVBSegment, len(h.Segments))}
		for _, t := range h.Tasks {
			c.Tasks = append(c.Tasks, t.TaskType)
		}
		for i, s := range h.Segments {
			c.Segments[i] = HVBSegment(s)
		}
		return c, nil
	})
}
