package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// readFlood: 2,000 anonymous reads of a session's state from one address,
// 20 at a time. Defended: most are refused with 429 once the address's
// read budget is spent, and another address is still served.
func readFlood(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	l, err := e.startLive(ctx, d, "Busy night", "", protocol.Track{Artist: "Count Basie", Title: "Jumpin' at the Woodside"})
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	const n = 2000
	c := httpFrom(e.freshIP())
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		first error
	)
	start := time.Now()
	parallel(n, 20, func(int) {
		a, err := e.do(ctx, c, http.MethodGet, "/api/sessions/"+l.id+"/state", nil, nil)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			first = err
			return
		}
		codes[a.status]++
	})
	took := time.Since(start)
	if first != nil {
		return false, "", first
	}
	other, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodGet, "/api/sessions/"+l.id+"/state", nil, nil)
	if err != nil {
		return false, "", err
	}
	served := codes[http.StatusOK]
	ok := codes[http.StatusTooManyRequests] > 0 && served < n/2 && other.status == http.StatusOK
	return ok, fmt.Sprintf("%d reads in %s: %s (%.0f served/s); another address: %d",
		n, took.Round(time.Millisecond), statusCounts(codes), float64(served)/took.Seconds(), other.status), nil
}

// registerLiveCap: one DJ account starts 10 sessions. Defended: a few
// live at once at most (3), the rest refused with a clear error.
func registerLiveCap(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	const n = 10
	ip := e.freshIP()
	codes := map[string]int{}
	msg := ""
	for i := range n {
		c, _, err := e.dialWS(ctx, ip)
		if err != nil {
			return false, "", err
		}
		defer c.close()
		_, p, err := c.paced(protocol.TypeRegisterSession, protocol.RegisterSession{Token: d.token, Name: fmt.Sprintf("Night %d", i)})
		if err != nil {
			return false, "", err
		}
		codes[answerCode(p)]++
		if pe := errOf(p); pe != nil && msg == "" {
			msg = pe.Message
		}
	}
	live := codes["SESSION_REGISTERED"]
	ok := live <= 3 && live > 0 && msg != ""
	return ok, fmt.Sprintf("%d new sessions of one DJ account: %s; e.g. %q", n, codeCounts(codes), msg), nil
}

// registerFlood: 80 REGISTER_SESSION of one account (resuming its session,
// so the live cap is not what stops them), each on a fresh socket.
// Defended: beyond a burst they are refused as rate limited.
func registerFlood(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	l, err := e.startLive(ctx, d, "Flooded night", "", protocol.Track{Artist: "Artie Shaw", Title: "Begin the Beguine"})
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	const n = 80
	ip := e.freshIP()
	codes := map[string]int{}
	msg := ""
	start := time.Now()
	for range n {
		c, _, err := e.dialWS(ctx, ip)
		if err != nil {
			return false, "", err
		}
		_, p, err := c.request(protocol.TypeRegisterSession, protocol.RegisterSession{Token: d.token, Name: "Flooded night", ResumeSessionID: l.id})
		c.close()
		if err != nil {
			return false, "", err
		}
		codes[answerCode(p)]++
		if pe := errOf(p); pe != nil && pe.Code == protocol.CodeRateLimited && msg == "" {
			msg = pe.Message
		}
	}
	ok := codes[string(protocol.CodeRateLimited)] > 0 && codes["SESSION_REGISTERED"] <= 40
	return ok, fmt.Sprintf("%d REGISTER_SESSION in %s: %s; e.g. %q", n, time.Since(start).Round(time.Millisecond), codeCounts(codes), msg), nil
}

// stuffing: one connection subscribes again and again with fresh client
// ids, liking the play and voting in the poll each time. Defended: the
// counts grow by a few at most, not once per fresh id.
func stuffing(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	l, err := e.startLive(ctx, d, "Stuffed night", "", protocol.Track{Artist: "Benny Goodman", Title: "Sing, Sing, Sing"})
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	_, p, err := l.conn.request(protocol.TypeStartPoll, protocol.StartPoll{Question: "Faster?", Options: []string{"Yes", "No"}})
	if err != nil || errOf(p) != nil {
		return false, "", fmt.Errorf("START_POLL: %v %v", err, errOf(p))
	}
	st, err := e.state(ctx, l.id)
	if err != nil || st.ActivePoll == nil {
		return false, "", fmt.Errorf("poll not in state: %v", err)
	}
	pollID := st.ActivePoll.PollID
	c, _, err := e.dialWS(ctx, e.freshIP())
	if err != nil {
		return false, "", err
	}
	defer c.close()
	const ids = 25
	for i := range ids {
		cid := fmt.Sprintf("stuffer-%04d-%08d", i, time.Now().UnixNano()%1e8)
		if _, _, err := c.paced(protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.id, ClientID: cid}); err != nil {
			return false, "", err
		}
		if _, _, err := c.paced(protocol.TypeLike, protocol.Like{PlayID: l.playID}); err != nil {
			return false, "", err
		}
		if _, _, err := c.paced(protocol.TypePollVote, protocol.PollVote{PollID: pollID, OptionIndex: 0}); err != nil {
			return false, "", err
		}
	}
	// Counters are broadcast coalesced; the state reads the store.
	time.Sleep(300 * time.Millisecond)
	if st, err = e.state(ctx, l.id); err != nil {
		return false, "", err
	}
	likes := 0
	for _, h := range st.History {
		if h.PlayID == l.playID {
			likes = h.Likes
		}
	}
	votes := 0
	if st.ActivePoll != nil {
		for _, v := range st.ActivePoll.Tallies {
			votes += v
		}
	}
	ok := likes <= 3 && votes <= 3
	return ok, fmt.Sprintf("one connection, %d fresh client ids: likes on the play: %d, votes in the poll: %d", ids, likes, votes), nil
}

func (e *env) state(ctx context.Context, id string) (protocol.SessionState, error) {
	var st protocol.SessionState
	a, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodGet, "/api/sessions/"+id+"/state", nil, nil)
	if err != nil {
		return st, err
	}
	if a.status != http.StatusOK {
		return st, fmt.Errorf("state: %d %s", a.status, a.body)
	}
	return st, jsonUnmarshal(a.body, &st)
}

// spoofText: names, titles, poll texts and announcements carrying
// bidirectional overrides, zero-width and C1 control characters.
// Defended: every one refused.
func spoofText(ctx context.Context, e *env) (bool, string, error) {
	refused, tried := 0, 0
	var let []string
	// A DJ display name at sign-up.
	tried++
	a, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodPost, "/api/auth/register", nil,
		protocol.RegisterRequest{Email: "spoof@pika.invalid", Password: djPassword, DisplayName: "DJ \u202eanA"})
	if err != nil {
		return false, "", err
	}
	if a.status == http.StatusBadRequest {
		refused++
	} else {
		let = append(let, fmt.Sprintf("display name U+202E (%d)", a.status))
	}
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	c, _, err := e.dialWS(ctx, e.freshIP())
	if err != nil {
		return false, "", err
	}
	defer c.close()
	tried++
	_, p, err := c.request(protocol.TypeRegisterSession, protocol.RegisterSession{Token: d.token, Name: "Night \u202egnp.exe"})
	if err != nil {
		return false, "", err
	}
	if errOf(p) != nil {
		refused++
		_, p, err = c.request(protocol.TypeRegisterSession, protocol.RegisterSession{Token: d.token, Name: "Plain night"})
		if err != nil || errOf(p) != nil {
			return false, "", fmt.Errorf("REGISTER_SESSION: %v %v", err, errOf(p))
		}
	} else {
		let = append(let, "session name U+202E")
	}
	frames := []struct {
		what    string
		typ     protocol.Type
		payload any
	}{
		{"track title U+202E", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Artist", Title: "Title \u202eevil"}}},
		{"artist U+200B", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Art\u200bist", Title: "Song"}}},
		{"poll question U+2066", protocol.TypeStartPoll, protocol.StartPoll{Question: "Vote \u2066now", Options: []string{"a", "b"}}},
		{"poll option U+200F", protocol.TypeStartPoll, protocol.StartPoll{Question: "Vote", Options: []string{"a\u200f", "b"}}},
		{"announcement U+0085", protocol.TypeAnnounce, protocol.Announce{Text: "Break \u0085 time"}},
	}
	for _, f := range frames {
		tried++
		_, p, err := c.request(f.typ, f.payload)
		if err != nil {
			return false, "", err
		}
		if errOf(p) != nil {
			refused++
		} else {
			let = append(let, f.what)
		}
	}
	figures := fmt.Sprintf("%d of %d spoofing texts refused", refused, tried)
	if len(let) > 0 {
		figures += "; accepted: " + joinShort(let)
	}
	return refused == tried, figures, nil
}
