//go:build !cgo

package mic

import (
	"context"
	"errors"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

// Device is an input-capable audio device. In a build without cgo there
// are none: PortAudio is a C library.
type Device struct {
	Index             int
	Name              string
	MaxInputChannels  int
	DefaultSampleRate float64
	Default           bool
}

// Options configure a Capture; see the cgo build for their meaning.
type Options struct {
	Channels      int
	FrameDuration time.Duration
}

// DefaultFrameDuration is the frame length used when Options leave it 0.
const DefaultFrameDuration = 20 * time.Millisecond

// DefaultDevice is the device index Open takes for the default input.
const DefaultDevice = -1

var (
	// ErrNoDevice is returned in the cgo build when there is no input
	// device to open.
	ErrNoDevice = errors.New("no audio input device")
	// ErrDeviceLost is returned in the cgo build when a device stops
	// delivering audio mid-call.
	ErrDeviceLost = errors.New("audio input device lost")
	// ErrClosed is returned in the cgo build by Start on a closed Capture.
	ErrClosed = errors.New("capture closed")
)

// Capture is unusable in a build without cgo. It exists so callers
// compile in both builds.
type Capture struct{}

// Devices returns audio.ErrNoCgo: capture needs the cgo build.
func Devices() ([]Device, error) { return nil, audio.ErrNoCgo }

// Open returns audio.ErrNoCgo: capture needs the cgo build.
func Open(deviceIndex int, opts Options) (*Capture, error) { return nil, audio.ErrNoCgo }

// Rate returns 0.
func (c *Capture) Rate() int { return 0 }

// Channels returns 0.
func (c *Capture) Channels() int { return 0 }

// Device returns the zero Device.
func (c *Capture) Device() Device { return Device{} }

// Start returns audio.ErrNoCgo.
func (c *Capture) Start(ctx context.Context, fn func(channels [][]int16) error) error {
	return audio.ErrNoCgo
}

// Close does nothing.
func (c *Capture) Close() error { return nil }
