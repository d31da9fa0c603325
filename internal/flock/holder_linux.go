package flock

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Holder returns the process that holds a lock on the file at path,
// found in /proc/locks by the file's device and inode: one with an
// exclusive (write) lock when there is one, which is who keeps others
// waiting.
func Holder(path string) (Process, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return Process{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return Process{}, false
	}
	dev := uint64(sys.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	// /proc/locks writes the device in hex: "08:01:1234567".
	file := fmt.Sprintf("%02x:%02x:%d", major, minor, sys.Ino)
	f, err := os.Open("/proc/locks")
	if err != nil {
		return Process{}, false
	}
	defer f.Close()
	var found Process
	ok = false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 08:01:1234567 0 EOF"; a waiter's
		// line has "->" after the number.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" {
			continue
		}
		if fields[5] != file {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil {
			continue
		}
		if fields[3] == "WRITE" {
			return Process{PID: pid, Command: command(pid)}, true
		}
		if !ok {
			found, ok = Process{PID: pid}, true
		}
	}
	if ok {
		found.Command = command(found.PID)
	}
	return found, ok
}

// command is a process's command line, shortened for a message.
func command(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return ""
	}
	cmd := strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
	if len(cmd) > 120 {
		cmd = cmd[:120] + "…"
	}
	return cmd
}
