package livelink

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// cutProxy forwards TCP connections to a relay until cut drops them all,
// as a venue's Wi-Fi does; new connections go through again.
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestResumeCatchesUp: the DJ's link drops while dancers like; on resume
// the app names the last broadcast it saw and gets just the ones it
// missed (no SESSION_STATE), so its like count is right again.
func TestResumeCatchesUp(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "cat@example.com", "DJ Cat")
	proxy := startCutProxy(t, strings.TrimPrefix(r.URL, "http://"))
	logs := &syncBuf{}
	h, sess := liveClient(t, relaytest.External(proxy.url(), r.DBPath), token, openDB(t), logs)
	if err := h.c.SendNowPlaying(context.Background(), track(1), time.Now()); err != nil {
		t.Fatal(err)
	}
	played := waitFor[PlayStarted](t, h.c).Play

	d, _ := newDancer(t, r, sess.ID)
	d.send(protocol.TypeLike, "l1", protocol.Like{PlayID: played.PlayID})
	if got := waitFor[Likes](t, h.c); got.Count != 1 {
		t.Fatalf("likes %d, want 1", got.Count)
	}

	proxy.cut()
	waitFor[Disconnected](t, h.c)
	// Liked while the DJ is away: the DJ's app misses the count.
	other, _ := relaytest.External(r.URL, r.DBPath).Join(t, sess.ID, "second-dancer", "")
	other.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: played.PlayID})
	expect[*protocol.LikeCount](d, protocol.TypeLikeCount)

	reg := waitFor[Registered](t, h.c)
	if !reg.Session.Resumed {
		t.Fatalf("not resumed: %+v", reg.Session)
	}
	if got := waitFor[Likes](t, h.c); got.PlayID != played.PlayID || got.Count != 2 {
		t.Fatalf("after the resume: likes %+v, want 2 for %s", got.LikeCount, played.PlayID)
	}
	if l := logs.String(); !strings.Contains(l, "caughtUp=true") || strings.Contains(l, "caughtUp=false") {
		t.Errorf("the resume was not a catch-up:\n%s", l)
	}
}
