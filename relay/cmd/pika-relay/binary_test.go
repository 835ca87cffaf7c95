package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// relayProc is the real pika-relay binary running for a test.
type relayProc struct {
	cmd   *exec.Cmd
	addr  string
	lines *bufio.Scanner
	logs  []string
}

// startBinary builds pika-relay into dir, starts it on a free loopback port
// with args added, and returns once it logs where it listens.
func startBinary(ctx context.Context, t *testing.T, dir string, args ...string) *relayProc {
	t.Helper()
	return runBinary(ctx, t, buildBinary(t, dir), args...)
}

// buildBinary builds pika-relay into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "pika-relay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary starts the built relay like startBinary.
func runBinary(ctx context.Context, t *testing.T, bin string, args ...string) *relayProc {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "PIKA_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &relayProc{cmd: cmd, lines: bufio.NewScanner(stderr)}
	for p.addr == "" && p.lines.Scan() {
		p.logs = append(p.logs, p.lines.Text())
		var l struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(p.lines.Bytes(), &l) == nil && l.Msg == "relay listening" {
			p.addr = l.Addr
		}
	}
	if p.addr == "" {
		t.Fatalf("relay never said where it listens:\n%s", strings.Join(p.logs, "\n"))
	}
	return p
}

// wait reads the rest of the log until the process exits, and returns the
// whole log and the exit error.
func (p *relayProc) wait() (string, error) {
	for p.lines.Scan() {
		p.logs = append(p.logs, p.lines.Text())
	}
	err := p.cmd.Wait()
	return strings.Join(p.logs, "\n"), err
}

// keepReading reads the log on in the background, so a relay that runs
// on is never held up by a full pipe; logs returns what was read.
func (p *relayProc) keepReading() (logs func() string) {
	var mu sync.Mutex
	go func() {
		for p.lines.Scan() {
			mu.Lock()
			p.logs = append(p.logs, p.lines.Text())
			mu.Unlock()
		}
	}()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(p.logs, "\n")
	}
}
