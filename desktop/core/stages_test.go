package core

import (
	"context"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
)

// TestStageSetWarnsOfRepeats: two DJs of an event play on its two stages;
// the second one's app knows what the first played (for the library) and
// warns when it is played again (a TrackWarnings); Go Live names the
// stage by its link.
func TestStageSetWarnsOfRepeats(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola")
	ev, _ := r.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main", "Blues room=swing-blues")
	ana := r.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	ben := r.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")

	music := t.TempDir()
	for _, f := range []string{"06-dsoul-96-Fmaj.mp3", "16-rnb-98-Cmaj.mp3"} {
		copyInto(t, music, f)
	}
	// open starts a DJ's app with the music imported (not analysed: the
	// tags go at once, -1 spot wait).
	open := func(token string) (*Core, []library.Track, <-chan Event) {
		c := openCore(t, ctx, t.TempDir(), r, token, -1)
		t.Cleanup(func() { c.Close() })
		if _, err := c.ImportFolder(ctx, music); err != nil {
			t.Fatal(err)
		}
		tracks, err := c.Tracks(ctx, library.Filter{})
		if err != nil || len(tracks) != 2 {
			t.Fatalf("library: %d tracks, %v", len(tracks), err)
		}
		events, stop := c.Events()
		t.Cleanup(stop)
		return c, tracks, events
	}

	a, aTracks, aEvents := open(ana)
	choices, err := a.Stages(ctx)
	if err != nil || len(choices) != 2 {
		t.Fatalf("stages: %+v, %v", choices, err)
	}
	if got := choices[0].Label(); got != "Main ballroom · Swing Weekend" {
		t.Errorf("first stage labelled %q", got)
	}
	if err := a.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Name: "Ana's Friday", Stage: "swing-main"}); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, aEvents, nil).Session
	if !strings.HasSuffix(sess.JoinURL+sess.LocalJoinURL, "/s/swing-main") {
		t.Errorf("join links %q / %q: dancers should get the stage's link", sess.JoinURL, sess.LocalJoinURL)
	}
	if st := a.LiveState().Stage; st == nil || st.Stage.Slug != "swing-main" || st.Event.ID != ev.ID {
		t.Fatalf("live state's stage %+v", st)
	}
	played := aTracks[0]
	if err := a.SendManual(ctx, played.ID); err != nil {
		t.Fatal(err)
	}
	sent := nextEvent[Playing](t, ctx, aEvents, nil).Track

	b, bTracks, bEvents := open(ben)
	if err := b.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Stage: "swing-nope"}); err == nil || !strings.Contains(err.Error(), "swing-main, swing-blues") {
		t.Errorf("an unknown stage: %v; want the stages one can pick", err)
	}
	// A pasted stage link names the stage too.
	if err := b.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Name: "Ben's Friday", Stage: r.URL + "/s/swing-blues"}); err != nil {
		t.Fatal(err)
	}
	nextEvent[SessionChanged](t, ctx, bEvents, nil)
	var warning string
	until(t, ctx, "Ben's app to know Ana's play", func() bool {
		_, warning = b.PlayedAtEvent(sent.Artist, sent.Title)
		return warning != ""
	})
	if !strings.Contains(warning, "by DJ Ana on Main ballroom at ") {
		t.Errorf("library warning %q", warning)
	}
	if plays, _ := b.PlayedAtEvent("Nobody", "Never played"); plays != nil {
		t.Errorf("a track nobody played: %+v", plays)
	}

	// Ben plays another track (no warning), then Ana's (a warning).
	for _, tr := range bTracks {
		if tr.ID == played.ID || tr.Path == played.Path {
			continue
		}
		if err := b.SendManual(ctx, tr.ID); err != nil {
			t.Fatal(err)
		}
		nextEvent[Playing](t, ctx, bEvents, func(p Playing) bool {
			if p.Track.Title != sent.Title {
				return true
			}
			t.Fatalf("the other track was announced as %q", p.Track.Title)
			return false
		})
	}
	var again library.Track
	for _, tr := range bTracks {
		if strings.HasSuffix(tr.Path, strings.TrimPrefix(played.Path, music)) {
			again = tr
		}
	}
	if err := b.SendManual(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	w := nextEvent[TrackWarnings](t, ctx, bEvents, func(w TrackWarnings) bool { return w.Track.Title == sent.Title })
	if all := strings.Join(w.Warnings, "\n"); !strings.Contains(all, "Already played at this event: by DJ Ana on Main ballroom") {
		t.Errorf("warnings of the repeat: %q", w.Warnings)
	}
	// The repeat is announced all the same: it is what plays.
	nextEvent[Playing](t, ctx, bEvents, func(p Playing) bool { return p.Track.Title == sent.Title })

	if err := a.HandOver(ctx, ""); err != nil {
		t.Errorf("hand over: %v", err)
	}
}

// TestHandOverNeedsAStage: a session of one's own has no stage to give.
func TestHandOverNeedsAStage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	r := relaytest.Start(t)
	c := openCore(t, ctx, t.TempDir(), r, r.RegisterDJ(t, "solo@example.com", "DJ Solo"), -1)
	defer c.Close()
	if err := c.HandOver(ctx, ""); err == nil {
		t.Error("hand over while not live worked")
	}
	if err := c.GoLive(ctx, "manual", "Solo", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.HandOver(ctx, ""); err == nil || !strings.Contains(err.Error(), "not on a stage") {
		t.Errorf("hand over of a session of one's own: %v", err)
	}
	if plays, text := c.PlayedAtEvent("A", "B"); plays != nil || text != "" {
		t.Errorf("not on a stage, yet %v %q", plays, text)
	}
}

// TestResumeAStageSet: a set on a stage that the app left live (it quit)
// resumes on the same stage, so hand-over and repeat warnings still work.
func TestResumeAStageSet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola")
	ev, _ := r.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main")
	ana := r.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	dir := t.TempDir()
	first := openCore(t, ctx, dir, r, ana, -1)
	if err := first.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Name: "Ana's Friday", Stage: "swing-main"}); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the session", func() bool { return first.LiveState().Session.ID != "" })
	id := first.LiveState().Session.ID
	if err := first.Close(); err != nil { // quit while live
		t.Fatal(err)
	}
	second := openCore(t, ctx, dir, r, ana, -1)
	defer second.Close()
	if err := second.ResumeLeft(ctx); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the resumed session", func() bool { return second.LiveState().Session.ID != "" })
	st := second.LiveState()
	if st.Session.ID != id || !st.Session.Resumed || st.Stage == nil || st.Stage.Stage.Slug != "swing-main" {
		t.Fatalf("resumed %+v on stage %+v; want session %s on swing-main", st.Session, st.Stage, id)
	}
	if err := second.HandOver(ctx, ""); err != nil {
		t.Errorf("hand over after the resume: %v", err)
	}
}
