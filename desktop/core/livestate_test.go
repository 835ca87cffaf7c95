package core

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/shared/protocol"
)

// The live state's reaction to each relay event, one event at a time and
// without goroutines: the relay-backed tests in live_test.go show the same
// reactions end to end.
func TestRelayEvent(t *testing.T) {
	now := time.Date(2026, 11, 27, 22, 15, 0, 0, time.UTC)
	drop := errors.New("dial tcp 127.0.0.1:9: connection refused")
	unauthorized := &protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown token"}
	tooLong := &protocol.Error{Code: protocol.CodeBadRequest, Message: "question too long"}
	playing := func(playID string) *NowPlaying {
		return &NowPlaying{Track: protocol.Track{Artist: "Beyoncé", Title: "Halo"}, LibraryID: 7, PlayID: playID}
	}
	live := LiveState{Live: true, Source: "manual", Session: Session{Name: "Friday Funk"}}
	withPlay := func(playID string, likes int) LiveState {
		st := live
		st.NowPlaying, st.Likes, st.Tempo = playing(playID), likes, protocol.TempoTally{PlayID: playID, Faster: likes}
		return st
	}
	openPoll := protocol.Poll{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{0, 0}}
	withPoll := live
	withPoll.Polls = []protocol.Poll{openPoll}
	withPoll.Poll = &openPoll
	banner := protocol.Announcement{AnnouncementID: "a1", Text: "Last dance at 23:30"}
	withBanner := live
	withBanner.Announcement, withBanner.Announcements = &banner, []protocol.Announcement{banner}
	registered := live
	registered.Connected = true
	registered.Session = Session{ID: "s1", Name: "Friday Funk", DJName: "DJ Lee", JoinURL: "https://pika.example/live/s1", RecapURL: "https://pika.example/recap/s1"}

	// apply returns a copy of st changed by f, so each case names only
	// what the event changes.
	apply := func(st LiveState, f func(*LiveState)) LiveState { f(&st); return st }
	tests := []struct {
		name string
		st   LiveState
		ev   livelink.Event
		want LiveState
		out  []Event
		over bool
	}{
		{"connected", live, livelink.Connected{},
			apply(live, func(s *LiveState) { s.Connected = true }), []Event{Connected{}}, false},
		{"dropped, retrying", registered, livelink.Disconnected{Err: drop, RetryIn: 2 * time.Second},
			apply(registered, func(s *LiveState) { s.Connected, s.LinkErr = false, drop }), []Event{Disconnected{Err: drop, RetryIn: 2 * time.Second}}, false},
		{"stopped without an error keeps the last one", apply(live, func(s *LiveState) { s.LinkErr = drop }), livelink.Disconnected{},
			apply(live, func(s *LiveState) { s.LinkErr = drop }), []Event{Disconnected{}}, false},
		{"connected again forgets the error", apply(live, func(s *LiveState) { s.LinkErr = drop }), livelink.Connected{},
			apply(live, func(s *LiveState) { s.Connected = true }), []Event{Connected{}}, false},
		{"registered keeps the session name", live,
			livelink.Registered{Session: livelink.Session{ID: "s1", DJName: "DJ Lee", JoinURL: "https://pika.example/live/s1", RecapURL: "https://pika.example/recap/s1"}},
			registered, []Event{SessionChanged{registered.Session}}, false},
		{"resumed", live, livelink.Registered{Session: livelink.Session{ID: "s1", LocalJoinURL: "http://127.0.0.1:8080/live/s1", Resumed: true}},
			apply(live, func(s *LiveState) {
				s.Connected = true
				s.Session = Session{ID: "s1", Name: "Friday Funk", LocalJoinURL: "http://127.0.0.1:8080/live/s1", Resumed: true}
			}),
			[]Event{SessionChanged{Session{ID: "s1", Name: "Friday Funk", LocalJoinURL: "http://127.0.0.1:8080/live/s1", Resumed: true}}}, false},
		{"echo of our play gives its playId and a fresh count", withPlay("", 3),
			livelink.PlayStarted{Play: protocol.Play{PlayID: "pl1", Track: protocol.Track{Artist: "BEYONCÉ", Title: "halo"}}},
			apply(live, func(s *LiveState) { s.NowPlaying, s.Tempo = playing("pl1"), protocol.TempoTally{PlayID: "pl1"} }),
			[]Event{Playing{*playing("pl1")}}, false},
		{"echo of an update keeps the counts", withPlay("pl1", 3),
			livelink.PlayStarted{Play: protocol.Play{PlayID: "pl1", Track: protocol.Track{Artist: "Beyoncé", Title: "Halo"}}},
			withPlay("pl1", 3), []Event{Playing{*playing("pl1")}}, false},
		{"another track's play is not ours", withPlay("pl1", 3),
			livelink.PlayStarted{Play: protocol.Play{PlayID: "pl2", Track: protocol.Track{Artist: "Kaysha", Title: "Dîner aux chandelles"}}},
			withPlay("pl1", 3), nil, false},
		{"likes of the play now playing", withPlay("pl1", 3), livelink.Likes{LikeCount: protocol.LikeCount{PlayID: "pl1", Count: 4}},
			apply(withPlay("pl1", 3), func(s *LiveState) { s.Likes = 4 }), []Event{Likes{protocol.LikeCount{PlayID: "pl1", Count: 4}}}, false},
		{"likes of an earlier play", withPlay("pl2", 1), livelink.Likes{LikeCount: protocol.LikeCount{PlayID: "pl1", Count: 9}},
			withPlay("pl2", 1), []Event{Likes{protocol.LikeCount{PlayID: "pl1", Count: 9}}}, false},
		{"tempo of the play now playing", withPlay("pl1", 0), livelink.Tempo{TempoTally: protocol.TempoTally{PlayID: "pl1", Slower: 2}},
			apply(withPlay("pl1", 0), func(s *LiveState) { s.Tempo = protocol.TempoTally{PlayID: "pl1", Slower: 2} }),
			[]Event{Tempo{protocol.TempoTally{PlayID: "pl1", Slower: 2}}}, false},
		{"tempo of an earlier play", withPlay("pl2", 0), livelink.Tempo{TempoTally: protocol.TempoTally{PlayID: "pl1", Slower: 2}},
			withPlay("pl2", 0), []Event{Tempo{protocol.TempoTally{PlayID: "pl1", Slower: 2}}}, false},
		{"listeners", live, livelink.Listeners{Count: 12},
			apply(live, func(s *LiveState) { s.Listeners = 12 }), []Event{Listeners{12}}, false},
		{"poll started", live, livelink.PollStarted{PollStarted: protocol.PollStarted{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}}},
			withPoll, []Event{PollChanged{openPoll}}, false},
		{"poll votes", withPoll, livelink.PollUpdate{PollTallies: protocol.PollTallies{PollID: "p1", Tallies: []int{0, 1}}},
			apply(withPoll, func(s *LiveState) {
				p := protocol.Poll{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{0, 1}}
				s.Polls, s.Poll = []protocol.Poll{p}, &p
			}),
			[]Event{PollChanged{protocol.Poll{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{0, 1}}}}, false},
		{"tallies of the wrong length are ignored", withPoll, livelink.PollUpdate{PollTallies: protocol.PollTallies{PollID: "p1", Tallies: []int{5}}},
			withPoll, []Event{PollChanged{openPoll}}, false},
		{"poll closed", withPoll, livelink.PollUpdate{PollTallies: protocol.PollTallies{PollID: "p1", Tallies: []int{2, 1}}, Closed: true},
			apply(withPoll, func(s *LiveState) {
				s.Polls = []protocol.Poll{{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{2, 1}, Closed: true}}
				s.Poll = nil
			}),
			[]Event{PollChanged{protocol.Poll{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{2, 1}, Closed: true}}}, false},
		{"an unknown poll", withPoll, livelink.PollUpdate{PollTallies: protocol.PollTallies{PollID: "p9", Tallies: []int{1, 1}}},
			withPoll, nil, false},
		{"announcement", live, livelink.Announcement{Announcement: banner},
			withBanner, []Event{AnnouncementShown{Announcement: banner, At: now}}, false},
		{"announcement cleared", withBanner, livelink.AnnouncementCleared{},
			apply(withBanner, func(s *LiveState) { s.Announcement = nil }), []Event{AnnouncementCleared{}}, false},
		{"ended by the relay", registered, livelink.SessionEnded{RecapURL: "https://pika.example/recap/s1?final"},
			apply(registered, func(s *LiveState) {
				s.Live, s.Session.Ended, s.Session.RecapURL = false, true, "https://pika.example/recap/s1?final"
			}),
			[]Event{SessionChanged{apply(registered, func(s *LiveState) {
				s.Session.Ended, s.Session.RecapURL = true, "https://pika.example/recap/s1?final"
			}).Session}}, true},
		{"ended with the relay's own address keeps the public recap link", registered, livelink.SessionEnded{RecapURL: "http://127.0.0.1:8080/recap/s1"},
			apply(registered, func(s *LiveState) { s.Live, s.Session.Ended = false, true }),
			[]Event{SessionChanged{apply(registered, func(s *LiveState) { s.Session.Ended = true }).Session}}, true},
		{"ended without a recap link keeps the known one", registered, livelink.SessionEnded{},
			apply(registered, func(s *LiveState) { s.Live, s.Session.Ended = false, true }),
			[]Event{SessionChanged{apply(registered, func(s *LiveState) { s.Session.Ended = true }).Session}}, true},
		{"registration refused", live, livelink.Error{Type: protocol.TypeRegisterSession, Err: unauthorized},
			apply(live, func(s *LiveState) { s.Live = false }), []Event{Error{Err: &SessionRefusedError{Err: unauthorized}}}, true},
		{"a message refused", registered, livelink.Error{Type: protocol.TypeStartPoll, Err: tooLong},
			registered, []Event{Error{Err: errors.New("the relay refused start poll: question too long")}}, false},
		{"outbox full", registered, livelink.OutboxDropped{Count: 3},
			registered, []Event{Error{Err: errors.New("the relay was unreachable for so long that the 3 oldest updates waiting to be sent were dropped")}}, false},
		{"stale outbox", registered, livelink.OutboxDropped{Count: 2, Stale: true, Session: "s0"},
			registered, []Event{Error{Err: errors.New("2 updates never reached the dancers: their session had ended before the relay could be reached again, so they are not sent into this one")}}, false},
		{"stale plays named", registered, livelink.OutboxDropped{Count: 2, Stale: true, Session: "s0", Tracks: []string{"Ana – One", "Bo – Two"}},
			registered, []Event{Error{Err: errors.New("“Ana – One” and “Bo – Two” never reached the dancers: their session had ended before the relay could be reached again, so they are not sent into this one")}}, false},
		{"many stale plays", registered, livelink.OutboxDropped{Count: 5, Stale: true, Tracks: []string{"A", "B", "C", "D", "E"}},
			registered, []Event{Error{Err: errors.New("“A”, “B”, “C” and 2 more never reached the dancers: their session had ended before the relay could be reached again, so they are not sent into this one")}}, false},
		{"the relay's full state changes nothing it agrees with", registered, livelink.State{},
			registered, nil, false},
		{"the relay's full state brings the counts missed while away", apply(withPlay("p7", 2), func(s *LiveState) {
			s.Polls, s.Poll, s.Listeners = []protocol.Poll{openPoll}, &openPoll, 3
		}), livelink.State{SessionState: protocol.SessionState{
			Listeners: 5,
			History: []protocol.HistoryEntry{
				{Play: protocol.Play{PlayID: "p7"}, Likes: 4, Tempo: protocol.TempoTally{PlayID: "p7", Faster: 1, Perfect: 3}},
				{Play: protocol.Play{PlayID: "p6"}, Likes: 9},
			},
			ActivePoll: &protocol.Poll{PollID: "p1", Tallies: []int{2, 1}},
		}}, apply(withPlay("p7", 4), func(s *LiveState) {
			polled := openPoll
			polled.Tallies = []int{2, 1}
			s.Polls, s.Poll, s.Listeners = []protocol.Poll{polled}, &polled, 5
			s.Tempo = protocol.TempoTally{PlayID: "p7", Faster: 1, Perfect: 3}
		}), []Event{Listeners{5}, Likes{protocol.LikeCount{PlayID: "p7", Count: 4}}, Tempo{protocol.TempoTally{PlayID: "p7", Faster: 1, Perfect: 3}},
			PollChanged{protocol.Poll{PollID: "p1", Question: "Next style?", Options: []string{"Blues", "Funk"}, Tallies: []int{2, 1}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, out, over := relayEvent(tt.st, tt.ev, now)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("state\n got %+v\nwant %+v", got, tt.want)
			}
			if len(out) != len(tt.out) {
				t.Fatalf("events %#v, want %#v", out, tt.out)
			}
			for i := range out {
				if !sameEvent(out[i], tt.out[i]) {
					t.Errorf("event %d: %#v, want %#v", i, out[i], tt.out[i])
				}
			}
			if over != tt.over {
				t.Errorf("over %v, want %v", over, tt.over)
			}
		})
	}
}

// sameEvent compares events, errors by type and text.
func sameEvent(got, want Event) bool {
	g, gok := got.(Error)
	w, wok := want.(Error)
	if gok && wok {
		return reflect.TypeOf(g.Err) == reflect.TypeOf(w.Err) && g.Err.Error() == w.Err.Error()
	}
	return reflect.DeepEqual(got, want)
}

// The state passed in is never changed, even where its slices have room to
// grow: LiveState hands out copies of it while the link goes on.
func TestRelayEventLeavesItsInputAlone(t *testing.T) {
	p1 := protocol.Poll{PollID: "p1", Question: "Next?", Options: []string{"A", "B"}, Tallies: []int{0, 0}}
	polls := make([]protocol.Poll, 1, 4)
	polls[0] = p1
	banners := make([]protocol.Announcement, 1, 4)
	banners[0] = protocol.Announcement{AnnouncementID: "a1", Text: "Hi"}
	st := LiveState{Live: true, Polls: polls, Poll: &p1, Announcements: banners}
	events := []livelink.Event{
		livelink.PollUpdate{PollTallies: protocol.PollTallies{PollID: "p1", Tallies: []int{3, 4}}, Closed: true},
		livelink.PollStarted{PollStarted: protocol.PollStarted{PollID: "p2", Question: "Then?", Options: []string{"C", "D"}}},
		livelink.Announcement{Announcement: protocol.Announcement{AnnouncementID: "a2", Text: "Bye"}},
	}
	for _, ev := range events {
		relayEvent(st, ev, time.Now())
	}
	if got := polls[:cap(polls)][0]; !reflect.DeepEqual(got, p1) {
		t.Errorf("the caller's poll became %+v", got)
	}
	if got := polls[:2][1]; got.PollID != "" {
		t.Errorf("a poll was written into the caller's spare room: %+v", got)
	}
	if got := banners[:2][1]; got.AnnouncementID != "" {
		t.Errorf("an announcement was written into the caller's spare room: %+v", got)
	}
	if st.Poll != &p1 || len(st.Polls) != 1 || len(st.Announcements) != 1 {
		t.Errorf("the caller's state changed: %+v", st)
	}
}
