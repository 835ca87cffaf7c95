package core

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

const waitLong = 2 * time.Minute

func copyInto(t *testing.T, dir, name string) string {
	t.Helper()
	to := filepath.Join(dir, name)
	testenv.CopyFile(t, testenv.CorpusFile(t, name), to)
	return to
}

// openCore opens a core on cfgDir talking to relay with token.
func openCore(t *testing.T, ctx context.Context, cfgDir string, relay *relaytest.Relay, token string, spotWait time.Duration) *Core {
	t.Helper()
	c, err := Open(ctx, Config{ConfigDir: cfgDir, NoKeyring: true, RelayURL: relay.URL, Token: token, SpotWait: spotWait})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// until polls cond (bounded by ctx): for states reached in the background.
func until(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// nextEvent returns the next event of type E that satisfies match.
func nextEvent[E Event](t *testing.T, ctx context.Context, ch <-chan Event, match func(E) bool) E {
	t.Helper()
	for {
		select {
		case e := <-ch:
			if e, ok := e.(E); ok && (match == nil || match(e)) {
				return e
			}
		case <-ctx.Done():
			var zero E
			t.Fatalf("waiting for a %T event: %v", zero, ctx.Err())
		}
	}
}

func TestOutboxAcrossRelayRestartAndResumeAfterAppRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "lee@example.com", "DJ Lee")
	cfgDir := t.TempDir()
	music := t.TempDir()
	for _, f := range []string{"02-bvfunk-112-Dmin.mp3", "06-dsoul-96-Fmaj.mp3", "16-rnb-98-Cmaj.mp3"} {
		copyInto(t, music, f)
	}

	core := openCore(t, ctx, cfgDir, relay, token, 0)
	if _, err := core.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	if err := core.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	tracks, err := core.Tracks(ctx, library.Filter{State: library.StateAnalysed})
	if err != nil || len(tracks) != 3 {
		t.Fatalf("analysed tracks: %d, %v", len(tracks), err)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Sunday Tea Dance", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	if sess.ID == "" || sess.Resumed || sess.DJName != "DJ Lee" {
		t.Fatalf("session %+v", sess)
	}

	// The relay goes away; two plays are made offline.
	relay.Stop()
	var sent []NowPlaying
	for _, tr := range tracks[:2] {
		if err := core.SendManual(ctx, tr.ID); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, nextEvent[Playing](t, ctx, events, nil).NowPlaying)
	}
	until(t, ctx, "two plays in the outbox", func() bool { return core.LiveState().Outbox == 2 })
	relay.Restart(t)
	until(t, ctx, "the outbox to drain", func() bool {
		st := core.LiveState()
		return st.Connected && st.Outbox == 0
	})
	if id := core.LiveState().Session.ID; id != sess.ID {
		t.Fatalf("after the relay restart: session %s, want the same %s", id, sess.ID)
	}
	dancer, state := relay.Join(t, sess.ID, "dancer-lee-1", "")
	if state.NowPlaying == nil || state.NowPlaying.Track.Title != sent[1].Track.Title {
		t.Fatalf("now playing after the outbox: %+v; want %q", state.NowPlaying, sent[1].Track.Title)
	}
	var first *protocol.HistoryEntry
	for i := range state.History {
		if state.History[i].Track.Title == sent[0].Track.Title {
			first = &state.History[i]
		}
	}
	if first == nil {
		t.Fatalf("the first offline play is missing from the history: %+v", state.History)
	}
	for _, c := range []struct {
		got, want time.Time
	}{{first.StartedAt, sent[0].StartedAt}, {state.NowPlaying.StartedAt, sent[1].StartedAt}} {
		if d := c.got.Sub(c.want); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("play started at %v on the relay, really at %v", c.got, c.want)
		}
	}
	if first.Track.BPM == nil || first.Track.Key == "" {
		t.Errorf("offline play lost its numbers: %+v", first.Track)
	}

	// The app closes without ending (a crash, a restart) and comes back.
	if err := core.Close(); err != nil {
		t.Fatal(err)
	}
	core2 := openCore(t, ctx, cfgDir, relay, token, 0)
	defer core2.Close()
	events2, stop2 := core2.Events()
	defer stop2()
	if err := core2.GoLive(ctx, "manual", "Sunday Tea Dance", ""); err != nil {
		t.Fatal(err)
	}
	again := nextEvent[SessionChanged](t, ctx, events2, nil).Session
	if again.ID != sess.ID || !again.Resumed {
		t.Fatalf("after an app restart: session %+v; want %s resumed", again, sess.ID)
	}
	if err := core2.SendManual(ctx, tracks[2].ID); err != nil {
		t.Fatal(err)
	}
	f := dancer.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
		return f.Payload.(*protocol.Play).Track.Title == tracks[2].Protocol().Title
	})
	if pl := f.Payload.(*protocol.Play); pl.Track.BPM == nil {
		t.Errorf("play after resume: %+v", pl.Track)
	}
	if err := core2.End(ctx); err != nil {
		t.Fatal(err)
	}
	dancer.Expect(t, protocol.TypeSessionEnded)
	if core2.LiveState().Live {
		t.Error("still live after End")
	}
}

func TestPlayAnalysedOnTheSpotTagsFirst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "kim@example.com", "DJ Kim")
	// SpotWait < 0: the tags go at once, whatever the machine's speed.
	core := openCore(t, ctx, t.TempDir(), relay, token, -1)
	defer core.Close()
	p := copyInto(t, t.TempDir(), "21-softrock-118-Fmin.mp3")
	tr, err := core.Library().ImportFile(ctx, p, library.SourceFolder) // in the library, not analysed
	if err != nil {
		t.Fatal(err)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Spot check", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	dancer, _ := relay.Join(t, sess.ID, "dancer-kim-1", "")
	if err := core.SendManual(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	first := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if first.Track.BPM != nil || first.Track.Title != "21-softrock-118-Fmin" {
		t.Errorf("first NOW_PLAYING: %+v; want the tags without numbers", first.Track)
	}
	second := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if second.PlayID != first.PlayID || !second.StartedAt.Equal(first.StartedAt) {
		t.Errorf("the numbers made a new play %s at %v; want an update of %s at %v", second.PlayID, second.StartedAt, first.PlayID, first.StartedAt)
	}
	if second.Track.BPM == nil || second.Track.Key == "" || second.Track.Energy == nil {
		t.Errorf("second NOW_PLAYING: %+v; want BPM, key and feel", second.Track)
	}
	stored, err := core.Library().Track(ctx, tr.ID)
	if err != nil || stored.State != library.StateAnalysed {
		t.Errorf("the spot analysis was not stored: %s, %v", stored.State, err)
	}
	until(t, ctx, "the live state to show the analysed play", func() bool {
		np := core.LiveState().NowPlaying
		return np != nil && !np.Analysing && np.PlayID == first.PlayID && np.Track.BPM != nil
	})
}

func TestLiveRefusesBadInput(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "sam@example.com", "DJ Sam")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	if err := core.SendManual(ctx, 1); err == nil {
		t.Error("SendManual while not live: no error")
	}
	if err := core.GoLive(ctx, "manual", "Polls", ""); err != nil {
		t.Fatal(err)
	}
	if err := core.GoLive(ctx, "manual", "Twice", ""); err == nil {
		t.Error("going live twice: no error")
	}
	tests := []struct {
		name string
		err  error
	}{
		{"one option", core.StartPoll(ctx, "Next?", []string{"Blues"}, 0)},
		{"duplicate options", core.StartPoll(ctx, "Next?", []string{"Blues", "blues"}, 0)},
		{"poll too short", core.StartPoll(ctx, "Next?", []string{"A", "B"}, time.Second)},
		{"empty announcement", core.Announce(ctx, "   ", 0)},
		{"long announcement", core.Announce(ctx, string(make([]byte, 281)), 0)},
		{"bad poll id", core.ClosePoll(ctx, "../x")},
		{"unknown track", core.SendManual(ctx, 424242)},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestCheckTokenAndSettings(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dir := t.TempDir()
	core, err := Open(ctx, Config{ConfigDir: dir, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	if _, err := core.CheckToken(ctx); err == nil {
		t.Error("CheckToken without a token: no error")
	}
	set := core.Settings()
	set.RelayURL = relay.URL
	set.PublicURL = "https://pika.example"
	if err := core.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := core.SetToken("pk_dj_ffffffffffffffffffffffffffffffff"); err != nil {
		t.Fatal(err)
	}
	if _, err := core.CheckToken(ctx); err == nil {
		t.Error("CheckToken with an unknown token: no error")
	}
	if err := core.SetToken(token); err != nil {
		t.Fatal(err)
	}
	dj, err := core.CheckToken(ctx)
	if err != nil || dj.DisplayName != "DJ Ana" {
		t.Errorf("CheckToken = %+v, %v", dj, err)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	if want := "https://pika.example/live/" + sess.ID; sess.JoinURL != want {
		t.Errorf("join URL %q, want %q (from the public page URL)", sess.JoinURL, want)
	}
	if sess.Name != "Tonight's set" {
		t.Errorf("session name %q, want the settings' default", sess.Name)
	}
	if err := core.StartPoll(ctx, "Next style?", []string{"Blues", "Funk"}, 0); err != nil {
		t.Fatal(err)
	}
	poll := nextEvent[PollChanged](t, ctx, events, nil).Poll
	dancer, _ := relay.Join(t, sess.ID, "dancer-ana-1", "")
	dancer.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: poll.PollID, OptionIndex: 1})
	nextEvent(t, ctx, events, func(e PollChanged) bool { return len(e.Tallies) == 2 && e.Tallies[1] == 1 })
	if err := core.ClosePoll(ctx, poll.PollID); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, ctx, events, func(e PollChanged) bool { return e.Closed })
	if st := core.LiveState(); st.Poll != nil || len(st.Polls) != 1 || st.Polls[0].Tallies[1] != 1 {
		t.Errorf("poll state after close: %+v %+v", st.Poll, st.Polls)
	}
	if err := core.Announce(ctx, "Last dance at 23:30 ✨", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if a := nextEvent[AnnouncementShown](t, ctx, events, nil).Announcement; a.Text != "Last dance at 23:30 ✨" {
		t.Errorf("announcement event %+v", a)
	}
	if err := core.ClearAnnouncement(ctx); err != nil {
		t.Fatal(err)
	}
	nextEvent[AnnouncementCleared](t, ctx, events, nil)
	if st := core.LiveState(); st.Announcement != nil || len(st.Announcements) != 1 {
		t.Errorf("announcements after clear: %+v %+v", st.Announcement, st.Announcements)
	}
	dancer.Expect(t, protocol.TypeAnnouncementCleared)
}

// A token the relay does not know is an error event the UI shows, and the
// run is over: no retry is promised.
func TestUnknownTokenIsAnErrorEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	core := openCore(t, ctx, t.TempDir(), relay, "pk_dj_deadbeefdeadbeefdeadbeefdeadbeef", time.Second)
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Friday", ""); err != nil {
		t.Fatal(err)
	}
	e := nextEvent[Error](t, ctx, events, nil)
	var refused *SessionRefusedError
	if !errors.As(e.Err, &refused) || !refused.TokenRefused() {
		t.Fatalf("error event %v (%T); want a refused token", e.Err, e.Err)
	}
	until(t, ctx, "the run to stop", func() bool { return !core.LiveState().Live })
}

// A token revoked on the web while live ends the run with the words the
// window shows: paste a new token.
func TestRevokedTokenEndsTheRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	web := relay.RegisterDJ(t, "revoked@example.com", "DJ R")
	var ct protocol.CreatedToken
	if code := relay.DoJSON(t, http.MethodPost, "/api/auth/tokens", web, protocol.CreateTokenRequest{Name: "app"}, &ct); code != http.StatusCreated {
		t.Fatalf("create token: %d", code)
	}
	core := openCore(t, ctx, t.TempDir(), relay, ct.Token, time.Second)
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Friday", ""); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the session to be registered", func() bool { return core.LiveState().Session.ID != "" })
	if code := relay.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+ct.ID, web, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	e := nextEvent[Error](t, ctx, events, nil)
	var refused *SessionRefusedError
	if !errors.As(e.Err, &refused) || !refused.TokenRevoked() || e.Err.Error() != "the relay revoked this token: paste a new one in Settings" {
		t.Fatalf("error event %v (%T); want the revoked token", e.Err, e.Err)
	}
	until(t, ctx, "the run to stop", func() bool { return !core.LiveState().Live })
}

// deadURL is a loopback address where nothing listens: a port that was
// just free.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// A wrong relay URL (issue 12): going live says which relay cannot be
// reached and why; End ends the session here at once, even with a context
// that never ends (the window's); with the URL fixed in the settings the
// next go-live reaches the relay.
func TestEndWithTheRelayUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	core, err := Open(ctx, Config{ConfigDir: t.TempDir(), NoKeyring: true, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	dead := deadURL(t)
	set := core.Settings()
	set.RelayURL = dead
	if err := core.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Friday", ""); err != nil {
		t.Fatal(err)
	}
	drop := nextEvent(t, ctx, events, func(e Disconnected) bool { return e.Err != nil })
	host := strings.TrimPrefix(dead, "http://")
	if !strings.Contains(drop.Err.Error(), host) || !strings.Contains(drop.Err.Error(), "refused") || drop.RetryIn <= 0 {
		t.Errorf("drop %+v; want the refused connection to %s and a retry", drop, host)
	}
	st := core.LiveState()
	if !st.Live || st.Connected || st.RelayURL != dead || st.LinkErr == nil {
		t.Errorf("live state %+v; want live, offline, relay %s and the error", st, dead)
	}
	if err := core.RetryLink(); err != nil {
		t.Errorf("RetryLink: %v", err)
	}
	nextEvent(t, ctx, events, func(e Disconnected) bool { return e.Err != nil })

	ended := make(chan error, 1)
	go func() { ended <- core.End(context.Background()) }()
	select {
	case err := <-ended:
		if !errors.Is(err, ErrEndedHere) {
			t.Errorf("End: %v, want ErrEndedHere", err)
		}
	case <-ctx.Done():
		t.Fatal("End hung with the relay unreachable")
	}
	if st := core.LiveState(); st.Live {
		t.Errorf("still live after End: %+v", st)
	}
	nextEvent(t, ctx, events, func(e SessionChanged) bool { return e.Ended && e.EndedHere })
	if err := core.RetryLink(); err == nil {
		t.Error("RetryLink after End: no error")
	}

	set.RelayURL = relay.URL
	if err := core.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := core.GoLive(ctx, "manual", "Friday", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent(t, ctx, events, func(e SessionChanged) bool { return e.ID != "" }).Session
	if sess.Resumed || sess.DJName != "DJ Ana" {
		t.Errorf("session after fixing the URL: %+v", sess)
	}
	if err := core.End(ctx); err != nil {
		t.Errorf("End with the relay up: %v", err)
	}
	if sess := nextEvent(t, ctx, events, func(e SessionChanged) bool { return e.Ended }); sess.RecapURL == "" || sess.EndedHere {
		t.Errorf("ended session %+v; want the recap link, ended with the relay", sess)
	}
}
