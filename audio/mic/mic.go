//go:build cgo

// Package mic captures audio from a microphone or line-in through
// PortAudio, for calls that reach the agent's own machine rather than a
// telephony stream.
//
// A Capture reads fixed-length frames (20 ms by default) from one input
// device with one or two channels. Two channels mean one speaker per
// channel, for instance a line-in from a desk phone with the customer on
// the left and the agent on the right; each channel goes to its own
// audio.ChannelDecoder at Capture.Rate. The rate is whatever the device
// accepts first of 16 kHz (what recognizers take), 8 kHz, 48 kHz, 44.1 kHz
// and the device's own default; the decoder resamples.
//
// PortAudio is initialised while a Capture is open or Devices runs, and
// terminated when the last one is done. Its ALSA/JACK start-up chatter is
// kept off the terminal by silencing stderr during initialisation (see
// withStderrSilenced). The package needs cgo and portaudio19-dev; without
// cgo every function returns audio.ErrNoCgo.
package mic

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gordonklaus/portaudio"
)

// Device is an input-capable audio device as PortAudio sees it.
type Device struct {
	// Index identifies the device to Open while PortAudio stays
	// initialised; indexes can change when devices are plugged in.
	Index int
	// Name is the host's name for the device, e.g. "USB Audio: - (hw:1,0)".
	Name string
	// MaxInputChannels is the most channels the device can capture.
	MaxInputChannels int
	// DefaultSampleRate is the rate the host prefers for the device.
	DefaultSampleRate float64
	// Default is set on the host's default input device.
	Default bool
}

// Options configure a Capture. The zero value is mono, 20 ms frames.
type Options struct {
	// Channels is 1 (one speaker, or a mixed line) or 2 (one speaker per
	// channel). 0 means 1.
	Channels int
	// FrameDuration is the audio in each frame handed to Start's
	// function, between 1 ms and 1 s. 0 means 20 ms.
	FrameDuration time.Duration
}

// DefaultFrameDuration is the frame length used when Options leave it 0:
// the frame the endpointer and recognizers work in.
const DefaultFrameDuration = 20 * time.Millisecond

// DefaultDevice is the device index Open takes for the host's default
// input device.
const DefaultDevice = -1

// candidateRates are the sample rates Open tries, in order, before the
// device's default: 16 kHz needs no resampling, 8 kHz is telephony, and
// 48 and 44.1 kHz are what most sound cards run at natively.
var candidateRates = []float64{16000, 8000, 48000, 44100}

var (
	// ErrNoDevice is returned by Open when there is no input device to
	// open: no default input, or an index that is not an input device.
	ErrNoDevice = errors.New("no audio input device")
	// ErrDeviceLost is returned by Start when the device stops delivering
	// audio mid-call, for instance a USB headset that is unplugged.
	ErrDeviceLost = errors.New("audio input device lost")
	// ErrClosed is returned by Start on a closed Capture.
	ErrClosed = errors.New("capture closed")
)

// Capture reads frames from one input device. Open it, call Start from a
// goroutine the caller owns, and Close it when the call ends.
type Capture struct {
	device   Device
	channels int
	rate     int
	frames   int // per channel per frame

	stream *portaudio.Stream
	buf    []int16 // interleaved; PortAudio reads into it through &buf

	mu      sync.Mutex
	running bool
	closed  bool
	stop    chan struct{} // closed by Close to stop Start
	done    chan struct{} // closed when a running Start returns
	closeMu sync.Mutex    // serialises Close
}

// Devices lists the input-capable devices, marking the host's default.
// On a machine without any it returns an empty list, not an error.
func Devices() ([]Device, error) {
	if err := acquire(); err != nil {
		return nil, err
	}
	defer release()
	paMu.Lock()
	defer paMu.Unlock()
	all, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("list audio devices: %w", err)
	}
	def := -1
	if d, err := portaudio.DefaultInputDevice(); err == nil {
		def = d.Index
	}
	var devs []Device
	for _, d := range all {
		if d.MaxInputChannels > 0 {
			devs = append(devs, toDevice(d, def))
		}
	}
	return devs, nil
}

// Open opens input device deviceIndex (DefaultDevice, -1, for the host's
// default) for capture with opts, choosing the first sample rate the
// device accepts; Rate reports it. The stream does not run until Start.
func Open(deviceIndex int, opts Options) (*Capture, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if deviceIndex < DefaultDevice {
		return nil, fmt.Errorf("open audio input: device index %d: %w", deviceIndex, ErrNoDevice)
	}
	if err := acquire(); err != nil {
		return nil, err
	}
	c, err := open(deviceIndex, opts)
	if err != nil {
		release()
		return nil, err
	}
	return c, nil
}

// withDefaults fills in zero options and rejects bad ones.
func (o Options) withDefaults() (Options, error) {
	if o.Channels == 0 {
		o.Channels = 1
	}
	if o.Channels != 1 && o.Channels != 2 {
		return o, fmt.Errorf("open audio input: %d channels: want 1 or 2", o.Channels)
	}
	if o.FrameDuration == 0 {
		o.FrameDuration = DefaultFrameDuration
	}
	if o.FrameDuration < time.Millisecond || o.FrameDuration > time.Second {
		return o, fmt.Errorf("open audio input: frame duration %v: want between 1ms and 1s", o.FrameDuration)
	}
	return o, nil
}

// open finds the device and negotiates a rate; PortAudio is initialised.
func open(deviceIndex int, opts Options) (*Capture, error) {
	paMu.Lock()
	defer paMu.Unlock()
	all, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("open audio input: list devices: %w", err)
	}
	def := -1
	defInfo, defErr := portaudio.DefaultInputDevice()
	if defErr == nil {
		def = defInfo.Index
	}
	var info *portaudio.DeviceInfo
	switch {
	case deviceIndex == DefaultDevice && defErr != nil:
		return nil, fmt.Errorf("open audio input: %w (%v): connect a microphone or line-in, or pick a device from the device list", ErrNoDevice, defErr)
	case deviceIndex == DefaultDevice:
		info = defInfo
	case deviceIndex >= len(all) || all[deviceIndex].MaxInputChannels == 0:
		return nil, fmt.Errorf("open audio input: device %d is not an input device: %w", deviceIndex, ErrNoDevice)
	default:
		info = all[deviceIndex]
	}
	if info.MaxInputChannels < opts.Channels {
		return nil, fmt.Errorf("open audio input %q: it has %d input channel(s), %d wanted", info.Name, info.MaxInputChannels, opts.Channels)
	}

	c := &Capture{device: toDevice(info, def), channels: opts.Channels}
	var tried []error
	for _, rate := range ratesFor(info) {
		frames := int(rate * opts.FrameDuration.Seconds())
		if frames < 1 {
			continue
		}
		p := portaudio.StreamParameters{
			Input: portaudio.StreamDeviceParameters{
				Device:   info,
				Channels: opts.Channels,
				Latency:  info.DefaultLowInputLatency,
			},
			SampleRate:      rate,
			FramesPerBuffer: frames,
		}
		c.buf = make([]int16, frames*opts.Channels)
		if err := portaudio.IsFormatSupported(p, &c.buf); err != nil {
			tried = append(tried, fmt.Errorf("%g Hz: %w", rate, err))
			continue
		}
		s, err := portaudio.OpenStream(p, &c.buf)
		if err != nil {
			tried = append(tried, fmt.Errorf("%g Hz: %w", rate, err))
			continue
		}
		c.stream, c.rate, c.frames = s, int(rate), frames
		return c, nil
	}
	return nil, fmt.Errorf("open audio input %q: no usable sample rate: %w", info.Name, errors.Join(tried...))
}

// ratesFor returns the rates to try on a device, without repeats.
func ratesFor(info *portaudio.DeviceInfo) []float64 {
	rates := append([]float64(nil), candidateRates...)
	for _, r := range rates {
		if r == info.DefaultSampleRate {
			return rates
		}
	}
	if info.DefaultSampleRate > 0 {
		rates = append(rates, info.DefaultSampleRate)
	}
	return rates
}

func toDevice(d *portaudio.DeviceInfo, defaultIndex int) Device {
	return Device{
		Index:             d.Index,
		Name:              d.Name,
		MaxInputChannels:  d.MaxInputChannels,
		DefaultSampleRate: d.DefaultSampleRate,
		Default:           d.Index == defaultIndex,
	}
}

// Rate returns the sample rate the device was opened at, in Hz: the rate
// to give audio.NewChannelDecoder.
func (c *Capture) Rate() int { return c.rate }

// Channels returns the number of channels in each frame.
func (c *Capture) Channels() int { return c.channels }

// Device returns the device being captured.
func (c *Capture) Device() Device { return c.device }

// Start runs the stream and calls fn with each frame, one slice of
// samples per channel (channels[0] is the left or only channel), until ctx
// is done (Start returns nil), fn returns an error (Start returns it), the
// device fails (an error wrapping ErrDeviceLost and PortAudio's cause) or
// Close is called (nil). fn runs on Start's goroutine and owns the slices
// it is given. A frame in which the device overran its buffer, because fn
// was too slow, is still delivered. Only one Start runs at a time; Start
// may be called again after it returns.
//
// Start checks ctx between frames, so it returns within one frame of
// cancellation while the device delivers audio. A device that stops
// delivering without reporting an error blocks Start inside PortAudio.
func (c *Capture) Start(ctx context.Context, fn func(channels [][]int16) error) (err error) {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return fmt.Errorf("capture %q: %w", c.device.Name, ErrClosed)
	case c.running:
		c.mu.Unlock()
		return fmt.Errorf("capture %q: already started", c.device.Name)
	}
	c.running = true
	c.stop = make(chan struct{})
	c.done = make(chan struct{})
	stop, done := c.stop, c.done
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
		close(done)
	}()

	if err := c.stream.Start(); err != nil {
		return fmt.Errorf("start capture %q: %w", c.device.Name, err)
	}
	defer func() {
		if stopErr := c.stream.Stop(); stopErr != nil && err == nil && ctx.Err() == nil {
			err = fmt.Errorf("stop capture %q: %w", c.device.Name, stopErr)
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		default:
		}
		if err := c.stream.Read(); err != nil && !errors.Is(err, portaudio.InputOverflowed) {
			return fmt.Errorf("capture %q: %w: %w", c.device.Name, ErrDeviceLost, err)
		}
		if err := fn(deinterleave(c.buf, c.channels)); err != nil {
			return err
		}
	}
}

// deinterleave splits interleaved samples into freshly allocated
// per-channel slices.
func deinterleave(buf []int16, channels int) [][]int16 {
	n := len(buf) / channels
	out := make([][]int16, channels)
	for ch := range out {
		s := make([]int16, n)
		for i := range s {
			s[i] = buf[i*channels+ch]
		}
		out[ch] = s
	}
	return out
}

// Close stops a running Start, waits for it to return, closes the stream
// and terminates PortAudio if this was the last Capture. Further calls do
// nothing and return nil.
func (c *Capture) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	running, stop, done := c.running, c.stop, c.done
	c.mu.Unlock()
	if running {
		close(stop)
		<-done
	}
	paMu.Lock()
	err := c.stream.Close()
	paMu.Unlock()
	if relErr := release(); err == nil {
		err = relErr
	}
	if err != nil {
		return fmt.Errorf("close capture %q: %w", c.device.Name, err)
	}
	return nil
}

// PortAudio's global state (and the Go binding's device cache and
// initialisation count) is not safe for concurrent use: paMu guards every
// call except reads on an open stream. paRefs counts the open Captures
// and running Devices calls; PortAudio is initialised while it is above 0.
var (
	paMu   sync.Mutex
	paRefs int
)

// acquire initialises PortAudio if nothing holds it, silencing the host
// back ends' start-up chatter, and takes a reference.
func acquire() error {
	paMu.Lock()
	defer paMu.Unlock()
	if paRefs == 0 {
		if err := withStderrSilenced(portaudio.Initialize); err != nil {
			return fmt.Errorf("initialise portaudio: %w", err)
		}
	}
	paRefs++
	return nil
}

// release drops a reference and terminates PortAudio with the last one.
func release() error {
	paMu.Lock()
	defer paMu.Unlock()
	paRefs--
	if paRefs > 0 {
		return nil
	}
	if err := portaudio.Terminate(); err != nil {
		return fmt.Errorf("terminate portaudio: %w", err)
	}
	return nil
}
