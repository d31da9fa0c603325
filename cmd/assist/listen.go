package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/larkspur-labs/assist/audio/mic"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/spf13/cobra"
)

type listenOptions struct {
	io              streams
	device          int
	list            bool
	channels        int
	customerChannel int
	kb              kbFlags
	models          modelFlags
	guidance        guidanceFlags
	asr             asrFlags
	logFile         string
	debug           bool
	headless        bool
}

func newListenCmd(io streams, runF func(context.Context, *listenOptions) error) *cobra.Command {
	opts := &listenOptions{io: io}
	cmd := &cobra.Command{
		Use:   "listen [--device N]",
		Short: "Listen to a microphone or line-in and assist live in the agent view",
		Long: `Capture a microphone or line-in through PortAudio, recognise the speech as it
comes, and show the transcript, suggestions, gauges and recommendations in the
agent view. With --channels 2 (a line-in carrying a call, one speaker per
channel) the customer is on --customer-channel and the agent on the other;
with one channel everything heard is the customer. --list-devices prints the
input devices and their indexes.`,
		Example: `  assist listen --list-devices
  assist listen --device 3 --channels 2 --log-file assist.log`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.channels != 1 && opts.channels != 2 {
				return usagef("--channels must be 1 or 2")
			}
			if opts.customerChannel < 0 || opts.customerChannel >= opts.channels {
				return usagef("--customer-channel must be 0 or, with two channels, 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runListen(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.device, "device", mic.DefaultDevice, "input device index from --list-devices (default: the system's default input)")
	f.BoolVar(&opts.list, "list-devices", false, "print the input devices and exit")
	f.IntVar(&opts.channels, "channels", 1, "channels to capture: 1, or 2 for a call with one speaker per channel")
	f.IntVar(&opts.customerChannel, "customer-channel", 0, "with --channels 2: the customer's channel, 0 (left) or 1 (right)")
	opts.kb.register(f)
	opts.kb.encoderInBackground = true
	opts.models.register(f)
	opts.guidance.register(f)
	opts.asr.register(f)
	f.StringVar(&opts.logFile, "log-file", "", "write logs to this file (the agent view owns the terminal)")
	f.BoolVar(&opts.debug, "debug", false, "log debug detail")
	f.BoolVar(&opts.headless, "headless", false, "print the events as NDJSON on stdout until interrupted, instead of the agent view")
	return cmd
}

func runListen(ctx context.Context, opts *listenOptions) error {
	if opts.list {
		return listDevices(opts)
	}
	if f, ok := opts.io.out.(*os.File); !opts.headless && (!ok || !term.IsTerminal(f.Fd())) {
		return errors.New("the agent view needs a terminal (or --headless)")
	}
	logOut, closeLog, err := openLog(&replayOptions{logFile: opts.logFile, headless: opts.headless, io: opts.io})
	if err != nil {
		return err
	}
	defer closeLog()
	log := newLogger(logOut, opts.debug)

	rec, err := opts.asr.recognizer(log, false)
	if err != nil {
		return err
	}
	capture, err := mic.Open(opts.device, mic.Options{Channels: opts.channels})
	if err != nil {
		return err
	}
	defer capture.Close()
	stack, err := startEngine(ctx, &opts.kb, &opts.models, &opts.guidance, log)
	if err != nil {
		return err
	}
	defer stack.Close()

	speakers := []event.Speaker{event.SpeakerCustomer}
	if opts.channels == 2 {
		speakers = []event.Speaker{event.SpeakerAgent, event.SpeakerAgent}
		speakers[opts.customerChannel] = event.SpeakerCustomer
	}
	sub, err := stack.bus.Subscribe(engine.AllCallsSubject, func(err error) { log.Warn("bad event", "err", err) })
	if err != nil {
		return err
	}
	defer sub.Close()
	id := "live-" + time.Now().UTC().Format("20060102-150405")
	call, err := stack.engine.StartAudioCall(id, event.CallStarted{
		Title: "live: " + capture.Device().Name, Agent: os.Getenv("USER"),
	}, rec, capture.Rate(), speakers...)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	captured := make(chan error, 1)
	go func() {
		captured <- capture.Start(ctx, func(channels [][]int16) error {
			if err := call.Write(ctx, channels); err != nil {
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
			case e := <-sub.C:
				select {
				case events <- e:
				case <-ctx.Done():
					return
				}
			case err := <-captured:
				// A lost device ends the capture, not the view: the agent
				// still reads what was said and can quit.
				if err != nil {
					log.Error("audio input stopped", "err", err)
				}
				captured = nil
			case <-ctx.Done():
				return
			}
		}
	}()
	if opts.headless {
		err = event.WriteStream(ctx, opts.io.out, events)
	} else {
		err = agent.Run(ctx, events, agent.Options{
			ModelStatus: fmt.Sprintf("%s · %s", stack.status, rec.Name()),
			Controller:  liveController{bus: stack.bus, engine: stack.engine},
		})
	}
	cancel()
	if endErr := call.End("agent quit"); endErr != nil {
		log.Warn("end call", "err", endErr)
	}
	return err
}

func listDevices(opts *listenOptions) error {
	devices, err := mic.Devices()
	if err != nil {
		return err
	}
	if len(devices) == 0 {
		fmt.Fprintln(opts.io.out, "no audio input devices")
		return nil
	}
	for _, d := range devices {
		mark := " "
		if d.Default {
			mark = "*"
		}
		fmt.Fprintf(opts.io.out, "%s %3d  %-40s %d ch, %.0f Hz\n", mark, d.Index, d.Name, d.MaxInputChannels, d.DefaultSampleRate)
	}
	return nil
}

// liveController is the agent view's controller for a live call: there is
// nothing to pause or skip, only feedback to send and summaries to ask for.
type liveController struct {
	bus    *engine.Bus
	engine *engine.Engine
}

var _ agent.Controller = liveController{}

func (c liveController) Feedback(callID string, fb event.Feedback) error {
	return c.bus.SendFeedback(callID, fb)
}

func (c liveController) RequestSummary(callID string) error { return summarizeCall(c.engine, callID) }
