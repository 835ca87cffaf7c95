package nowplaying

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// sessionBus starts a private dbus-daemon for the test and points
// DBUS_SESSION_BUS_ADDRESS at it.
func sessionBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		testenv.SkipUnlessCI(t, "dbus-daemon not installed")
	}
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address="+addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(line))
	return strings.TrimSpace(line)
}

// testPlayer is a D-Bus service with the MPRIS player interface, as a
// media player exports it: org.freedesktop.DBus.Properties' GetAll and
// PropertiesChanged signals. (godbus's prop package writes a new map value
// into the old map while it may be read, so the properties are kept here.)
type testPlayer struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	props map[string]dbus.Variant
}

func newTestPlayer(t *testing.T, addr, name string) *testPlayer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &testPlayer{conn: conn, props: map[string]dbus.Variant{
		"PlaybackStatus": dbus.MakeVariant("Stopped"),
		"Metadata":       dbus.MakeVariant(map[string]dbus.Variant{}),
	}}
	if err := conn.Export(p, mprisPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(mprisPrefix+name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request name: %v %v", reply, err)
	}
	return p
}

// GetAll is org.freedesktop.DBus.Properties.GetAll.
func (p *testPlayer) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	if iface != mprisPlayer {
		return map[string]dbus.Variant{}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]dbus.Variant, len(p.props))
	for k, v := range p.props {
		out[k] = v
	}
	return out, nil
}

func (p *testPlayer) set(status, artist, title, url string) {
	changed := map[string]dbus.Variant{
		"Metadata": dbus.MakeVariant(map[string]dbus.Variant{
			"mpris:trackid": dbus.MakeVariant(dbus.ObjectPath("/org/pika/track/" + strings.ReplaceAll(strings.ToLower(title), " ", "_"))),
			"xesam:artist":  dbus.MakeVariant([]string{artist}),
			"xesam:title":   dbus.MakeVariant(title),
			"xesam:url":     dbus.MakeVariant(url),
		}),
		"PlaybackStatus": dbus.MakeVariant(status),
	}
	p.mu.Lock()
	for k, v := range changed {
		p.props[k] = v
	}
	p.mu.Unlock()
	p.conn.Emit(mprisPath, "org.freedesktop.DBus.Properties.PropertiesChanged", mprisPlayer, changed, []string{})
}

func TestMPRISWatcher(t *testing.T) {
	addr := sessionBus(t)
	p := newTestPlayer(t, addr, "vlc")
	p.set("Playing", "Old", "Before Start", "file:///m/old.mp3")
	out := startWatcher(t, func(o Options) Watcher { return NewMPRIS("", o) }, Options{})
	steps := []struct {
		status, artist, title, url string
		wantPath                   string
		want                       bool
	}{
		{"Paused", "Beyoncé", "Halo", "file:///home/dj/M%C3%BAsica/Halo.mp3", "", false}, // loaded, not on air
		{"Playing", "Beyoncé", "Halo", "file:///home/dj/M%C3%BAsica/Halo.mp3", "/home/dj/Música/Halo.mp3", true},
		{"Paused", "Beyoncé", "Halo", "file:///home/dj/M%C3%BAsica/Halo.mp3", "", false}, // pause and resume: same play
		{"Playing", "Beyoncé", "Halo", "file:///home/dj/M%C3%BAsica/Halo.mp3", "", false},
		{"Playing", "Zoë Keating", "Escape Artist", "https://stream.example/x", "", true}, // a stream: no path
	}
	for _, s := range steps {
		p.set(s.status, s.artist, s.title, s.url)
		if !s.want {
			settle()
			continue
		}
		wantEvent(t, nextEvent(t, out), s.wantPath, s.artist, s.title, time.Time{})
	}
	select {
	case e := <-out:
		t.Errorf("unexpected %+v", e)
	case <-time.After(150 * time.Millisecond):
	}
}

func TestMPRISPlayerFilter(t *testing.T) {
	addr := sessionBus(t)
	other := newTestPlayer(t, addr, "chromium.instance42")
	djay := newTestPlayer(t, addr, "strawberry")
	out := startWatcher(t, func(o Options) Watcher { return NewMPRIS("Strawberry", o) }, Options{})
	other.set("Playing", "A Video", "Not Music", "")
	settle()
	djay.set("Playing", "Romeo Santos", "Propuesta Indecente", "file:///m/p.mp3")
	wantEvent(t, nextEvent(t, out), "/m/p.mp3", "Romeo Santos", "Propuesta Indecente", time.Time{})
}
