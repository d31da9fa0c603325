package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/larkspur-labs/assist/audio/mic"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// Live says which audio input a live call listens to.
type Live struct {
	// Device is the input device index (mic.DefaultDevice for the
	// system's default input).
	Device int
	// Channels is 1, or 2 for a line-in carrying a call with one speaker
	// per channel, the customer on CustomerChannel.
	Channels        int
	CustomerChannel int
	// Agent names the agent in call.started.
	Agent string
}

// LiveCall is a call heard on a microphone or line-in, recognised as it
// comes and answered by an in-process engine.
type LiveCall struct {
	Stack *Stack
	// Events are the call's events, until the call is closed.
	Events <-chan event.Event
	// Status describes the models and the recognizer for the status line.
	Status  string
	call    *engine.AudioCall
	capture *mic.Capture
	sub     *engine.Subscription
	cancel  context.CancelFunc
}

// Listen opens the audio input, starts the engine and a call on it, and
// feeds the captured audio to the call until ctx is done or the call is
// closed. A lost device ends the capture, not the events: the agent still
// reads what was said.
func Listen(ctx context.Context, cfg Config, in Live) (*LiveCall, error) {
	log := cfg.logger()
	asr := cfg.ASR
	asr.Recorded = false
	rec, err := NewRecognizer(asr, log)
	if err != nil {
		return nil, err
	}
	capture, err := mic.Open(in.Device, mic.Options{Channels: in.Channels})
	if err != nil {
		return nil, err
	}
	stack, err := Start(ctx, cfg)
	if err != nil {
		capture.Close()
		return nil, err
	}
	lc := &LiveCall{Stack: stack, capture: capture, Status: fmt.Sprintf("%s · %s", stack.Status, rec.Name())}
	lc.sub, err = stack.Bus.Subscribe(engine.AllCallsSubject, func(err error) { log.Warn("bad event", "err", err) })
	if err != nil {
		lc.closeParts()
		return nil, err
	}
	speakers := []event.Speaker{event.SpeakerCustomer}
	if in.Channels == 2 {
		speakers = []event.Speaker{event.SpeakerAgent, event.SpeakerAgent}
		speakers[in.CustomerChannel] = event.SpeakerCustomer
	}
	id := "live-" + time.Now().UTC().Format("20060102-150405")
	lc.call, err = stack.Engine.StartAudioCall(id, event.CallStarted{
		Title: "live: " + capture.Device().Name, Agent: in.Agent,
	}, rec, capture.Rate(), speakers...)
	if err != nil {
		lc.closeParts()
		return nil, err
	}
	ctx, lc.cancel = context.WithCancel(ctx)
	lc.Events = lc.feed(ctx)
	return lc, nil
}

// feed runs the capture, writing what it hears into the call, and returns
// the call's events until ctx is done.
func (lc *LiveCall) feed(ctx context.Context) <-chan event.Event {
	log := lc.Stack.log
	captured := make(chan error, 1)
	go func() {
		captured <- lc.capture.Start(ctx, func(channels [][]int16) error {
			if err := lc.call.Write(ctx, channels); err != nil {
				log.Warn("recognition", "err", err)
			}
			return nil
		})
	}()
	events := make(chan event.Event)
	go func() {
		defer close(events)
		for {
			select {
			case e := <-lc.sub.C:
				select {
				case events <- e:
				case <-ctx.Done():
					return
				}
			case err := <-captured:
				if err != nil {
					log.Error("audio input stopped", "err", err)
				}
				captured = nil
			case <-ctx.Done():
				return
			}
		}
	}()
	return events
}

// Close stops the capture, ends the call ("agent quit"), and stops the
// engine and the audio input.
func (lc *LiveCall) Close() {
	lc.cancel()
	if err := lc.call.End("agent quit"); err != nil {
		lc.Stack.log.Warn("end call", "err", err)
	}
	lc.closeParts()
}

func (lc *LiveCall) closeParts() {
	if lc.sub != nil {
		lc.sub.Close()
	}
	lc.Stack.Close()
	lc.capture.Close()
}

// InputDevices describes the audio input devices Listen can open, a line
// each: a star on the system's default, then the index to pass as
// Live.Device, the name, the channels and the preferred sample rate.
func InputDevices() ([]string, error) {
	devices, err := mic.Devices()
	if err != nil {
		return nil, err
	}
	lines := make([]string, len(devices))
	for i, d := range devices {
		mark := " "
		if d.Default {
			mark = "*"
		}
		lines[i] = fmt.Sprintf("%s %3d  %-40s %d ch, %.0f Hz", mark, d.Index, d.Name, d.MaxInputChannels, d.DefaultSampleRate)
	}
	return lines, nil
}

// PrintInputDevices prints the audio input devices, a line each (see
// InputDevices), or a line saying there are none.
func PrintInputDevices(w io.Writer) error {
	devices, err := InputDevices()
	if err != nil {
		return err
	}
	if len(devices) == 0 {
		fmt.Fprintln(w, "no audio input devices")
	}
	for _, d := range devices {
		fmt.Fprintln(w, d)
	}
	return nil
}
