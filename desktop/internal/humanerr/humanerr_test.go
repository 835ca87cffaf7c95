package humanerr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/desktop/analysis"
	"github.com/pikadj/pika/desktop/audio"
	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/livelink"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// The chains come from the real packages: files that cannot be analysed,
// a relay that cannot be reached.
func TestMessage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	junk := make([]byte, 5000)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	analyse := func(p string) func() error {
		return func() error {
			_, err := analysis.AnalyzeFile(context.Background(), p, analysis.DefaultOptions())
			return err
		}
	}
	relay := "http://" + closedAddr(t)
	tests := []struct {
		name    string
		err     func() error
		message string
		reason  string
	}{
		{"junk named .mp3", analyse(write("Late Night.mp3", junk)),
			"Cannot read Late Night.mp3: corrupt audio data: corrupt or not an MP3 file", "corrupt audio data"},
		{"junk named .ogg", analyse(write("fake.ogg", junk)),
			"Cannot read fake.ogg: corrupt audio data: corrupt or not an Ogg Vorbis file", "corrupt audio data"},
		{"WAV without data", analyse(write("fake.wav", append([]byte("RIFF\x00\x00\x00\x00WAVE"), junk...))),
			"Cannot read fake.wav: corrupt audio data: WAV: no data chunk", "corrupt audio data"},
		{"empty file", analyse(write("empty.flac", nil)),
			"Cannot read empty.flac: unsupported audio format: empty file", "unsupported audio format"},
		{"not audio", analyse(write("notes.txt", []byte("hello"))),
			"Cannot read notes.txt: unsupported audio format", "unsupported audio format"},
		{"missing file", analyse(filepath.Join(dir, "gone.mp3")),
			"Cannot open " + filepath.Join(dir, "gone.mp3") + ": no such file or folder", "no such file or folder"},
		{"a folder", analyse(dir),
			"Cannot open " + dir + ": not a regular file", "not a regular file"},
		{"relay down", func() error {
			_, err := livelink.CheckToken(context.Background(), relay, "pk_dj_0123456789abcdef0123456789abcdef")
			return err
		}, "Cannot reach " + relay + ": connection refused (is the relay running?)", "connection refused (is the relay running?)"},
		{"relay down, wrapped again", func() error {
			_, err := livelink.CheckToken(context.Background(), relay, "pk_dj_0123456789abcdef0123456789abcdef")
			return fmt.Errorf("check token: %w", err)
		}, "Cannot reach " + relay + ": connection refused (is the relay running?)", "connection refused (is the relay running?)"},
		{"relay down, WebSocket dial", func() error {
			// As livelink's connection wraps it.
			ws := "ws://" + strings.TrimPrefix(relay, "http://") + "/ws"
			_, _, err := websocket.DefaultDialer.Dial(ws, nil)
			return fmt.Errorf("connect to %s: %w", ws, err)
		}, "Cannot reach " + strings.TrimPrefix(relay, "http://") + ": connection refused (is the relay running?)", "connection refused (is the relay running?)"},
		{"audio alone", func() error {
			_, err := audio.Open(write("Cut Short.flac", []byte("fLaC\x00\x00")), audio.Options{})
			return err
		}, "Cannot read Cut Short.flac: corrupt audio data: corrupt stream: cut metadata", "corrupt audio data: corrupt stream"},
		{"malformed token", func() error {
			_, err := livelink.New(livelink.Config{RelayURL: relay, Token: "secret"}, nil)
			return err
		}, "", ""},
		{"plain sentence", func() error { return errors.New("livelink: not live") }, "Not live", "not live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil {
				t.Fatal("no error")
			}
			msg, reason := Message(err), Reason(err)
			t.Logf("chain %q → %q / %q", err, msg, reason)
			if tt.message == "" {
				// Only the general rules: no prefix, a capital.
				tt.message = msg
				if strings.HasPrefix(msg, "livelink") || msg[:1] != strings.ToUpper(msg[:1]) {
					t.Errorf("Message %q keeps a prefix or lowercase start", msg)
				}
			}
			if msg != tt.message {
				t.Errorf("Message = %q, want %q", msg, tt.message)
			}
			if tt.reason != "" && !strings.HasPrefix(reason, tt.reason) {
				t.Errorf("Reason = %q, want it to start with %q", reason, tt.reason)
			}
		})
	}
}

func TestTruncatedFileIsKept(t *testing.T) {
	// A cut MP3 is analysed as far as it goes, not an error: nothing for
	// Message to say.
	b, err := os.ReadFile(testenv.CorpusFile(t, "00-rnb-104-Amin.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cut.mp3")
	if err := os.WriteFile(p, b[:len(b)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := analysis.AnalyzeFile(context.Background(), p, analysis.DefaultOptions())
	if err != nil || res.Warning == "" {
		t.Fatalf("cut MP3: %v, warning %q", err, res.Warning)
	}
	if Message(nil) != "" || Reason(nil) != "" {
		t.Error("nil error gives text")
	}
}

// A relay that shuts down sends a close frame with its reason.
func TestRelayClosed(t *testing.T) {
	err := fmt.Errorf("connection lost: %w", &websocket.CloseError{Code: websocket.CloseServiceRestart, Text: "relay restarting"})
	if got := Reason(err); got != "the relay closed the connection: relay restarting" {
		t.Errorf("Reason = %q", got)
	}
}
