package gui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestGoLiveOnAStageWarnsOfRepeats: a DJ invited to an event picks its
// stage in Go Live; the library marks the track another DJ played at the
// event, sending it asks first, the Live pane warns of the repeat, and the
// stage can be handed over.
func TestGoLiveOnAStageWarnsOfRepeats(t *testing.T) {
	relay := relaytest.Start(t)
	org := relay.RegisterDJ(t, "org@example.com", "Ola")
	ev, stages := relay.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main", "Blues room=swing-blues")
	blues := stages[1]
	ana := relay.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	ben := relay.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")

	h := newHarness(t, pikaConfig())
	signIn(h, relay, ana, "DJ Ana", "")
	dir := copyCorpus(t, "02-bvfunk-112-Dmin.mp3")
	lp := h.g.library
	h.show(paneLibrary)
	h.typeIn(lp.path, dir)
	h.tap(lp.addBtn)
	h.waitFor("the track in the library", analysisLimit, func() bool { return len(lp.table.tracks) == 1 }, nil)
	var track protocol.Track
	h.ui(func() { track = lp.table.tracks[0].Protocol() })

	// Ben already played it in the blues room.
	benConn := relay.Dial(t, nil)
	benConn.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ben, Name: "Ben's blues", StageID: blues.ID})
	benConn.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: track.Artist, Title: track.Title}})

	h.show(paneLive)
	lv := h.g.live
	h.tap(lv.stage.reload)
	h.waitFor("the event's stages in Go Live", liveLimit, func() bool { return len(lv.stage.sel.Options) == 3 },
		func() string { return fmt.Sprint(lv.stage.sel.Options, " ", lv.stage.note.Text) })
	h.ui(func() {
		if lv.stage.sel.Selected != ownSession() {
			t.Errorf("Go Live starts on %q, want a session of one's own", lv.stage.sel.Selected)
		}
		lv.stage.sel.SetSelected("Main ballroom · Swing Weekend")
		lv.source.SetSelectedIndex(len(liveSources) - 1)
		lv.name.SetText("Ana on the main stage")
	})
	h.tap(lv.goLive)
	h.waitFor("live on the stage", liveLimit, func() bool {
		st := h.core.LiveState()
		return st.Connected && st.Session.ID != "" && strings.Contains(lv.stage.note.Text, "On the stage Main ballroom · Swing Weekend")
	}, func() string { return lv.errLabel.Text + " | " + lv.stage.note.Text })
	h.waitFor("the room's QR code", liveLimit, func() bool { return strings.HasSuffix(lv.qr.link.Text, "/s/swing-main") },
		func() string { return lv.qr.link.Text })

	// The library knows Ben's play: a column and a line for the track.
	h.show(paneLibrary)
	col := len(lp.table.columns) - 1
	h.waitFor("the At event column", liveLimit, func() bool {
		return strings.HasSuffix(lp.table.columns[col].text(lp.table.tracks[0]), "· DJ Ben")
	}, nil)
	h.ui(func() { lp.table.table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	h.ui(func() {
		if !strings.Contains(lp.played.Text, "Already played at this event: by DJ Ben on Blues room") {
			t.Errorf("selected track's line %q", lp.played.Text)
		}
	})
	h.relayout()
	writePNG(filepath.Join(screenshotDir(t), "library-played-at-event.png"), h.win.Canvas().Capture())

	// Sending it asks first; "Don't send" sends nothing.
	answer := func(button string) {
		h.tap(lp.sendBtn)
		h.waitFor("the question before a repeat", liveLimit, func() bool { return lp.confirm != nil }, func() string { return lp.errLabel.Text })
		var b *widget.Button
		h.ui(func() {
			top := h.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatalf("sending a repeat did not ask (send disabled: %v)", lp.sendBtn.Disabled())
			}
			b = findButton(top, button)
		})
		if b == nil {
			t.Fatalf("the repeat dialog has no %q button", button)
		}
		h.tap(b)
	}
	answer("Don't send")
	h.ui(func() {
		if h.core.LiveState().NowPlaying != nil {
			t.Error("Don't send sent the track")
		}
	})
	answer("Send anyway")
	h.show(paneLive)
	h.waitFor("the repeat warning on the Live pane", liveLimit, func() bool {
		return lv.title.Text == track.Title && strings.Contains(lv.assist.warnings.Text, "Already played at this event: by DJ Ben on Blues room")
	}, func() string { return lv.title.Text + " | " + lv.assist.warnings.Text })
	h.relayout()
	writePNG(filepath.Join(screenshotDir(t), "live-on-stage-repeat.png"), h.win.Canvas().Capture())

	// Handing over asks, then says the next DJ can go live.
	h.tap(lv.stage.handOver)
	var b *widget.Button
	h.ui(func() { b = findButton(h.win.Canvas().Overlays().Top(), "Hand over") })
	if b == nil {
		t.Fatal("no hand-over confirmation")
	}
	h.tap(b)
	h.waitFor("the hand-over done", liveLimit, func() bool { return strings.HasPrefix(lv.stage.note.Text, "Handed over") },
		func() string { return lv.stage.note.Text })
}
