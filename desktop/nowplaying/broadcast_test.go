package nowplaying

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func startBroadcast(t *testing.T, password string) (string, <-chan Event) {
	t.Helper()
	var b *Broadcast
	out := startWatcher(t, func(o Options) Watcher { b = NewBroadcast(0, password, o); return b }, Options{})
	addr, err := b.Addr(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return addr, out
}

// stream has ffmpeg encode a short tone as Ogg (Vorbis or Opus) with the
// given tags and send it as an Icecast source, as Traktor does.
func stream(t *testing.T, addr, password, codec, artist, title string) error {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		testenv.SkipUnlessCI(t, "ffmpeg not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u := url.URL{Scheme: "icecast", User: url.UserPassword("source", password), Host: addr, Path: "/traktor.ogg"}
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", codec,
		"-metadata", "artist="+artist, "-metadata", "title="+title,
		"-content_type", "application/ogg", "-f", "ogg", u.String())
	outb, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg: %w: %s", err, outb)
	}
	return nil
}

func TestBroadcastFromFFmpeg(t *testing.T) {
	addr, out := startBroadcast(t, "s3cret")
	steps := []struct {
		codec, artist, title string
		want                 bool
	}{
		{"libvorbis", "Beyoncé", "Halo", true},
		{"libopus", "Simon & Garfunkel", "Cecilia", true},
		// Traktor restarting its broadcast repeats the track on air.
		{"libvorbis", "Simon & Garfunkel", "Cecilia", false},
		{"libvorbis", "Juan Luis Guerra", "Burbujas de Amor", true},
	}
	for _, s := range steps {
		before := time.Now()
		if err := stream(t, addr, "s3cret", s.codec, s.artist, s.title); err != nil {
			t.Fatal(err)
		}
		if !s.want {
			continue
		}
		e := nextEvent(t, out)
		wantEvent(t, e, "", s.artist, s.title, time.Time{})
		if e.Source != SourceTraktor || e.StartedAt.Before(before) || e.StartedAt.After(time.Now()) {
			t.Errorf("event %+v: source or start time wrong (streamed from %v)", e, before)
		}
	}
	select {
	case e := <-out:
		t.Errorf("unexpected event %+v", e)
	default:
	}
}

func TestBroadcastRefusesWrongPassword(t *testing.T) {
	addr, out := startBroadcast(t, "s3cret")
	err := stream(t, addr, "wrong", "libvorbis", "A", "B")
	if err == nil {
		t.Fatal("ffmpeg streamed with a wrong password")
	}
	if !strings.Contains(err.Error(), "401") && !strings.Contains(strings.ToLower(err.Error()), "unauthorized") {
		t.Logf("ffmpeg said: %v", err)
	}
	select {
	case e := <-out:
		t.Errorf("event from a refused source: %+v", e)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestBroadcastMetadataUpdate(t *testing.T) {
	addr, out := startBroadcast(t, "")
	tests := []struct {
		query  string
		user   string
		pw     string
		status int
		artist string
		title  string
	}{
		{"mode=updinfo&mount=/live&song=" + url.QueryEscape("Zoë Keating - Escape Artist"), "source", DefaultBroadcastPassword, 200, "Zoë Keating", "Escape Artist"},
		{"mode=updinfo&song=" + url.QueryEscape("Wrong - Password"), "source", "nope", 401, "", ""},
		{"mode=updinfo&artist=Bonobo&title=Kerala", "admin", DefaultBroadcastPassword, 200, "Bonobo", "Kerala"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", "http://"+addr+"/admin/metadata?"+tc.query, nil)
		req.SetBasicAuth(tc.user, tc.pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.query, resp.StatusCode, tc.status)
		}
		if tc.status == 200 {
			wantEvent(t, nextEvent(t, out), "", tc.artist, tc.title, time.Time{})
		}
	}
}

func TestBroadcastSpec(t *testing.T) {
	tests := []struct{ text, wantErr string }{
		{"traktor", ""},
		{"traktor:8123", ""},
		{"traktor:http://x", "not a port"},
		{"traktor:70000", "not a port"},
	}
	for _, tc := range tests {
		w, err := ParseSource(tc.text, Options{})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.text, err, tc.wantErr)
			}
			continue
		}
		if _, ok := w.(*Broadcast); err != nil || !ok {
			t.Errorf("%s: %T, %v", tc.text, w, err)
		}
	}
}

func FuzzOggComments(f *testing.F) {
	f.Add([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x05\x03vorb"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readOggComments(strings.NewReader(string(data)), func(map[string]string) {})
		parseOggComment(data)
	})
}

// Traktor keeps one connection (the old SOURCE method) and starts a new
// logical Ogg stream at each track: a chained stream built by ffmpeg.
func TestBroadcastChainedSource(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		testenv.SkipUnlessCI(t, "ffmpeg not installed")
	}
	dir := t.TempDir()
	tracks := [][2]string{{"Ibrahim Ferrer", "Dos Gardenias"}, {"Los Van Van", "Soy Todo"}}
	var chained []byte
	for i, tr := range tracks {
		p := filepath.Join(dir, fmt.Sprintf("t%d.ogg", i))
		cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "sine=frequency=330:duration=1",
			"-c:a", "libvorbis", "-metadata", "artist="+tr[0], "-metadata", "title="+tr[1], p)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v: %s", err, b)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		chained = append(chained, b...)
	}
	addr, out := startBroadcast(t, "")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	auth := base64.StdEncoding.EncodeToString([]byte("source:" + DefaultBroadcastPassword))
	fmt.Fprintf(c, "SOURCE /live ICE/1.0\r\nAuthorization: Basic %s\r\nContent-Type: application/ogg\r\nice-name: Traktor\r\n\r\n", auth)
	resp := make([]byte, 64)
	n, err := c.Read(resp)
	if err != nil || !strings.Contains(string(resp[:n]), "200 OK") {
		t.Fatalf("reply %q, %v", resp[:n], err)
	}
	// The first track's header, then the rest a little later, as a live
	// stream arrives.
	half := len(chained) / 2
	if _, err := c.Write(chained[:half]); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, nextEvent(t, out), "", tracks[0][0], tracks[0][1], time.Time{})
	if _, err := c.Write(chained[half:]); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, nextEvent(t, out), "", tracks[1][0], tracks[1][1], time.Time{})
}
