package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestRestartSurvival: everything a session holds is in the database, and
// a DJ and a dancer reconnecting after a restart pick it up.
func TestRestartSurvival(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "1357")
	a, _ := r.Join(t, l.reg.SessionID, "client-survivor", "1357")
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	a.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: l.play.PlayID, Vote: protocol.VotePerfect})
	l.dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "More blues?", Options: []string{"Yes", "No"}})
	poll := a.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	a.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: poll.PollID, OptionIndex: 0})
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "Raffle at 23:00"})

	r.Restart(t)
	// Both clients were told to go away with "service restart".
	for _, c := range []*relaytest.Client{a, l.dj} {
		var ce *websocket.CloseError
		if err := c.WaitClosed(t); !errors.As(err, &ce) || ce.Code != websocket.CloseServiceRestart {
			t.Fatalf("client closed with %v, want close 1012", err)
		}
	}

	dj := r.Dial(t, nil)
	f := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "ignored", ResumeSessionID: l.reg.SessionID})
	if reg := f.Payload.(*protocol.SessionRegistered); !reg.Resumed || reg.SessionID != l.reg.SessionID {
		t.Fatalf("resume after restart: %+v", reg)
	}
	a2, st := r.Join(t, l.reg.SessionID, "client-survivor", "1357")
	if st.NowPlaying == nil || st.NowPlaying.PlayID != l.play.PlayID || st.History[0].Likes != 1 || st.Tempo.Perfect != 1 {
		t.Fatalf("state after restart: now %+v history %+v tempo %+v", st.NowPlaying, st.History, st.Tempo)
	}
	if len(st.MyLikes) != 1 || st.MyTempoVotes[l.play.PlayID] != protocol.VotePerfect || st.MyPollVotes[poll.PollID] != 0 {
		t.Fatalf("my activity after restart: %v %v %v", st.MyLikes, st.MyTempoVotes, st.MyPollVotes)
	}
	if st.ActivePoll == nil || st.ActivePoll.PollID != poll.PollID || st.ActivePoll.Closed || st.ActivePoll.Tallies[0] != 1 {
		t.Fatalf("poll after restart: %+v", st.ActivePoll)
	}
	if st.Announcement == nil || st.Announcement.Text != "Raffle at 23:00" || !st.Session.Protected {
		t.Fatalf("announcement/session after restart: %+v %+v", st.Announcement, st.Session)
	}
	// The session goes on: the repeated like is still one like, the DJ can
	// close the old poll and play on.
	a2.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	dj.MustOK(t, protocol.TypeClosePoll, protocol.ClosePoll{PollID: poll.PollID})
	a2.Expect(t, protocol.TypePollClosed)
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "B.B. King", Title: "The Thrill Is Gone"}})
	a2.Expect(t, protocol.TypeNowPlaying)
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap?pin=1357", "", nil, &rc)
	if rc.TotalLikes != 1 || len(rc.Plays) != 2 || rc.UniqueDancers != 1 || len(rc.Announcements) != 1 {
		t.Fatalf("recap after restart: likes %d plays %d dancers %d", rc.TotalLikes, len(rc.Plays), rc.UniqueDancers)
	}
}

func TestResumeAndTakeOver(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	dancer, _ := r.Join(t, l.reg.SessionID, "client-resume", "")

	// Another DJ cannot take the session.
	intruder := r.RegisterDJ(t, "intruder@example.com", "Intruder")
	c := r.Dial(t, nil)
	expectError(t, c.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: intruder, Name: "x", ResumeSessionID: l.reg.SessionID}), protocol.CodeForbidden)

	// The DJ drops and comes back within the window.
	l.dj.Close()
	dj2 := r.Dial(t, nil)
	f := dj2.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "x", ResumeSessionID: l.reg.SessionID})
	if reg := f.Payload.(*protocol.SessionRegistered); !reg.Resumed || reg.SessionID != l.reg.SessionID {
		t.Fatalf("resume: %+v", reg)
	}
	if lc := dj2.Expect(t, protocol.TypeListenerCount).Payload.(*protocol.ListenerCount); lc.Count != 1 {
		t.Fatalf("resumed DJ told %d listeners, want 1", lc.Count)
	}
	// A resend of the current track after the reconnect is the same play.
	dj2.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ella Fitzgerald", Title: "Cheek to Cheek"}})
	if p := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play); p.PlayID != l.play.PlayID {
		t.Fatalf("resent track became play %s, want %s", p.PlayID, l.play.PlayID)
	}
	// A second live connection resuming takes over; the first is closed.
	dj3 := r.Dial(t, nil)
	dj3.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "x", ResumeSessionID: l.reg.SessionID})
	var ce *websocket.CloseError
	if err := dj2.WaitClosed(t); !errors.As(err, &ce) || ce.Code != 4001 {
		t.Fatalf("old DJ connection closed with %v, want 4001", err)
	}
	dj3.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "still here"})
	dancer.Expect(t, protocol.TypeAnnouncement)
}

// TestAbandonedSessionEnds: a session whose DJ does not come back within
// the resume window ends by itself, with the end time when the DJ left.
func TestAbandonedSessionEnds(t *testing.T) {
	const window = 2 * time.Second
	r := relaytest.Start(t, relaytest.WithResumeWindow(window))
	l := startLive(t, r, "")
	dancer, _ := r.Join(t, l.reg.SessionID, "client-abandon", "")
	l.dj.Close()
	left := time.Now()
	dancer.Expect(t, protocol.TypeSessionEnded)
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	if rc.Session.EndedAt == nil {
		t.Fatal("abandoned session has no end time")
	}
	// The end is when the DJ left, not when the window ran out.
	if d := rc.Session.EndedAt.Sub(left); d > window/2 || d < -window/2 {
		t.Fatalf("ended at %s, the DJ left at %s", rc.Session.EndedAt, left)
	}
	if rc.Plays[0].EndedAt == nil || !rc.Plays[0].EndedAt.Equal(*rc.Session.EndedAt) {
		t.Fatalf("last play ends at %v, the session at %v", rc.Plays[0].EndedAt, rc.Session.EndedAt)
	}
	dj := r.Dial(t, nil)
	expectError(t, dj.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "x", ResumeSessionID: l.reg.SessionID}), protocol.CodeSessionEnded)
}

// TestAbandonedAcrossRestart: a relay stopped while its DJ was connected
// starts the resume window at the shutdown, and a session nobody resumes
// ends after the restart too, at the shutdown time.
func TestAbandonedAcrossRestart(t *testing.T) {
	const window = 2 * time.Second
	r := relaytest.Start(t, relaytest.WithResumeWindow(window))
	l := startLive(t, r, "")
	r.Stop()
	stopped := time.Now()
	r.Restart(t)
	var list []protocol.SessionSummary
	for {
		r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &list)
		if len(list) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond) // polling for the janitor, not asserting time
	}
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	if rc.Session.EndedAt == nil || rc.Session.EndedAt.After(stopped) || stopped.Sub(*rc.Session.EndedAt) > window/2 {
		t.Fatalf("ended at %v, relay stopped at %s", rc.Session.EndedAt, stopped)
	}
}

// TestDrainClosesClients: SIGTERM's drain sends every client a close frame.
func TestDrainClosesClients(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-drain", "")
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	r.Stop()
	for _, c := range []*relaytest.Client{a, l.dj} {
		var ce *websocket.CloseError
		if err := c.WaitClosed(t); !errors.As(err, &ce) || ce.Code != websocket.CloseServiceRestart {
			t.Fatalf("closed with %v, want 1012", err)
		}
	}
	r.Restart(t)
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	if rc.TotalLikes != 1 {
		t.Fatalf("acknowledged like lost across the drain: %d likes", rc.TotalLikes)
	}
}

// TestConnectedDJKeepsSessionActive: while the DJ stays connected, without
// sending anything, the session's last activity keeps moving forward, so a
// crash later would end it near the crash rather than at its last command.
func TestConnectedDJKeepsSessionActive(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithActivityInterval(50*time.Millisecond))
	l := startLive(t, r, "")
	db := openDB(t, r.DBPath)
	var first int64
	if err := db.QueryRowContext(context.Background(), `SELECT COALESCE(last_active_at, 0) FROM sessions WHERE id = ?`, l.reg.SessionID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if i == 200 {
			t.Fatalf("last activity stayed at %d while the DJ was connected", first)
		}
		var now int64
		if err := db.QueryRowContext(context.Background(), `SELECT COALESCE(last_active_at, 0) FROM sessions WHERE id = ?`, l.reg.SessionID).Scan(&now); err != nil {
			t.Fatal(err)
		}
		if now > first {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling for the ticker, not asserting time
	}
}
