package livelink

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// BenchmarkPlayToDancer measures a play from SendNowPlaying (stored in the
// outbox, sent, stored by the relay) to a dancer's page, over loopback.
func BenchmarkPlayToDancer(b *testing.B) {
	r := relaytest.Start(b)
	token := r.RegisterDJ(b, "bench@example.com", "DJ Bench")
	db := openDB(b)
	c, err := New(Config{RelayURL: r.URL, Token: token, SessionName: "Bench", Logger: slog.New(slog.DiscardHandler)}, db)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = c.Run(ctx) }()
	if err := c.GoLive(ctx); err != nil {
		b.Fatal(err)
	}
	var sess Session
	for sess.ID == "" {
		select {
		case e := <-c.Events():
			if reg, ok := e.(Registered); ok {
				sess = reg.Session
			}
		case <-time.After(waitLong):
			b.Fatal("not registered")
		}
	}
	go func() { // nobody else reads the client's events here
		for range c.Events() {
		}
	}()
	conn, _, err := websocket.DefaultDialer.Dial(r.WSURL, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if err := conn.WriteMessage(websocket.TextMessage, protocol.Encode(protocol.TypeSubscribe, "s", protocol.Subscribe{SessionID: sess.ID, ClientID: "bench-dancer-1"})); err != nil {
		b.Fatal(err)
	}
	next := func(want protocol.Type) {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(waitLong))
			_, data, err := conn.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			env, _, err := protocol.DecodeServer(data)
			if err != nil {
				b.Fatal(err)
			}
			if env.Type == want {
				return
			}
		}
	}
	next(protocol.TypeSessionState)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr := protocol.Track{Artist: "Bench", Title: fmt.Sprint("Track ", i)}
		if err := c.SendNowPlaying(ctx, tr, time.Now()); err != nil {
			b.Fatal(err)
		}
		next(protocol.TypeNowPlaying)
	}
}
