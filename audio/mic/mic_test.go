//go:build cgo

package mic

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gordonklaus/portaudio"
)

// childEnv selects what a re-executed test binary does; see runChild.
const childEnv = "MIC_CHILD"

// runChild re-runs this test binary with only the test named run and
// childEnv=mode, and returns its stdout and stderr. Tests that need a
// fresh PortAudio, a clean stderr or their own ALSA configuration run in a
// child: PortAudio and ALSA keep process-wide state.
func runChild(t *testing.T, run, mode string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + mode}, env...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

func TestDevicesOnThisMachine(t *testing.T) {
	devs, err := Devices()
	if err != nil {
		t.Logf("Devices: %v", err)
		return
	}
	t.Logf("Devices: %d input device(s): %+v", len(devs), devs)
	for _, d := range devs {
		if d.MaxInputChannels < 1 {
			t.Errorf("device %+v listed without input channels", d)
		}
	}
}

func TestOpenDefaultWithoutInputDevice(t *testing.T) {
	devs, err := Devices()
	if err != nil {
		t.Skipf("no PortAudio: %v", err)
	}
	for _, d := range devs {
		if d.Default {
			t.Skipf("this machine has a default input device (%q); the test is for machines without one", d.Name)
		}
	}
	c, err := Open(DefaultDevice, Options{})
	if err == nil {
		c.Close()
		t.Fatal("Open(-1) succeeded without a default input device")
	}
	if !errors.Is(err, ErrNoDevice) {
		t.Errorf("Open(-1) = %v, want ErrNoDevice", err)
	}
	t.Logf("Open(-1): %v", err)
}

func TestOpenRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name   string
		device int
		opts   Options
		want   string
	}{
		{"three channels", DefaultDevice, Options{Channels: 3}, "3 channels"},
		{"negative channels", DefaultDevice, Options{Channels: -1}, "-1 channels"},
		{"negative frame", DefaultDevice, Options{FrameDuration: -20 * time.Millisecond}, "frame duration"},
		{"tiny frame", DefaultDevice, Options{FrameDuration: time.Microsecond}, "frame duration"},
		{"huge frame", DefaultDevice, Options{FrameDuration: time.Minute}, "frame duration"},
		{"device below -1", -2, Options{}, "device index -2"},
		{"device out of range", 1 << 20, Options{}, "not an input device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(tt.device, tt.opts)
			if err == nil {
				c.Close()
				t.Fatalf("Open(%d, %+v) succeeded", tt.device, tt.opts)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%d, %+v) = %q, want it to mention %q", tt.device, tt.opts, err, tt.want)
			}
		})
	}
}

func TestDeinterleave(t *testing.T) {
	got := deinterleave([]int16{1, -1, 2, -2, 3, -3}, 2)
	want := [][]int16{{1, 2, 3}, {-1, -2, -3}}
	if len(got) != 2 || !equal(got[0], want[0]) || !equal(got[1], want[1]) {
		t.Errorf("deinterleave stereo = %v, want %v", got, want)
	}
	mono := []int16{4, 5, 6}
	got = deinterleave(mono, 1)
	mono[0] = 0
	if len(got) != 1 || !equal(got[0], []int16{4, 5, 6}) {
		t.Errorf("deinterleave mono = %v, want a copy of [4 5 6]", got)
	}
}

func TestRatesFor(t *testing.T) {
	tests := []struct {
		def  float64
		want []float64
	}{
		{44100, []float64{16000, 8000, 48000, 44100}},
		{96000, []float64{16000, 8000, 48000, 44100, 96000}},
		{0, []float64{16000, 8000, 48000, 44100}},
	}
	for _, tt := range tests {
		got := ratesFor(&portaudio.DeviceInfo{DefaultSampleRate: tt.def})
		if len(got) != len(tt.want) {
			t.Errorf("ratesFor(default %g) = %v, want %v", tt.def, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("ratesFor(default %g) = %v, want %v", tt.def, got, tt.want)
				break
			}
		}
	}
}

// TestInitSilencesStderr checks that PortAudio's start-up chatter does not
// reach stderr and that stderr works again afterwards. The control child
// initialises PortAudio directly, to show there is chatter to silence.
func TestInitSilencesStderr(t *testing.T) {
	_, loud, err := runChild(t, "TestInitChild", "loud")
	if err != nil {
		t.Fatalf("control child: %v\nstderr:\n%s", err, loud)
	}
	if loud == "" {
		t.Log("PortAudio printed nothing on its own here: the check below cannot fail")
	} else {
		t.Logf("control child's stderr starts %q", firstLine(loud))
	}

	out, quiet, err := runChild(t, "TestInitChild", "quiet")
	if err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, out, quiet)
	}
	if quiet != "stderr restored\n" {
		t.Errorf("child's stderr = %q, want only the line it wrote after initialising", quiet)
	}
}

// TestInitChild is the child of TestInitSilencesStderr.
func TestInitChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "loud":
		if err := portaudio.Initialize(); err != nil {
			t.Fatal(err)
		}
		portaudio.Terminate()
	case "quiet":
		// Twice, so PortAudio is initialised, terminated and initialised
		// again, as when a device list is shown before a call starts.
		for range 2 {
			if _, err := Devices(); err != nil {
				t.Fatal(err)
			}
		}
		if c, err := Open(DefaultDevice, Options{}); err == nil {
			c.Close()
		}
		os.Stderr.WriteString("stderr restored\n")
	default:
		t.Skip("runs as a child of TestInitSilencesStderr")
	}
}

// TestCaptureNullDevice runs real capture in a child whose ALSA default
// device is ALSA's null plugin, which captures silence with no sound card.
func TestCaptureNullDevice(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "asound.conf")
	if err := os.WriteFile(conf, []byte("pcm.!default {\n\ttype null\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runChild(t, "TestCaptureChild", "null", "ALSA_CONFIG_PATH="+conf)
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v\nstderr:\n%s", err, errOut)
	}
	if strings.Contains(out, "SKIP") {
		t.Skip("ALSA null device unavailable")
	}
}

// TestCaptureChild is the child of TestCaptureNullDevice.
func TestCaptureChild(t *testing.T) {
	if os.Getenv(childEnv) != "null" {
		t.Skip("runs as a child of TestCaptureNullDevice")
	}
	c, err := Open(DefaultDevice, Options{Channels: 2, FrameDuration: 10 * time.Millisecond})
	if err != nil {
		t.Skipf("Open(-1) with the ALSA null device: %v", err)
	}
	t.Logf("opened %+v at %d Hz", c.Device(), c.Rate())
	if c.Rate() != 16000 || c.Channels() != 2 {
		t.Errorf("rate %d, channels %d; want 16000, 2", c.Rate(), c.Channels())
	}

	// Cancelling the context ends Start with nil.
	ctx, cancel := context.WithCancel(context.Background())
	frames := 0
	err = c.Start(ctx, func(chs [][]int16) error {
		if len(chs) != 2 || len(chs[0]) != 160 || len(chs[1]) != 160 {
			t.Errorf("frame shape %d×%d, want 2×160", len(chs), len(chs[0]))
		}
		if frames++; frames == 5 {
			cancel()
		}
		return nil
	})
	if err != nil || frames != 5 {
		t.Errorf("Start after cancel = %v with %d frames, want nil with 5", err, frames)
	}

	// The handler's error ends Start and comes back unchanged; Start can
	// run again after it returns.
	errStop := errors.New("handler stop")
	err = c.Start(context.Background(), func([][]int16) error { return errStop })
	if err != errStop {
		t.Errorf("Start with failing handler = %v, want %v", err, errStop)
	}

	// Close from another goroutine stops a running Start.
	started := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		first := true
		result <- c.Start(context.Background(), func([][]int16) error {
			if first {
				close(started)
				first = false
			}
			return nil
		})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no frame within 10s")
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("Start stopped by Close = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Start still running 10s after Close")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := c.Start(context.Background(), func([][]int16) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if paRefs != 0 {
		t.Errorf("%d PortAudio references left after Close, want 0", paRefs)
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
