//go:build cgo

package mic

import (
	"os"

	"golang.org/x/sys/unix"
)

// withStderrSilenced runs fn with file descriptor 2 pointed at /dev/null
// and restores it afterwards, even if fn panics.
//
// PortAudio's ALSA and JACK back ends print start-up chatter ("ALSA lib
// pcm.c: ... Unknown PCM cards.pcm.rear", "jack server is not running")
// from C straight to fd 2 while Pa_Initialize probes the host, where it
// would scribble over the TUI. The redirection is process-wide for as
// long as fn runs: anything any goroutine or C thread writes to stderr in
// that window (a log line, a panic trace) is lost too. It is used only
// around Pa_Initialize, which takes milliseconds to a few hundred
// milliseconds, and only when PortAudio is actually initialised (see
// acquire). If fd 2 cannot be redirected, fn runs with stderr untouched:
// noise is better than no microphone.
func withStderrSilenced(fn func() error) error {
	devNull, err := unix.Open(os.DevNull, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fn()
	}
	defer unix.Close(devNull)
	saved, err := unix.FcntlInt(2, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fn()
	}
	defer unix.Close(saved)
	if err := unix.Dup2(devNull, 2); err != nil {
		return fn()
	}
	defer unix.Dup2(saved, 2)
	return fn()
}
