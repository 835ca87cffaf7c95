package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// Live from the window: a manual send that jumps the tempo and clashes in
// key asks first; the live pane shows the warnings, what to play next and
// why; the set exports as a playlist of the library's files.
func TestAssistantInTheWindow(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "asa@example.com", "DJ Asa")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Asa", "")
	ctx := context.Background()
	lib := h.core.Library()
	dir := t.TempDir()
	ids := map[string]int64{}
	paths := map[string]string{}
	for _, tr := range []struct {
		name    string
		bpm     float64
		camelot string
	}{{"Band - Opener", 98, "8A"}, {"Band - Jumper", 110, "3B"}, {"Band - Follow", 108, "3B"}} {
		p := filepath.Join(dir, tr.name+".wav")
		if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := lib.ImportFile(ctx, p, library.SourceFolder)
		if err != nil {
			t.Fatal(err)
		}
		_, key, _ := library.NormalizeKey(tr.camelot)
		if err := lib.SetAnalysis(ctx, got.ID, library.Analysis{BPM: tr.bpm, Key: key, Camelot: tr.camelot, KeyConfidence: 0.9}); err != nil {
			t.Fatal(err)
		}
		ids[strings.TrimPrefix(tr.name, "Band - ")], paths[strings.TrimPrefix(tr.name, "Band - ")] = got.ID, p
	}

	h.show(paneLive)
	lv := h.g.live
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.tap(lv.goLive)
	var sessionID string
	h.waitFor("the session", liveLimit, func() bool {
		st := h.core.LiveState()
		sessionID = st.Session.ID
		return st.Connected && sessionID != ""
	}, nil)
	dancer, _ := relay.Join(t, sessionID, "dancer-asa-0001", "")

	lp := h.g.library
	h.show(paneLibrary)
	h.ui(func() { lp.refresh() })
	h.waitFor("the three tracks", liveLimit, func() bool { return len(lp.table.tracks) == 3 }, nil)
	selectTrack := func(id int64) {
		h.ui(func() {
			for i, tr := range lp.table.tracks {
				if tr.ID == id {
					lp.table.table.Select(widget.TableCellID{Row: i, Col: 1})
				}
			}
		})
	}
	send := func(name string, warned bool) {
		t.Helper()
		selectTrack(ids[name])
		h.waitFor("Send enabled", liveLimit, func() bool { return !lp.sendBtn.Disabled() }, nil)
		h.tap(lp.sendBtn)
		if warned {
			h.waitFor("the confirmation", liveLimit, func() bool { return lp.confirm != nil }, func() string { return lp.errLabel.Text })
			h.ui(func() { lp.confirm.Confirm() })
		}
		dancer.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.Play).Track.Title == name
		})
		h.waitFor(name+" playing", liveLimit, func() bool {
			np := h.core.LiveState().NowPlaying
			return np != nil && np.LibraryID == ids[name] && np.PlayID != ""
		}, nil)
	}
	send("Opener", false)
	h.ui(func() {
		if lp.confirm != nil {
			t.Error("the first track of the set asked for confirmation")
		}
	})
	send("Jumper", true)

	h.show(paneLive)
	h.waitFor("the warnings and the next track", liveLimit, func() bool {
		return lv.assist.warnings.Text == "Big tempo jump: 98 → 110 BPM (+12 %)\nKey clash: 8A → 3B" &&
			strings.HasPrefix(lv.assist.next.Text, "1. Band – Follow · 3B → 3B, 110 → 108 BPM")
	}, func() string {
		return lv.assist.warnings.Text + " | " + lv.assist.next.Text + " | " + lv.assist.errLabel.Text
	})
	h.ui(func() {
		if strings.Contains(lv.assist.next.Text, "Opener") {
			t.Errorf("a track played tonight is suggested: %q", lv.assist.next.Text)
		}
	})

	out := filepath.Join(t.TempDir(), "set.m3u")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	h.ui(func() { lv.assist.exportTo(sessionID, out, f) })
	want := fmt.Sprintf("#EXTM3U\n#EXTINF:-1,Band - Opener\n%s\n#EXTINF:-1,Band - Jumper\n%s\n", paths["Opener"], paths["Jumper"])
	h.waitFor("the exported set", liveLimit, func() bool {
		data, _ := os.ReadFile(out)
		return string(data) == want && strings.HasPrefix(lv.info.Text, "Exported 2 tracks")
	}, func() string { data, _ := os.ReadFile(out); return string(data) + " | " + lv.assist.errLabel.Text })
}
