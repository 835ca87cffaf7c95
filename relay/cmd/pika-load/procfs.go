package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// raiseFileLimit lifts RLIMIT_NOFILE so that want sockets fit. Go already
// raises the soft limit to the hard one at start; root may also raise the
// hard limit, up to fs.nr_open.
func raiseFileLimit(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read RLIMIT_NOFILE: %w", err)
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	next := syscall.Rlimit{Cur: want, Max: max(want, lim.Max)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next); err == nil {
		return want, nil
	}
	next = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next); err != nil {
		return lim.Cur, fmt.Errorf("raise RLIMIT_NOFILE to %d: %w", lim.Max, err)
	}
	if lim.Max < want {
		return lim.Max, fmt.Errorf("RLIMIT_NOFILE hard limit %d is below the %d sockets wanted", lim.Max, want)
	}
	return lim.Max, nil
}

// readRSS returns VmRSS of a process in bytes, from /proc/PID/status.
func readRSS(procRoot string, pid int) (int64, error) {
	path := filepath.Join(procRoot, strconv.Itoa(pid), "status")
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read relay memory: %w", err)
	}
	return parseVmRSS(data)
}

// parseVmRSS finds the "VmRSS:   1234 kB" line of a /proc status file.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return 0, fmt.Errorf("unexpected VmRSS value %q", f[0])
		}
		return kb * 1024, nil
	}
	return 0, errors.New("no VmRSS line (kernel thread or exited process?)")
}

// clockTick is USER_HZ, which Linux fixes at 100 on every architecture Go
// supports; /proc/PID/stat counts CPU time in it.
const clockTick = 100

// readCPU returns the user+system CPU time a process has used so far.
func readCPU(procRoot string, pid int) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, fmt.Errorf("read relay CPU time: %w", err)
	}
	return parseStatCPU(data)
}

// parseStatCPU reads utime and stime (fields 14 and 15) of /proc/PID/stat.
// The command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat line")
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, errors.New("short /proc stat line")
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("malformed CPU time %q in /proc stat", s)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTick, nil
}

// findRelayPID looks for the one process named pika-relay. It gives up
// when there is none or more than one: measuring the wrong process would
// print a wrong figure.
func findRelayPID(procRoot string) (int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, fmt.Errorf("list processes: %w", err)
	}
	var found []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
		if err != nil {
			continue
		}
		if strings.TrimSpace(string(comm)) == "pika-relay" {
			found = append(found, pid)
		}
	}
	switch len(found) {
	case 0:
		return 0, errors.New("no pika-relay process found; pass -relay-pid")
	case 1:
		return found[0], nil
	}
	return 0, fmt.Errorf("%d pika-relay processes found (%v); pass -relay-pid", len(found), found)
}

// isLoopback reports whether host names this machine's loopback interface,
// where the relay's memory can be read from /proc.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadAverage returns the first field of /proc/loadavg, a hint of how busy
// the shared machine was while measuring.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// readWritten returns how many bytes a process has handed to write and
// send calls so far (wchar of /proc/PID/io): sockets, files and logs.
func readWritten(procRoot string, pid int) (int64, error) {
	data, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "io"))
	if err != nil {
		return 0, fmt.Errorf("read relay I/O counters: %w", err)
	}
	return parseWchar(data)
}

// parseWchar finds the "wchar: 1234" line of a /proc io file.
func parseWchar(io []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(io))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "wchar:")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("unexpected wchar value %q", rest)
		}
		return n, nil
	}
	return 0, errors.New("no wchar line in /proc io")
}
