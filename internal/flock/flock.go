// Package flock takes and inspects advisory file locks (flock(2)): the lock
// that keeps one process per data folder where only one may run, and the
// question which process holds a lock another one waits for, so that a
// command can say so at once instead of waiting in silence.
package flock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked says another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Process is a process that holds a lock.
type Process struct {
	PID int
	// Command is its command line, shortened; empty when unreadable.
	Command string
}

func (p Process) String() string {
	if p.Command == "" {
		return fmt.Sprintf("pid %d", p.PID)
	}
	return fmt.Sprintf("pid %d: %s", p.PID, p.Command)
}

// LockedError is a lock another process holds; Holder is that process
// when it could be found (on Linux, from /proc/locks).
type LockedError struct {
	Path   string
	Holder *Process
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("%s is %s", e.Path, ErrLocked)
	}
	return fmt.Sprintf("%s is %s (%s)", e.Path, ErrLocked, e.Holder)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is an exclusive lock on a file, held until Close.
type Lock struct{ f *os.File }

// TryLock takes the exclusive lock of the file at path, creating it, or
// returns a *LockedError at once when another process holds it. The lock
// goes when the process does, however it ends.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			le := &LockedError{Path: path}
			if p, ok := Holder(path); ok {
				le.Holder = &p
			}
			return nil, le
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Close releases the lock.
func (l *Lock) Close() error { return l.f.Close() }

// Held reports whether a process holds a lock on the file at path: the
// question whether the process that took it is still running, since the
// lock goes with it. On Linux it reads /proc/locks and takes no lock;
// elsewhere it tries a shared lock and lets it go at once. A missing file
// is held by nobody.
func Held(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	if _, ok := Holder(path); ok {
		return true
	}
	return probe(path)
}
