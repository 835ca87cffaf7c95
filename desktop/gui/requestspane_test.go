package gui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// rowButton finds the button labelled text in the queue's row for a
// request named what.
func rowButton(p *requestsPane, what, text string) *widget.Button {
	for _, o := range drawnObjects(p.list) {
		row, ok := o.(*fyne.Container)
		if !ok || len(row.Objects) != 3 {
			continue
		}
		mid, ok := row.Objects[0].(*fyne.Container)
		if !ok || len(mid.Objects) != 2 {
			continue
		}
		if l, ok := mid.Objects[0].(*widget.Label); !ok || !strings.Contains(l.Text, what) {
			continue
		}
		for _, b := range row.Objects[2].(*fyne.Container).Objects {
			if b, ok := b.(*widget.Button); ok && b.Text == text {
				return b
			}
		}
	}
	return nil
}

// TestRequestsPane: the DJ turns requests on in the live pane; dancers'
// requests appear in the queue, most asked for first, with their fit;
// Accept and Decline (with a reason) reach the dancers.
func TestRequestsPane(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "rq@example.com", "DJ Rq")
	h := newHarness(t, pikaConfig())
	ctx := context.Background()
	s := h.core.Settings()
	s.RelayURL = relay.URL
	if err := h.core.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := h.core.SetToken(token); err != nil {
		t.Fatal(err)
	}
	music := copyCorpus(t, "02-bvfunk-112-Dmin.mp3", "06-dsoul-96-Fmaj.mp3", "16-rnb-98-Cmaj.mp3")
	if _, err := h.core.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	if err := h.core.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.core.GoLive(ctx, "manual", "Request pane", ""); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the session", liveLimit, func() bool {
		st := h.core.LiveState()
		return st.Connected && st.Session.ID != ""
	}, nil)
	sid := h.core.LiveState().Session.ID
	h.show(paneLive)
	p := h.g.live.requests
	h.ui(func() {
		if p.enable.Disabled() || p.enable.Checked || !p.pause.Disabled() {
			t.Errorf("before: take requests enabled %v checked %v, pause enabled %v", !p.enable.Disabled(), p.enable.Checked, !p.pause.Disabled())
		}
	})
	h.tap(p.enable)
	h.waitFor("requests on with 3 tracks", liveLimit, func() bool {
		return strings.Contains(p.status.Text, "3 tracks requestable") && !p.pause.Disabled()
	}, func() string { return p.status.Text + " " + p.errLabel.Text })
	h.waitFor("the request list on the relay", liveLimit, func() bool { return h.core.LiveState().Outbox == 0 }, nil)

	tracks, err := h.core.Tracks(ctx, library.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, tr := range tracks {
		ids[tr.Protocol().Title] = protocolID(tr.ID)
	}
	// The soul track plays; two dancers want the funk one, one the rnb.
	if err := h.core.SendManual(ctx, tracks[1].ID); err != nil {
		t.Fatal(err)
	}
	dancers := map[string]*relaytest.Client{}
	for _, name := range []string{"page-ann", "page-cem", "page-dora"} {
		dancers[name], _ = relay.Join(t, sid, name, "")
	}
	dancers["page-ann"].MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: ids["02-bvfunk-112-Dmin"]})
	dancers["page-cem"].MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: ids["02-bvfunk-112-Dmin"]})
	dancers["page-dora"].MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: ids["16-rnb-98-Cmaj"]})
	h.waitFor("two requests, funk ×2 first", liveLimit, func() bool {
		return len(p.queue) == 2 && p.queue[0].Count == 2 && strings.Contains(requestWhat(p.queue[0].Request), "bvfunk")
	}, func() string { return p.empty.Text })
	h.ui(func() {
		if d := requestDetail(p.queue[0], p.now); !strings.Contains(d, "BPM (+") || !strings.Contains(d, "8A (") {
			t.Errorf("funk's detail %q lacks its fit", d)
		}
	})

	w := test.NewTempWindow(t, nil)
	shot := newRequestsPane(h.g)
	h.ui(func() {
		shot.show(h.core.LiveState())
		w.SetContent(shot.content)
		w.Resize(fyne.NewSize(660, 460))
	})
	writePNG(filepath.Join(screenshotDir(t), "requests-queue.png"), w.Canvas().Capture())

	var accept, decline *widget.Button
	h.ui(func() { accept = rowButton(p, "bvfunk", "Accept") })
	if accept == nil {
		t.Fatal("no Accept button in the funk row")
	}
	h.tap(accept)
	for _, d := range []string{"page-ann", "page-cem"} {
		dancers[d].ExpectWhere(t, protocol.TypeMyRequest, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.MyRequest).Request.State == protocol.RequestAccepted
		})
	}
	h.typeIn(p.reason, "not tonight")
	h.ui(func() { decline = rowButton(p, "rnb", "Decline") })
	if decline == nil {
		t.Fatal("no Decline button in the rnb row")
	}
	h.tap(decline)
	m := dancers["page-dora"].ExpectWhere(t, protocol.TypeMyRequest, func(f relaytest.Frame) bool {
		return f.Payload.(*protocol.MyRequest).Request.State == protocol.RequestDeclined
	}).Payload.(*protocol.MyRequest)
	if m.Request.Reason != "not tonight" {
		t.Errorf("decline reason %q", m.Request.Reason)
	}
	h.waitFor("only the accepted request left", liveLimit, func() bool {
		return len(p.queue) == 1 && p.queue[0].State == protocol.RequestAccepted
	}, nil)

	// Closed for now reaches the dancers.
	h.tap(p.pause)
	dancers["page-ann"].ExpectWhere(t, protocol.TypeRequestsStatus, func(f relaytest.Frame) bool {
		return !f.Payload.(*protocol.RequestsStatus).Open
	})
	h.waitFor("the status to say closed", liveLimit, func() bool { return strings.Contains(p.status.Text, "closed for now") }, func() string { return p.status.Text })
}

func protocolID(id int64) string { return strconv.FormatInt(id, 10) }
