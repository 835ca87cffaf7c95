package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// relay is a pika-relay process started for the attacks.
type relay struct {
	url  string // http://127.0.0.1:PORT
	ws   string // ws://127.0.0.1:PORT/ws
	cmd  *exec.Cmd
	dir  string
	logs *lockedBuffer
}

// startRelay starts bin on a free loopback port with a fresh database in a
// temporary directory and waits until /healthz answers.
func startRelay(ctx context.Context, bin string, verbose bool, extra ...string) (*relay, error) {
	dir, err := os.MkdirTemp("", "pika-abuse-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &relay{url: "http://" + addr, ws: "ws://" + addr + "/ws", dir: dir, logs: &lockedBuffer{}}
	args := append([]string{"-addr", addr, "-db", "file:" + filepath.Join(dir, "abuse.db"), "-public-url", r.url, "-log-level", "info"}, extra...)
	r.cmd = exec.Command(bin, args...)
	// The log goes through a pipe (Go copies it), never a file: the
	// healthz attack limits the relay's file sizes.
	var logTo io.Writer = r.logs
	if verbose {
		logTo = io.MultiWriter(r.logs, os.Stderr)
	}
	r.cmd.Stderr = logTo
	if err := r.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(r.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.stop()
			return nil, fmt.Errorf("relay did not come up on %s: %s", addr, r.logs.tail(2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *relay) pid() int { return r.cmd.Process.Pid }

// stop ends the relay (SIGTERM, then SIGKILL after 10 s) and removes its
// database.
func (r *relay) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(r.dir)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) tail(n int) string {
	s := b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
