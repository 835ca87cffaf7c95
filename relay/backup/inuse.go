package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrInUse is returned when a process has the database open.
var ErrInUse = errors.New("database is in use")

// SQLite's unix locking, which libSQL keeps: byte 128 of the -shm file
// (the "DMS" byte, after the 8 WAL lock bytes at 120) is read-locked by
// every connection that has the WAL database open, for as long as it is
// open; the database file's lock bytes start at 1 GiB (PENDING, RESERVED,
// then 510 SHARED bytes) and are held during transactions.
const (
	shmDMSByte   = 128
	pendingByte  = 0x40000000
	lockBytesLen = 512
)

// InUse reports whether some process has the database at dbPath open,
// so that a restore never swaps the file under a running relay. It looks
// two ways, because each alone can miss:
//
//  1. Locks: it asks the kernel (fcntl F_GETLK, which takes no lock)
//     whether anyone holds a lock on the -shm file's DMS byte or on the
//     database's lock bytes. This sees a relay of any user, also in
//     another container sharing the volume, but only while it has its
//     connections open (the relay keeps them open while it runs).
//  2. /proc: it looks for a process with the database, its -wal or its
//     -shm file open. This sees a process that holds the file without a
//     lock, but only processes this user may inspect (all of them as
//     root) and only in this PID namespace.
//
// The error names the process that was found.
func InUse(dbPath string) error {
	for _, probe := range []struct {
		path         string
		start, count int64
	}{
		{dbPath + "-shm", shmDMSByte, 1},
		{dbPath, pendingByte, lockBytesLen},
	} {
		pid, err := lockHolder(probe.path, probe.start, probe.count)
		if err != nil {
			return err
		}
		if pid != 0 {
			return fmt.Errorf("%w: process %d (%s) holds a lock on %s", ErrInUse, pid, processName(pid), probe.path)
		}
	}
	pid, err := openedBy("/proc", []string{dbPath, dbPath + "-wal", dbPath + "-shm"})
	if err != nil {
		return err
	}
	if pid != 0 {
		return fmt.Errorf("%w: process %d (%s) has it open", ErrInUse, pid, processName(pid))
	}
	return nil
}

// lockHolder returns the pid of a process holding a POSIX lock that would
// conflict with a write lock on [start, start+count) of path, or 0. A
// missing file has no holder.
func lockHolder(path string, start, count int64) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("check locks on %s: %w", path, err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: start, Len: count}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return 0, fmt.Errorf("check locks on %s: %w", path, err)
	}
	if lk.Type == syscall.F_UNLCK {
		return 0, nil
	}
	return int(lk.Pid), nil
}

// openedBy returns the pid of a process other than this one with one of
// paths open, or 0. This process is skipped: go-libsql keeps descriptors
// of a closed WAL database open (SQLite defers closing them while the
// process may still hold locks), so it would always find itself after
// having checked a file. Processes whose descriptors cannot be read are
// skipped too; the lock check covers those.
func openedBy(procRoot string, paths []string) (int, error) {
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
		if r, err := filepath.EvalSymlinks(p); err == nil {
			want[r] = true
		}
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, fmt.Errorf("list processes: %w", err)
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		fdDir := filepath.Join(procRoot, e.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // gone, or not ours to inspect
		}
		for _, fd := range fds {
			target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err == nil && want[target] {
				return pid, nil
			}
		}
	}
	return 0, nil
}

func processName(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}
