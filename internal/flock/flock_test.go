package flock

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestTryLockIsExclusiveAndNamesItsHolder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("flock(2) and /proc/locks are Linux's")
	}
	path := filepath.Join(t.TempDir(), "lock")
	first, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	// Locks are held by open files: a second open in this process
	// conflicts as another process's would.
	_, err = TryLock(path)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want a LockedError", err)
	}
	if le.Holder == nil || le.Holder.PID != os.Getpid() || !strings.Contains(le.Holder.Command, filepath.Base(os.Args[0])) {
		t.Errorf("holder %+v, want this process (%d, %s)", le.Holder, os.Getpid(), os.Args[0])
	}
	if !strings.Contains(err.Error(), "pid ") {
		t.Errorf("error %q does not name the holder", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := TryLock(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.Close()
	if _, ok := Holder(path); ok {
		t.Error("a holder of a released lock")
	}
}

func TestHeldWhileTheLockIsHeld(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "freebsd" {
		t.Skip("flock(2) is Unix's")
	}
	path := filepath.Join(t.TempDir(), "lock")
	if Held(path) {
		t.Fatal("a missing file is held")
	}
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Held(path) {
		t.Error("not held while locked")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if Held(path) {
		t.Error("held after the lock was released")
	}
}
