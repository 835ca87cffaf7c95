package core

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestPINGuessedAndSetPIN: wrong PINs at the relay become a PINGuessed
// event and LiveState.PINWrong; SetPIN changes the PIN while live and
// refuses a malformed one; a PIN session goes live with a private recap
// unless the DJ chose otherwise.
func TestPINGuessedAndSetPIN(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "guarded@example.com", "DJ Guarded")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	if err := core.SetPIN(ctx, "1234"); err == nil {
		t.Error("SetPIN while not live: no error")
	}
	if err := core.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Name: "Members", PIN: "2468"}); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, func(e SessionChanged) bool { return e.ID != "" })
	status := func(pin string) int {
		req, _ := http.NewRequest(http.MethodGet, relay.URL+"/api/sessions/"+sess.ID+"/state", nil)
		req.Header.Set("X-Session-Pin", pin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status("1111")
	status("1112")
	nextEvent[PINGuessed](t, ctx, events, func(e PINGuessed) bool { return e.Wrong == 2 })
	if st := core.LiveState(); st.PINWrong != 2 {
		t.Fatalf("LiveState.PINWrong = %d, want 2", st.PINWrong)
	}
	for _, bad := range []string{"12", "abcd", "123456789"} {
		if err := core.SetPIN(ctx, bad); err == nil {
			t.Errorf("SetPIN(%q): no error", bad)
		}
	}
	if err := core.SetPIN(ctx, "8642"); err != nil {
		t.Fatal(err)
	}
	if st := core.LiveState(); st.PINWrong != 0 {
		t.Errorf("after SetPIN PINWrong = %d, want 0", st.PINWrong)
	}
	until(t, ctx, "the new PIN to work", func() bool { return status("8642") == http.StatusOK })
	if s := status("2468"); s != http.StatusForbidden {
		t.Fatalf("old PIN: %d, want 403", s)
	}
	if err := core.End(ctx); err != nil {
		t.Fatal(err)
	}
	var rc protocol.Recap
	if s := relay.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", "", nil, &rc); s != http.StatusForbidden {
		t.Fatalf("recap of a PIN session without a choice: %d, want 403 (private)", s)
	}
	if s := relay.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap?pin=8642", "", nil, &rc); s != http.StatusOK || rc.Session.PublicRecap {
		t.Fatalf("recap with the PIN: %d %+v", s, rc.Session)
	}
}

// TestResumeKeepsThePIN: an app that quit mid-set resumes without the DJ
// typing the PIN again; when the relay can no longer resume the session
// (it ended it), the new session starts with the same PIN, not open.
func TestResumeKeepsThePIN(t *testing.T) {
	for _, tc := range []struct {
		name    string
		resumes bool
	}{{"resumed", true}, {"the relay ended it meanwhile", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			var opts []relaytest.Option
			if !tc.resumes {
				opts = append(opts, relaytest.WithResumeWindow(200*time.Millisecond))
			}
			relay := relaytest.Start(t, opts...)
			token := relay.RegisterDJ(t, "keeper@example.com", "DJ Keeper")
			dir := t.TempDir()
			first := openCore(t, ctx, dir, relay, token, 0)
			if err := first.GoLiveWith(ctx, GoLiveOptions{Source: "manual", Name: "Members", PIN: "4321"}); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "the session", func() bool { return first.LiveState().Session.ID != "" })
			id := first.LiveState().Session.ID
			if err := first.Close(); err != nil { // quit while live
				t.Fatal(err)
			}
			if !tc.resumes {
				// Past the relay's window: it ends the session.
				until(t, ctx, "the relay to end the session", func() bool {
					var rc protocol.Recap
					relay.DoJSON(t, http.MethodGet, "/api/sessions/"+id+"/recap", token, nil, &rc)
					return rc.Session.EndedAt != nil
				})
			}
			second := openCore(t, ctx, dir, relay, token, 0)
			defer second.Close()
			if err := second.ResumeLeft(ctx); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "a session", func() bool { return second.LiveState().Session.ID != "" })
			st := second.LiveState()
			if st.PIN != "4321" || (st.Session.ID == id) != tc.resumes {
				t.Fatalf("after the restart: session %s (first %s), PIN %q", st.Session.ID, id, st.PIN)
			}
			c := relay.Dial(t, nil)
			if f := c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: st.Session.ID}); f.Err() == nil || f.Err().Code != protocol.CodePINRequired {
				t.Errorf("a dancer without the PIN: %+v, want pin_required", f)
			}
		})
	}
}
