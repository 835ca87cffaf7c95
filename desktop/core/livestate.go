package core

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/shared/protocol"
)

// LiveState is a snapshot of the live session for the UI.
type LiveState struct {
	Live          bool
	Connected     bool
	Source        string
	Session       Session
	NowPlaying    *NowPlaying
	Likes         int // of the play now playing
	Tempo         protocol.TempoTally
	Listeners     int
	Poll          *protocol.Poll          // the open poll
	Polls         []protocol.Poll         // this session's polls, oldest first
	Announcement  *protocol.Announcement  // the banner shown now
	Announcements []protocol.Announcement // this session's, oldest first
	Outbox        int                     // messages waiting for the relay
	// RelayURL is the relay this session goes to; LinkErr is why the
	// last attempt to reach it failed (nil once connected), for a DJ who
	// must check the address or the network.
	RelayURL string
	LinkErr  error
	// PINWrong is how many wrong PINs the relay refused since the PIN was
	// set: someone is guessing it when it grows.
	PINWrong int
	// PINLockedUntil: until then the relay keeps phones that have not
	// joined yet out (too many wrong PINs); a new PIN lets them in.
	PINLockedUntil *time.Time
	// SourceStatus is what the now-playing watcher sees of its source:
	// which one, when it last gave a track, why nothing arrives.
	SourceStatus nowplaying.Status
	// Stage is the event's stage this set is on; nil for a session of
	// the DJ's own.
	Stage *StageChoice
	// PIN is the session's PIN ("" for none), also when it was resumed
	// without typing it again.
	PIN string
	// Warnings are the assistant's for the track playing now (a big
	// tempo jump, a key clash, a repeat tonight).
	Warnings []string
}

// relayEvent is what one relay event does to the live state: the state
// after it, the events the UI gets, and over when the run has ended here
// (the relay ended the session, or refused to register it). It is pure:
// st is not modified (its slices are copied before they change), so the
// caller swaps states under its lock and tests need no goroutines. now
// stamps announcements.
func relayEvent(st LiveState, ev livelink.Event, now time.Time) (next LiveState, out []Event, over bool) {
	switch e := ev.(type) {
	case livelink.Connected:
		st.Connected, st.LinkErr = true, nil
		out = append(out, Connected{})
	case livelink.Disconnected:
		st.Connected = false
		if e.Err != nil {
			st.LinkErr = e.Err
		}
		out = append(out, Disconnected{Err: e.Err, RetryIn: e.RetryIn})
	case livelink.Registered:
		st.Connected, st.LinkErr = true, nil
		st.Session = Session{ID: e.Session.ID, Name: st.Session.Name, DJName: e.Session.DJName, JoinURL: e.Session.JoinURL,
			LocalJoinURL: e.Session.LocalJoinURL, RecapURL: e.Session.RecapURL, Resumed: e.Session.Resumed}
		out = append(out, SessionChanged{st.Session})
	case livelink.PlayStarted:
		// The relay's echo of the DJ's own play carries its playId, which
		// likes and votes refer to; a play of another track is not ours.
		if np := st.NowPlaying; np != nil && protocol.TrackIdentity(np.Track.Artist, np.Track.Title) ==
			protocol.TrackIdentity(e.Play.Track.Artist, e.Play.Track.Title) {
			if np.PlayID != e.Play.PlayID {
				st.Likes, st.Tempo = 0, protocol.TempoTally{PlayID: e.Play.PlayID}
			}
			cp := *np
			cp.PlayID = e.Play.PlayID
			st.NowPlaying = &cp
			out = append(out, Playing{cp})
		}
	case livelink.Likes:
		if st.NowPlaying != nil && st.NowPlaying.PlayID == e.PlayID {
			st.Likes = e.Count
		}
		out = append(out, Likes{e.LikeCount})
	case livelink.Tempo:
		if st.NowPlaying != nil && st.NowPlaying.PlayID == e.PlayID {
			st.Tempo = e.TempoTally
		}
		out = append(out, Tempo{e.TempoTally})
	case livelink.Listeners:
		st.Listeners = e.Count
		out = append(out, Listeners{e.Count})
	case livelink.State:
		// A resume the relay could not catch up with broadcasts: the
		// session's counts now stand for what was missed while away.
		st, out = missedCounts(st, e.SessionState)
	case livelink.PollStarted:
		p := protocol.Poll{PollID: e.PollID, Question: e.Question, Options: e.Options,
			Tallies: make([]int, len(e.Options)), EndsAt: e.EndsAt}
		st.Polls = append(slices.Clip(st.Polls), p)
		open := p
		st.Poll = &open
		out = append(out, PollChanged{p})
	case livelink.PollUpdate:
		for i := range st.Polls {
			if st.Polls[i].PollID != e.PollID {
				continue
			}
			st.Polls = slices.Clone(st.Polls)
			p := &st.Polls[i]
			if len(e.Tallies) == len(p.Options) {
				p.Tallies = append([]int(nil), e.Tallies...)
			}
			p.Closed = p.Closed || e.Closed
			cp := *p
			if st.Poll != nil && st.Poll.PollID == p.PollID {
				if p.Closed {
					st.Poll = nil
				} else {
					open := cp
					st.Poll = &open
				}
			}
			out = append(out, PollChanged{cp})
		}
	case livelink.Announcement:
		a := e.Announcement
		st.Announcement = &a
		st.Announcements = append(slices.Clip(st.Announcements), a)
		out = append(out, AnnouncementShown{Announcement: a, At: now})
	case livelink.AnnouncementCleared:
		st.Announcement = nil
		out = append(out, AnnouncementCleared{})
	case livelink.SessionEnded:
		// The relay ended it (by End, or on its own after a timeout).
		st.Live = false
		st.Session.Ended = true
		// The relay's final link wins, unless it is on another host than
		// the public join link: then it is the relay's own address (local,
		// behind a tunnel) and the public one from registration stays.
		if e.RecapURL != "" && (st.Session.RecapURL == "" || sameHost(e.RecapURL, st.Session.JoinURL) || st.Session.JoinURL == "") {
			st.Session.RecapURL = e.RecapURL
		}
		out = append(out, SessionChanged{st.Session})
		over = true
	case livelink.Error:
		if e.Type == protocol.TypeRegisterSession {
			// The link stopped retrying: the session is over here.
			st.Live = false
			out = append(out, Error{Err: &SessionRefusedError{Err: e.Err}})
			over = true
			break
		}
		out = append(out, Error{Err: fmt.Errorf("the relay refused %s: %s",
			strings.ToLower(strings.ReplaceAll(string(e.Type), "_", " ")), e.Err.Message)})
	case livelink.PINGuesses:
		st.PINWrong, st.PINLockedUntil = e.Wrong, e.LockedUntil
		out = append(out, PINGuessed{Wrong: e.Wrong, LockedUntil: e.LockedUntil})
	case livelink.OutboxDropped:
		out = append(out, Error{Err: droppedError(e)})
	}
	return st, out, over
}

// sameHost reports whether two links point at the same host.
func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Host == ub.Host
}

// droppedError says in the DJ's words what did not reach the dancers and
// why.
func droppedError(e livelink.OutboxDropped) error {
	if !e.Stale {
		return fmt.Errorf("the relay was unreachable for so long that the %s waiting to be sent were dropped", countNoun(e.Count, "oldest update", "oldest updates"))
	}
	what := countNoun(e.Count, "update", "updates")
	if len(e.Tracks) > 0 {
		what = namedTracks(e.Tracks)
	}
	return fmt.Errorf("%s never reached the dancers: their session had ended before the relay could be reached again, "+
		"so they are not sent into this one", what)
}

// namedTracks lists tracks as "“A – One”, “B – Two” and 3 more".
func namedTracks(tracks []string) string {
	const show = 3
	quoted := make([]string, 0, show)
	for i, t := range tracks {
		if i == show {
			break
		}
		quoted = append(quoted, "“"+t+"”")
	}
	list := strings.Join(quoted, ", ")
	switch rest := len(tracks) - len(quoted); {
	case rest > 0:
		list += fmt.Sprintf(" and %d more", rest)
	case len(quoted) > 1:
		list = strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
	}
	return list
}

// countNoun is "1 vote", "2 votes".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// missedCounts applies the relay's whole state to the counts the DJ sees:
// dancers, the current play's likes and tempo votes, the open poll.
func missedCounts(st LiveState, s protocol.SessionState) (LiveState, []Event) {
	var out []Event
	if s.Listeners != st.Listeners {
		st.Listeners = s.Listeners
		out = append(out, Listeners{s.Listeners})
	}
	if np := st.NowPlaying; np != nil && np.PlayID != "" {
		for _, h := range s.History {
			if h.PlayID != np.PlayID {
				continue
			}
			if h.Likes != st.Likes {
				st.Likes = h.Likes
				out = append(out, Likes{protocol.LikeCount{PlayID: h.PlayID, Count: h.Likes}})
			}
			if h.Tempo != st.Tempo {
				st.Tempo = h.Tempo
				out = append(out, Tempo{h.Tempo})
			}
		}
	}
	if p := s.ActivePoll; p != nil {
		for i := range st.Polls {
			if st.Polls[i].PollID != p.PollID || len(p.Tallies) != len(st.Polls[i].Options) || slices.Equal(p.Tallies, st.Polls[i].Tallies) {
				continue
			}
			st.Polls = slices.Clone(st.Polls)
			st.Polls[i].Tallies = slices.Clone(p.Tallies)
			cp := st.Polls[i]
			if st.Poll != nil && st.Poll.PollID == cp.PollID {
				open := cp
				st.Poll = &open
			}
			out = append(out, PollChanged{cp})
		}
	}
	return st, out
}
