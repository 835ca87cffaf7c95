package server_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestEventRecapDashboardExport plays two sets on two stages (one with a
// PIN), with likes and tempo votes, and reads the event back as the
// public, the organizers and a spreadsheet see it.
func TestEventRecapDashboardExport(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, main := eventWithStage(t, r)
	var blues protocol.Stage
	r.DoJSON(t, http.MethodPost, "/api/events/"+ev.ID+"/stages", org, protocol.StageRequest{Name: "Blues room"}, &blues)
	ana := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	ben := r.RegisterDJ(t, "ben@example.com", "DJ Ben")
	invite(t, r, org, ev.ID, ana, protocol.RoleDJ)
	invite(t, r, org, ev.ID, ben, protocol.RoleDJ)

	bpm := 92.0
	a, f := goLiveOn(t, r, ana, "Main floor", main.ID)
	regA := f.Payload.(*protocol.SessionRegistered)
	a.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "=HYPERLINK(\"x\")", Title: "Loved", BPM: &bpm}})
	b := r.Dial(t, nil)
	f = b.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ben, Name: "Secret blues", PIN: "4321", StageID: blues.ID})
	if f.Err() != nil {
		t.Fatalf("Ben goes live with a PIN: %v", f.Err())
	}
	b.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Hidden", Title: "Private track"}})

	d, st := r.Join(t, regA.SessionID, "dancer-one-0001", "")
	playID := st.NowPlaying.PlayID
	d.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: playID})
	d.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: playID, Vote: protocol.VoteFaster})
	a.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Nobody", Title: "Unloved"}})

	var public, full protocol.EventRecap
	if code := r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/recap", "", nil, &public); code != 200 {
		t.Fatalf("public recap: %d", code)
	}
	r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/recap", org, nil, &full)
	if public.Full || !full.Full || len(public.Stages) != 2 {
		t.Fatalf("recap views: public full=%v, organizers full=%v, %d stages", public.Full, full.Full, len(public.Stages))
	}
	titles := func(rc protocol.EventRecap) (out []string) {
		for _, s := range rc.Stages {
			for _, p := range s.Plays {
				out = append(out, p.Track.Title)
				if p.Tempo != nil && !rc.Full {
					t.Errorf("public recap shows the tempo votes of %q", p.Track.Title)
				}
			}
		}
		return out
	}
	if got := strings.Join(titles(public), ","); got != "Loved,Unloved" {
		t.Errorf("public recap plays %q: the PIN set's track must stay private", got)
	}
	if got := strings.Join(titles(full), ","); got != "Loved,Unloved,Private track" {
		t.Errorf("organizers' recap plays %q", got)
	}
	if len(public.Stages[1].Sets) != 1 || !public.Stages[1].Sets[0].Protected || public.Stages[1].Sets[0].DJName != "DJ Ben" {
		t.Errorf("blues room sets %+v", public.Stages[1].Sets)
	}
	if len(public.TopTracks) != 1 || public.TopTracks[0].Track.Title != "Loved" || public.TotalLikes != 1 || public.Dancers != 1 {
		t.Errorf("top tracks %+v, likes %d, dancers %d", public.TopTracks, public.TotalLikes, public.Dancers)
	}

	var dash protocol.EventDashboard
	if code := r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/dashboard", org, nil, &dash); code != 200 || len(dash.Stages) != 2 {
		t.Fatalf("dashboard: %d %+v", code, dash)
	}
	m := dash.Stages[0]
	if m.Live == nil || m.Live.DJName != "DJ Ana" || m.Listeners != 1 || len(m.Recent) != 2 || m.Recent[0].Track.Title != "Unloved" ||
		m.Recent[1].Likes != 1 || m.Comfort.Faster != 1 || m.Comfort.WindowS != 1800 {
		t.Errorf("main stage on the dashboard: %+v", m)
	}

	var plays []protocol.EventPlay
	if code := r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/plays", ben, nil, &plays); code != 200 || len(plays) != 3 || plays[0].DJName != "DJ Ana" || plays[0].StageName != main.Name {
		t.Errorf("event plays for a DJ: %d %+v", code, plays)
	}
	stranger := r.RegisterDJ(t, "eve@example.com", "Eve")
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{"/plays", stranger, 404}, {"/dashboard", stranger, 404}, {"/dashboard", ana, 403}, {"/export.csv", ben, 403}, {"/export.json", org, 200},
	} {
		if got := r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+tc.path, tc.token, nil, nil); got != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.path, got, tc.want)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/events/"+ev.ID+"/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+org)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("CSV: %v, %d rows", err, len(rows))
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "pika-warsaw-swing-weekend-2026-12-04.csv") {
		t.Errorf("Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	first := rows[1]
	if first[3] != "DJ Ana" || first[5] != `'=HYPERLINK("x")` || first[7] != "92.0" || first[11] != "1" || first[12] != "1" {
		t.Errorf("first CSV row %q: want the formula defused, BPM, a like and a faster vote", first)
	}
}
