package gui

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// liveLimit bounds waits for the relay round trip and an analysis; a hang
// guard only.
const liveLimit = 2 * time.Minute

// signIn types the relay URL and the token into Settings and checks it,
// as a DJ does on first start.
func signIn(h *harness, relay *relaytest.Relay, token, djName, publicURL string) {
	h.t.Helper()
	h.show(paneSettings)
	sp := h.g.settings
	h.ui(func() { sp.relay.SetText(relay.URL) })
	h.ui(func() { sp.public.SetText(publicURL) })
	h.typeIn(sp.token, token)
	h.tap(sp.checkBtn)
	// The name and the saved-token note are set by the same check, but
	// not in one step: wait for both rather than read the note at once.
	h.waitFor("the DJ name and the saved-token note after the token check", liveLimit, func() bool {
		return sp.who.Text == "Signed in as "+djName && strings.Contains(sp.tokenNote.Text, "A token is saved")
	}, func() string {
		return sp.who.Text + " | " + sp.tokenNote.Text + " | " + sp.tokenErr.Text + " | " + sp.errLabel.Text
	})
	h.ui(func() {
		if sp.token.Text != "" {
			h.t.Error("the token stays in the box after saving")
		}
	})
}

func TestLiveSessionFromTheWindow(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	h := newHarness(t, pikaConfig())
	// Dancers reach the pages at a public address; the relay itself runs
	// here on 127.0.0.1.
	const public = "https://pika.example"
	signIn(h, relay, token, "DJ Ana", public)

	// A track to play, analysed.
	dir := copyCorpus(t, "02-bvfunk-112-Dmin.mp3")
	lp := h.g.library
	h.show(paneLibrary)
	h.typeIn(lp.path, dir)
	h.tap(lp.addBtn)
	h.waitFor("the analysed track", analysisLimit, func() bool {
		return len(lp.table.tracks) == 1 && lp.table.tracks[0].State == library.StateAnalysed
	}, func() string { return lp.summary.Text + " " + lp.errLabel.Text })

	// Go live with the manual source.
	h.show(paneLive)
	lv := h.g.live
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.ui(func() { lv.name.SetText("") })
	h.typeIn(lv.name, "Friday Funk")
	h.tap(lv.goLive)
	var sessionID string
	h.waitFor("the join QR code", liveLimit, func() bool {
		st := h.core.LiveState()
		sessionID = st.Session.ID
		return st.Connected && sessionID != "" && lv.qr.url != "" && lv.qr.img.Image != nil
	}, func() string {
		return fmt.Sprintf("%s | %s | %+v", lv.errLabel.Text, h.g.shell.bannerMsg.Text, h.core.LiveState())
	})
	h.ui(func() {
		wantJoin := public + "/live/" + sessionID
		if lv.qr.link.Text != wantJoin {
			t.Errorf("join link %q, want %q", lv.qr.link.Text, wantJoin)
		}
		if lv.goLive.Disabled() == false || lv.end.Disabled() {
			t.Error("Go Live still enabled or End disabled while live")
		}
		if !strings.HasPrefix(h.g.shell.status.live.Text, "LIVE · Friday Funk") {
			t.Errorf("status line %q", h.g.shell.status.live.Text)
		}
	})

	// A dancer joins; the DJ sends the track from the library.
	dancer, _ := relay.Join(t, sessionID, "dancer-ana-0001", "")
	h.waitFor("one dancer", liveLimit, func() bool { return lv.listeners.Text == "1 dancer connected" },
		func() string { return lv.listeners.Text })
	h.show(paneLibrary)
	h.ui(func() { lp.table.table.Select(widget.TableCellID{Row: 0, Col: 1}) })
	h.ui(func() {
		if lp.sendBtn.Disabled() {
			t.Fatal("Send is disabled with a track selected while live")
		}
	})
	h.tap(lp.sendBtn)
	play := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if play.Track.BPM == nil || play.Track.Key == "" {
		t.Fatalf("the dancer got the track without its numbers: %+v", play.Track)
	}
	h.show(paneLive)
	h.waitFor("now playing with BPM and key", liveLimit, func() bool {
		return lv.title.Text == play.Track.Title && strings.HasSuffix(lv.bpm.Text, " BPM") &&
			lv.bpm.Text != "– BPM" && strings.Contains(lv.key.Text, play.Track.Camelot)
	}, func() string { return lv.title.Text + " " + lv.bpm.Text + " " + lv.key.Text })

	// The dancer likes it and asks for more tempo.
	dancer.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: play.PlayID})
	dancer.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: play.PlayID, Vote: protocol.VoteFaster})
	h.waitFor("the like and the tempo vote", liveLimit, func() bool {
		return lv.likes.Text == "♥ 1 like" && lv.tempo.Text == "↑ 1 faster · 0 perfect · ↓ 0 slower"
	}, func() string { return lv.likes.Text + " | " + lv.tempo.Text })

	t.Run("poll", func(t *testing.T) {
		h.show(panePolls)
		pp := h.g.polls
		h.ui(func() { pp.editor.template.SetSelected("Tempo?") })
		h.tap(pp.editor.startBtn)
		started := dancer.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
		if started.Question != "How is the tempo?" || len(started.Options) != 3 {
			t.Fatalf("dancer saw poll %+v", started)
		}
		h.waitFor("the open poll", liveLimit, func() bool { return pp.open != nil && pp.question.Text == "How is the tempo?" },
			func() string { return pp.question.Text + " " + pp.editor.errLabel.Text })
		dancer.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: started.PollID, OptionIndex: 0})
		h.waitFor("the vote in the results", liveLimit, func() bool {
			return pp.open != nil && len(pp.open.Tallies) == 3 && pp.open.Tallies[0] == 1
		}, nil)
		h.ui(func() {
			if pp.editor.startBtn.Disabled() == false {
				t.Error("a second poll can be started while one is open")
			}
		})
		h.tap(pp.closeBtn)
		dancer.Expect(t, protocol.TypePollClosed)
		h.waitFor("the poll among earlier polls", liveLimit, func() bool {
			return pp.open == nil && len(pp.pastData) == 1 && pollSummary(pp.pastData[0]) == "Faster 1 · Just right 0 · Slower 0 · 1 vote"
		}, func() string { return pp.question.Text })
	})

	t.Run("announcement", func(t *testing.T) {
		h.show(paneAnnouncements)
		ap := h.g.announce
		h.typeIn(ap.editor.text, "Last dance at 2 am")
		h.tap(ap.editor.pushBtn)
		got := dancer.Expect(t, protocol.TypeAnnouncement).Payload.(*protocol.Announcement)
		if got.Text != "Last dance at 2 am" {
			t.Fatalf("dancer saw %q", got.Text)
		}
		h.waitFor("the announcement showing and in the history", liveLimit, func() bool {
			return ap.current.Text == "Last dance at 2 am" && len(ap.history) == 1 && !ap.clearBtn.Disabled()
		}, func() string { return ap.current.Text + " " + ap.editor.errLabel.Text })
		h.tap(ap.clearBtn)
		dancer.Expect(t, protocol.TypeAnnouncementCleared)
		h.waitFor("the banner cleared", liveLimit, func() bool {
			return ap.current.Text == "No announcement is showing." && len(ap.history) == 1
		}, func() string { return ap.current.Text })
	})

	// Closing the window while live asks first.
	h.ui(func() { h.g.closeRequested() })
	h.ui(func() {
		top := h.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("closing while live did not ask")
		}
		h.win.Canvas().Overlays().Remove(top)
	})

	// End asks first; "Keep going" keeps the session.
	h.show(paneLive)
	answerEnd(h, "Keep going")
	h.ui(func() {
		if !h.core.LiveState().Live || lv.goLive.Disabled() == false {
			t.Error("Keep going ended the session")
		}
	})
	// End: the dancer gets the recap link, the window leaves live mode
	// and shows the recap link where the join link was.
	answerEnd(h, "End session")
	dancer.Expect(t, protocol.TypeSessionEnded)
	wantRecap := public + "/recap/" + sessionID
	h.waitFor("the window out of live mode, with the recap link", liveLimit, func() bool {
		return !lv.goLive.Disabled() && lv.qr.url == "" && h.g.shell.status.live.Text == "Not live" &&
			lv.qr.link.Text == wantRecap && lv.qr.link.URL != nil && !lv.qr.copyBtn.Disabled()
	}, func() string { return h.g.shell.status.live.Text + " " + lv.errLabel.Text + " | " + lv.qr.link.Text })
	h.tap(lv.qr.copyBtn)
	if got := h.app.Clipboard().Content(); got != wantRecap {
		t.Errorf("copied %q, want the recap link %q", got, wantRecap)
	}

	// After the set: its private numbers, from the relay.
	h.tap(lv.analyticsBtn)
	h.waitFor("the set's numbers", liveLimit, func() bool { return lv.analytics != nil }, func() string { return lv.errLabel.Text })
	h.ui(func() {
		var texts []string
		for _, l := range findLabels(h.win.Canvas().Overlays().Top()) {
			texts = append(texts, l.Text)
		}
		all := strings.Join(texts, "\n")
		for _, want := range []string{"Tempo votes: 100 % faster · 0 % perfect · 0 % slower (1 vote).", trackName(play.Track) + " · ♥ 1 · ↑ 100 % ✓ 0 % ↓ 0 %"} {
			if !strings.Contains(all, want) {
				t.Errorf("the numbers dialog lacks %q:\n%s", want, all)
			}
		}
	})
}

// answerEnd taps End session and answers its confirmation with the
// button named answer.
func answerEnd(h *harness, answer string) {
	h.t.Helper()
	lv := h.g.live
	h.tap(lv.end)
	var b *widget.Button
	h.ui(func() {
		top := h.win.Canvas().Overlays().Top()
		if top == nil || lv.ending == nil {
			h.t.Fatal("End session did not ask first")
		}
		b = findButton(top, answer)
	})
	if b == nil {
		h.t.Fatalf("the End dialog has no %q button", answer)
	}
	h.tap(b)
}

func TestSettingsTokenErrors(t *testing.T) {
	relay := relaytest.Start(t)
	relay.RegisterDJ(t, "bo@example.com", "DJ Bo")
	tests := []struct {
		name, relayURL, token, want string
	}{
		{"not a token", relay.URL, "hello", "must start with " + protocol.TokenPrefix},
		{"unknown token", relay.URL, protocol.TokenPrefix + strings.Repeat("0", 32), "This token was not saved: the relay does not know this token"},
		{"relay not there", "http://127.0.0.1:1", protocol.TokenPrefix + strings.Repeat("1", 32), "This token was not saved: could not reach the relay at http://127.0.0.1:1"},
		{"relay URL not http", "ftp://relay.example", protocol.TokenPrefix + strings.Repeat("2", 32), "Fix the settings above first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, pikaConfig())
			h.show(paneSettings)
			sp := h.g.settings
			h.ui(func() { sp.relay.SetText(tc.relayURL) })
			h.typeIn(sp.token, tc.token)
			h.tap(sp.checkBtn)
			h.waitFor("the token error", liveLimit, func() bool {
				return strings.Contains(sp.tokenErr.Text, tc.want)
			}, func() string { return sp.tokenErr.Text + " | " + sp.who.Text })
			h.ui(func() {
				if sp.who.Text != "" {
					t.Errorf("signed in despite the error: %q", sp.who.Text)
				}
			})
		})
	}
}

func TestGoLiveWithoutTokenSaysWhatIsMissing(t *testing.T) {
	h := newHarness(t, pikaConfig())
	lv := h.g.live
	tests := []struct {
		name  string
		setup func()
		want  string
	}{
		{"bad PIN", func() { lv.name.SetText("Set"); lv.pin.SetText("12") }, "PIN must be 4 to 8 digits"},
		{"no name", func() { lv.name.SetText(" "); lv.pin.SetText("") }, "Give the session a name"},
		{"m3u without path", func() { lv.name.SetText("Set"); lv.source.SetSelectedIndex(3); lv.location.SetText("") }, "needs the path"},
		{"no relay", func() { lv.source.SetSelectedIndex(len(liveSources) - 1) }, "No relay yet: type its address in Settings"},
	}
	for _, tc := range tests {
		h.ui(func() { lv.errLabel.SetText(""); tc.setup() })
		h.tap(lv.goLive)
		h.waitFor(tc.name+" error", liveLimit, func() bool { return strings.Contains(lv.errLabel.Text, tc.want) },
			func() string { return lv.errLabel.Text })
	}
}

// Without a public page URL (the demo) the join code is the local
// address, marked as local, with the link clickable and copyable.
func TestGoLiveWithLocalRelayShowsALocalCode(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "cy@example.com", "DJ Cy")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Cy", "")
	h.show(paneLive)
	lv := h.g.live
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.tap(lv.goLive)
	var want string
	h.waitFor("the local join code", liveLimit, func() bool {
		st := h.core.LiveState()
		want = relay.URL + "/live/" + st.Session.ID
		return st.Session.ID != "" && lv.qr.url == want && lv.qr.img.Image != nil
	}, func() string { return lv.joinNote.Text + " | " + lv.qr.note.Text + " | " + lv.errLabel.Text })
	h.ui(func() {
		if !strings.Contains(lv.qr.note.Text, "Local address: works only on this computer") || !lv.qr.note.Visible() {
			t.Errorf("the local code is marked %q", lv.qr.note.Text)
		}
		if !strings.Contains(lv.joinNote.Text, "set the public page URL in Settings") {
			t.Errorf("no advice about the public page URL: %q", lv.joinNote.Text)
		}
		if lv.qr.link.Text != want || lv.qr.link.URL == nil || lv.qr.link.URL.String() != want || lv.qr.copyBtn.Disabled() {
			t.Errorf("link %q (%v), copy disabled %v", lv.qr.link.Text, lv.qr.link.URL, lv.qr.copyBtn.Disabled())
		}
	})
	answerEnd(h, "End session")
	h.waitFor("the end", liveLimit, func() bool { return !lv.goLive.Disabled() }, nil)
}

func TestSettingsSave(t *testing.T) {
	tests := []struct {
		name, relay, public, min, max, jump string
		want                                string // substring of the error; "" saves
	}{
		{"saves", "https://relay.example", "https://pika.example", "80", "160", "6 %", ""},
		{"range upside down", "https://relay.example", "", "120", "90", "8", "BPM range"},
		{"not a number", "https://relay.example", "", "slow", "140", "8", "is not a number"},
		{"relay not http", "relay.example", "", "70", "140", "8", "must be an http"},
		{"jump not a percentage", "https://relay.example", "", "70", "140", "a lot", "not a percentage"},
		{"jump too big", "https://relay.example", "", "70", "140", "75", "between 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, pikaConfig())
			h.show(paneSettings)
			sp := h.g.settings
			h.ui(func() {
				sp.relay.SetText(tc.relay)
				sp.public.SetText(tc.public)
				sp.minBPM.SetText(tc.min)
				sp.maxBPM.SetText(tc.max)
				sp.jump.SetText(tc.jump)
			})
			h.tap(sp.saveBtn)
			if tc.want != "" {
				h.waitFor("the error", liveLimit, func() bool { return strings.Contains(sp.errLabel.Text, tc.want) },
					func() string { return sp.errLabel.Text })
				if s := h.core.Settings(); s.RelayURL != "" {
					t.Errorf("refused settings were saved: %+v", s)
				}
				return
			}
			h.waitFor("saved", liveLimit, func() bool { return sp.saved.Text == "Saved." }, func() string { return sp.errLabel.Text })
			s := h.core.Settings()
			if s.RelayURL != tc.relay || s.PublicURL != tc.public || s.MinBPM != 80 || s.MaxBPM != 160 || s.JumpPct() != 6 {
				t.Errorf("saved %+v", s)
			}
			h.ui(func() {
				if !strings.Contains(sp.register.Text, "https://pika.example/dj/register") || !sp.register.Visible() {
					t.Errorf("register link %q", sp.register.Text)
				}
			})
		})
	}
}

// Issue 12: with a wrong relay URL, going live says which relay cannot be
// reached and why and offers to try again or cancel; cancelling ends at
// once, and with the URL fixed in Settings the next go-live works.
func TestGoLiveWithTheRelayUnreachable(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "dee@example.com", "DJ Dee")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Dee", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() // nothing listens there once closed
	ln.Close()
	sp := h.g.settings
	setRelay := func(url string) {
		t.Helper()
		h.show(paneSettings)
		h.ui(func() { sp.relay.SetText(url) })
		h.tap(sp.saveBtn)
		h.waitFor("the relay URL saved", liveLimit, func() bool { return h.core.Settings().RelayURL == url },
			func() string { return sp.errLabel.Text })
	}
	setRelay(dead)

	h.show(paneLive)
	lv := h.g.live
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.tap(lv.goLive)
	h.waitFor("the note that the relay cannot be reached", liveLimit, func() bool {
		return lv.offlineBox.Visible() && strings.Contains(lv.offline.Text, "Cannot reach the relay at "+dead+": ") &&
			strings.Contains(lv.offline.Text, "refused") && lv.cancelLive.Visible() && lv.retry.Visible() &&
			lv.retry.Size().Width > 0 && lv.cancelLive.Size().Width > 0 // laid out, not at zero size
	}, func() string {
		return fmt.Sprint(lv.offline.Text, " | ", lv.errLabel.Text, " | ", lv.info.Text, " | buttons ", lv.retry.Size(), lv.cancelLive.Size())
	})
	h.tap(lv.retry)
	h.ui(func() {
		if lv.errLabel.Text != "" {
			t.Errorf("try again: %q", lv.errLabel.Text)
		}
	})
	h.tap(lv.cancelLive)
	h.waitFor("the session to end here", liveLimit, func() bool {
		return !h.core.LiveState().Live && !lv.goLive.Disabled() && lv.end.Disabled() && !lv.offlineBox.Visible() &&
			strings.Contains(lv.info.Text, "ended on this computer") && lv.errLabel.Text == ""
	}, func() string { return lv.info.Text + " | " + lv.errLabel.Text + " | " + lv.offline.Text })

	setRelay(relay.URL)
	h.show(paneLive)
	h.tap(lv.goLive)
	h.waitFor("the session on the fixed relay", liveLimit, func() bool {
		st := h.core.LiveState()
		return st.Session.ID != "" && st.Connected && !lv.offlineBox.Visible()
	}, func() string { return lv.offline.Text + " | " + lv.errLabel.Text })
	answerEnd(h, "End session")
	h.waitFor("the end", liveLimit, func() bool {
		return !lv.goLive.Disabled() && strings.HasPrefix(lv.qr.link.Text, relay.URL+"/recap/") && lv.errLabel.Text == ""
	}, func() string { return lv.info.Text + " | " + lv.errLabel.Text })
}
