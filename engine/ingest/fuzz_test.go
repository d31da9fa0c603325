package ingest

// Fuzz targets for the decoders of what telephony clients send. Run one
// with, for example:
//
//	go test -run '^$' -fuzz FuzzTwilioMessage -fuzztime 20s ./engine/ingest

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// knownReasons are the protocol error reasons a decoder may give.
var knownReasons = []string{reasonMalformed, reasonUnknownEvent, reasonUnsupportedMedia, reasonBadFrame}

func checkProtocolError(t *testing.T, err error) {
	t.Helper()
	var perr *protocolError
	if !errors.As(err, &perr) || !slices.Contains(knownReasons, perr.Reason) || perr.Detail == "" {
		t.Fatalf("error %v is not a protocol error with a known reason", err)
	}
}

// Messages as Twilio sends them (from its Media Streams documentation).
var twilioSeeds = []string{
	`{"event": "connected", "protocol": "Call", "version": "1.0.0"}`,
	`{"event": "start", "sequenceNumber": "1", "start": {"accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "tracks": ["inbound", "outbound"], "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}, "customParameters": {"key": "k", "agent": "ana", "queue": "cards", "customer": "+15005550006"}}, "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}`,
	`{"event": "media", "sequenceNumber": "3", "media": {"track": "outbound", "chunk": "1", "timestamp": "5", "payload": "no+JhoaJjpzSHxAKBgYJDhtEopGKh4aIjZm7JhILBwYIDBUx"}, "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}`,
	`{"event": "media", "sequenceNumber": "4", "media": {"track": "inbound", "chunk": "2", "timestamp": "20", "payload": "/////w=="}, "streamSid": "MZ1"}`,
	`{"event": "dtmf", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "sequenceNumber": "5", "dtmf": {"track": "inbound_track", "digit": "1"}}`,
	`{"event": "mark", "sequenceNumber": "4", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "mark": {"name": "my label"}}`,
	`{"event": "stop", "sequenceNumber": "5", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "stop": {"accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}}`,
	`{"event": "media", "sequenceNumber": "18446744073709551616", "media": {"track": "inbound", "timestamp": "-1", "payload": "%"}}`,
	`{"event": "start", "sequenceNumber": "1", "start": {"callSid": "CA1", "tracks": ["both"], "mediaFormat": {"encoding": "audio/l16"}}}`,
	`{"event": 5}`, `[]`, `null`, ``,
}

func FuzzTwilioMessage(f *testing.F) {
	for _, s := range twilioSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseTwilio(data)
		if err != nil {
			checkProtocolError(t, err)
			return
		}
		if m.Event != "connected" && m.Seq == 0 {
			t.Fatalf("%s without a sequence number", m.Event)
		}
		switch m.Event {
		case "connected", "stop":
		case "start":
			st := m.Start
			if st == nil || st.CallSID == "" || len(st.Tracks) == 0 || len(st.Tracks) > 2 || st.Tracks[0] == twilioOutbound && len(st.Tracks) == 2 {
				t.Fatalf("start %+v", st)
			}
		case "media":
			md := m.Media
			if md == nil || md.Track != twilioInbound && md.Track != twilioOutbound || md.Timestamp < 0 || md.Timestamp > maxTwilioTimestamp {
				t.Fatalf("media %+v", md)
			}
		case "dtmf":
			if m.DTMF == nil {
				t.Fatal("dtmf without dtmf")
			}
		case "mark":
			if m.Mark == nil {
				t.Fatal("mark without mark")
			}
		default:
			t.Fatalf("event %q accepted", m.Event)
		}
	})
}

// Messages as Genesys Cloud sends them (from the AudioHook protocol
// specification and its reference implementation).
var audiohookSeeds = []string{
	`{"version":"2","type":"open","seq":1,"serverseq":0,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT0S","parameters":{"organizationId":"d7934305-0972-4844-938e-9060eef73d05","conversationId":"090eaa2f-72fa-480a-83e0-8667ff89c0ec","participant":{"id":"883efee8-3d6c-4537-b500-6d7ca4b92fa0","ani":"+1-555-555-1234","aniName":"John Doe","dnis":"+1-800-555-6789"},"media":[{"type":"audio","format":"PCMU","channels":["external","internal"],"rate":8000},{"type":"audio","format":"PCMU","channels":["external"],"rate":8000},{"type":"audio","format":"PCMU","channels":["internal"],"rate":8000}],"language":"en-US","customConfig":{"queue":"cards"},"inputVariables":{"agent":"ana"}}}`,
	`{"version":"2","type":"open","seq":1,"serverseq":0,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT0S","parameters":{"organizationId":"d7934305-0972-4844-938e-9060eef73d05","conversationId":"00000000-0000-0000-0000-000000000000","participant":{"id":"00000000-0000-0000-0000-000000000000","ani":"","aniName":"","dnis":""},"media":[{"type":"audio","format":"PCMU","channels":["external","internal"],"rate":8000}]}}`,
	`{"version":"2","type":"ping","seq":2,"serverseq":1,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT3.2S","parameters":{"rtt":"PT0.0123S"}}`,
	`{"version":"2","type":"paused","seq":3,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT9.6S","parameters":{}}`,
	`{"version":"2","type":"resumed","seq":4,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT9.6S","parameters":{"start":"PT17.12S","discarded":"PT7.52S"}}`,
	`{"version":"2","type":"discarded","seq":5,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT20S","parameters":{"start":"PT20S","discarded":"PT0.4S"}}`,
	`{"version":"2","type":"update","seq":6,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT21S","parameters":{"language":"es-ES"}}`,
	`{"version":"2","type":"error","seq":7,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT21S","parameters":{"code":429,"message":"Too many requests","retryAfter":"PT3S"}}`,
	`{"version":"2","type":"close","seq":8,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT25.5S","parameters":{"reason":"end"}}`,
	`{"version":"2","type":"dtmf","seq":9,"serverseq":2,"id":"e160e428-53e2-487c-977d-96989bf5c99d","position":"PT26S","parameters":{"digit":"5"}}`,
	`{"version":"2","type":"ping","seq":-1,"serverseq":1.5,"id":"x","position":"PT-1S","parameters":null}`,
	`{"version":"1","type":"open"}`, `{}`, `[]`, ``,
}

func FuzzAudioHookMessage(f *testing.F) {
	for _, s := range audiohookSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseAudioHook(data)
		if err != nil {
			checkProtocolError(t, err)
			return
		}
		if !isUUID(m.ID) || m.Position < 0 || m.Discarded < 0 {
			t.Fatalf("accepted %+v", m)
		}
		switch m.Type {
		case "open":
			if m.Open == nil || !isUUID(m.Open.ConversationID) || !isUUID(m.Open.OrganizationID) {
				t.Fatalf("open %+v", m.Open)
			}
			// What open says must be safe to act on.
			if media, ok := selectAudioHookMedia(m.Open.Media); ok {
				if !validChannels(media.Channels) || media.Format != "PCMU" && media.Format != "L16" {
					t.Fatalf("selected %+v", media)
				}
			}
			m.Open.callStarted()
		case "error":
			if m.Error == nil {
				t.Fatal("error without parameters")
			}
		case "close", "ping", "paused", "resumed", "discarded", "update", "dtmf":
		default:
			t.Fatalf("type %q accepted", m.Type)
		}
	})
}

func FuzzAudioHookFrame(f *testing.F) {
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, true, uint8(2))
	f.Add([]byte{1, 2, 3}, false, uint8(2))
	f.Add([]byte{}, true, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, l16 bool, channels uint8) {
		m := audiohookMedia{Format: "PCMU", Channels: []string{"external", "internal"}[:1+channels%2]}
		width := 1
		if l16 {
			m.Format, width = "L16", 2
		}
		out, err := decodeAudioHookFrame(data, m)
		if err != nil {
			checkProtocolError(t, err)
			if len(data)%(width*len(m.Channels)) == 0 {
				t.Fatalf("whole frame of %d bytes refused: %v", len(data), err)
			}
			return
		}
		if len(out) != len(m.Channels) {
			t.Fatalf("%d channels, want %d", len(out), len(m.Channels))
		}
		for _, ch := range out {
			if len(ch)*width*len(m.Channels) != len(data) {
				t.Fatalf("%d samples from %d bytes", len(ch), len(data))
			}
		}
		if l16 && len(data) >= 2 && out[0][0] != int16(binary.LittleEndian.Uint16(data)) {
			t.Fatalf("first sample %d from % x", out[0][0], data[:2])
		}
	})
}

// FuzzTrackMixer feeds the mixer tracks at arbitrary positions: whatever
// arrives, it hands out equal runs on every channel, and in the end
// exactly as much as the furthest track reached.
func FuzzTrackMixer(f *testing.F) {
	f.Add([]byte{0, 0, 4, 1, 0, 4, 0, 2, 4, 1, 30, 2})
	f.Add([]byte{1, 200, 255, 0, 0, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const skew = 16
		m := newTrackMixer(2, skew, 2)
		var handed int64
		out := func(silence int, samples [][]int16) {
			if silence < 0 || (samples != nil && (len(samples) != 2 || len(samples[0]) != len(samples[1]))) {
				t.Fatalf("chunk of %d silence and %d channels", silence, len(samples))
			}
			handed += int64(silence)
			if samples != nil {
				handed += int64(len(samples[0]))
			}
		}
		var furthest int64
		ends := [2]int64{}
		for i := 0; i+2 < len(ops); i += 3 {
			ch := int(ops[i] % 2)
			pos := ends[ch] + int64(int8(ops[i+1])) // back for duplicates, ahead for holes
			if pos < 0 {
				pos = 0
			}
			n := int(ops[i+2] % 64)
			at := pos // where the mixer puts it: a jitter off its track's end is none
			if d := pos - m.end(ch); d >= -2 && d <= 2 {
				at = m.end(ch)
			}
			m.add(ch, pos, make([]int16, n), out)
			if n > 0 {
				ends[ch] = max(ends[ch], pos+int64(n))
				furthest = max(furthest, at+int64(n))
			}
			for c := range 2 {
				if len(m.bufs[c]) > skew {
					t.Fatalf("channel %d holds %d samples, more than the skew", c, len(m.bufs[c]))
				}
			}
			if handed != m.base {
				t.Fatalf("handed out %d, base %d", handed, m.base)
			}
		}
		m.flush(out)
		if handed < furthest || handed != m.base {
			t.Fatalf("handed out %d, furthest track at %d, base %d", handed, furthest, m.base)
		}
	})
}
