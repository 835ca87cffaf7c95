package core

import (
	"context"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// A session left live by a run that quit is offered at the next start;
// resuming carries on with the same session, ending it ends it on the relay.
func TestLeftSessionResumeAndEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  bool
	}{{"resume", false}, {"end it", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			relay := relaytest.Start(t)
			token := relay.RegisterDJ(t, "fay@example.com", "DJ Fay")
			dir := t.TempDir()
			first := openCore(t, ctx, dir, relay, token, 0)
			if _, ok, err := first.LeftLive(ctx); ok || err != nil {
				t.Fatalf("a fresh library offers a left session: %v %v", ok, err)
			}
			if err := first.GoLive(ctx, "manual", "Late Blues", ""); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "the session", func() bool { return first.LiveState().Session.ID != "" })
			id := first.LiveState().Session.ID
			if err := first.Close(); err != nil { // quit while live
				t.Fatal(err)
			}

			second := openCore(t, ctx, dir, relay, token, 0)
			defer second.Close()
			left, ok, err := second.LeftLive(ctx)
			if err != nil || !ok || left.ID != id || left.Name != "Late Blues" || left.Source != "manual" ||
				time.Since(left.LastConnected) > protocol.ResumeWindow {
				t.Fatalf("left session %+v ok=%v err=%v, want %s named Late Blues", left, ok, err, id)
			}
			dancer, _ := relay.Join(t, id, "dancer-fay-0001", "")
			if !tc.end {
				if err := second.ResumeLeft(ctx); err != nil {
					t.Fatal(err)
				}
				until(t, ctx, "the resumed session", func() bool { return second.LiveState().Session.ID != "" })
				if st := second.LiveState(); st.Session.ID != id || !st.Session.Resumed {
					t.Errorf("resumed %+v, want session %s resumed", st.Session, id)
				}
				return
			}
			if err := second.EndLeft(ctx); err != nil {
				t.Fatal(err)
			}
			dancer.Expect(t, protocol.TypeSessionEnded)
			if _, ok, _ := second.LeftLive(ctx); ok {
				t.Error("an ended session is still offered")
			}
		})
	}
}
