package nowplaying

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// MPRIS follows media players on Linux through D-Bus (the MPRIS 2
// interface every Linux player offers: VLC, Rhythmbox, Strawberry,
// Spotify, browsers; and djay-like programs run under it). A track counts
// as played once a player reports it with PlaybackStatus "Playing": a
// paused or stopped player's track is not on air. The same track reported
// again (a player restarted, or a second player showing it) is not a new
// play. Changes arrive as PropertiesChanged signals; the players are also
// asked every PollInterval, because not every player signals.
type MPRIS struct {
	filter string // part of the player's bus name, lower case; empty: any
	opt    Options
}

// NewMPRIS returns a watcher for the players whose bus name contains
// player (empty: the first one playing).
func NewMPRIS(player string, opt Options) *MPRIS {
	return &MPRIS{filter: strings.ToLower(strings.TrimSpace(player)), opt: opt.withDefaults()}
}

const (
	mprisPrefix = "org.mpris.MediaPlayer2."
	mprisPath   = "/org/mpris/MediaPlayer2"
	mprisPlayer = "org.mpris.MediaPlayer2.Player"
)

// Run implements Watcher. Without a session bus it waits and retries: the
// bus of a desktop session is there, one started later is picked up.
func (m *MPRIS) Run(ctx context.Context, out chan<- Event) error {
	var conn *dbus.Conn
	var sig chan *dbus.Signal
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	last := ""
	started := false
	ticker := time.NewTicker(m.opt.PollInterval)
	defer ticker.Stop()
	var lastErr string
	check := func() {
		if conn == nil {
			c, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
			if err != nil {
				m.opt.report(Status{State: StateUnreadable, Problem: "no D-Bus session bus (media players are found through it)"})
				if msg := err.Error(); msg != lastErr {
					m.opt.Logger.Warn("nowplaying: no D-Bus session bus yet (media players are found through it)", "err", err)
					lastErr = msg
				}
				return
			}
			if err := c.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchObjectPath(mprisPath)); err != nil {
				m.opt.Logger.Debug("nowplaying: MPRIS signals unavailable, polling", "err", err)
			}
			sig = make(chan *dbus.Signal, 16)
			c.Signal(sig)
			conn = c
		}
		e, ok, err := m.playing(ctx, conn)
		if err != nil {
			m.opt.report(Status{State: StateUnreadable, Problem: "cannot ask the media players: " + err.Error()})
			if msg := err.Error(); msg != lastErr {
				m.opt.Logger.Warn("nowplaying: cannot ask the media players", "err", err)
				lastErr = msg
			}
			if !conn.Connected() {
				conn.Close()
				conn, sig = nil, nil
			}
			return
		}
		lastErr = ""
		m.opt.report(Status{State: StateWaiting})
		if !ok {
			return
		}
		k := strings.ToLower(e.Path + "\x00" + e.Artist + "\x00" + e.Title)
		if k == last {
			return
		}
		last = k
		if !started && m.opt.Since.IsZero() && m.opt.Recent == 0 {
			return // playing before start, and only new plays wanted
		}
		send(ctx, out, e)
	}
	check()
	started = true
	if m.opt.ready != nil {
		m.opt.ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sig:
			check()
		case <-ticker.C:
			check()
		}
	}
}

// playing returns the track of the first matching player that plays.
func (m *MPRIS) playing(ctx context.Context, conn *dbus.Conn) (Event, bool, error) {
	var names []string
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
		return Event{}, false, fmt.Errorf("list D-Bus names: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		if !strings.HasPrefix(n, mprisPrefix) || (m.filter != "" && !strings.Contains(strings.ToLower(n), m.filter)) {
			continue
		}
		obj := conn.Object(n, mprisPath)
		var props map[string]dbus.Variant
		if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.GetAll", 0, mprisPlayer).Store(&props); err != nil {
			continue // a player going away
		}
		if st, _ := props["PlaybackStatus"].Value().(string); st != "Playing" {
			continue
		}
		md, _ := props["Metadata"].Value().(map[string]dbus.Variant)
		e := Event{Source: SourceMPRIS, StartedAt: m.opt.Now()}
		if t, ok := md["xesam:title"].Value().(string); ok {
			e.Title = clip(strings.TrimSpace(t))
		}
		switch a := md["xesam:artist"].Value().(type) {
		case []string:
			e.Artist = clip(strings.TrimSpace(strings.Join(a, ", ")))
		case string:
			e.Artist = clip(strings.TrimSpace(a))
		}
		if u, ok := md["xesam:url"].Value().(string); ok {
			if pu, err := url.Parse(u); err == nil && pu.Scheme == "file" {
				e.Path = pu.Path
			}
		}
		if e.Title == "" && e.Artist == "" && e.Path == "" {
			continue
		}
		return e, true, nil
	}
	return Event{}, false, nil
}
