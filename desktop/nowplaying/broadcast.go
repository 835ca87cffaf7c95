package nowplaying

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Broadcast is a small Icecast-compatible source receiver on 127.0.0.1:
// Traktor (and any encoder that speaks Icecast: ffmpeg, butt, Mixxx, BUTT)
// streams to it, and each track's artist and title are taken from the
// stream: Ogg Vorbis/Opus comment headers (Traktor starts a new logical
// stream with a new comment header at every track) or Icecast's metadata
// update request (/admin/metadata?mode=updinfo&song=…, used for MP3).
// The audio itself is read and dropped. Traktor writes its history file
// only late, so its broadcast is the route that works live; what it
// broadcasts is by definition on air, never a headphone preview.
type Broadcast struct {
	addr     string
	password string
	opt      Options

	mu     sync.Mutex
	bound  string
	listen chan struct{}

	nml       *traktorCollection
	nmlErrMu  sync.Mutex
	nmlErrMsg string
}

// Broadcast defaults: Icecast's usual port; the password when the DJ sets
// none (it only guards a port on 127.0.0.1).
const (
	DefaultBroadcastPort     = 8000
	DefaultBroadcastPassword = "pika"
	// maxBroadcastHeader bounds a source's request head.
	maxBroadcastHeader = 16 << 10
	// maxOggPacket bounds a comment packet kept for parsing; a larger one
	// (embedded cover art) is skipped.
	maxOggPacket = 256 << 10
)

// NewBroadcast returns a receiver on 127.0.0.1:port (0: any free port)
// accepting sources that give password (empty: DefaultBroadcastPassword).
func NewBroadcast(port int, password string, opt Options) *Broadcast {
	if password == "" {
		password = DefaultBroadcastPassword
	}
	return &Broadcast{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), password: password, opt: opt.withDefaults(), listen: make(chan struct{}),
		nml: &traktorCollection{path: opt.TraktorCollection}}
}

// enriched adds path, BPM and key from Traktor's collection; a collection
// that cannot be read is logged once per distinct problem.
func (b *Broadcast) enriched(e Event) Event {
	err := b.nml.enrich(&e)
	b.nmlErrMu.Lock()
	defer b.nmlErrMu.Unlock()
	if err != nil && err.Error() != b.nmlErrMsg {
		b.opt.Logger.Warn("traktor: collection.nml not read; plays keep artist and title only", "err", err)
	}
	b.nmlErrMsg = ""
	if err != nil {
		b.nmlErrMsg = err.Error()
	}
	return e
}

// newBroadcastFromSpec reads a spec location: empty or a port.
func newBroadcastFromSpec(loc string, opt Options) (Watcher, error) {
	port := DefaultBroadcastPort
	if loc != "" {
		p, err := strconv.Atoi(strings.TrimSpace(loc))
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("traktor: %q is not a port: use traktor[:PORT], e.g. traktor:8000", loc)
		}
		port = p
	}
	if opt.TraktorCollection == "" {
		opt.TraktorCollection = os.Getenv("PIKA_TRAKTOR_COLLECTION")
	}
	pw := opt.BroadcastPassword
	if pw == "" {
		pw = os.Getenv("PIKA_BROADCAST_PASSWORD")
	}
	return NewBroadcast(port, pw, opt), nil
}

// Addr returns the address listened on once Run has started listening.
func (b *Broadcast) Addr(ctx context.Context) (string, error) {
	select {
	case <-b.listen:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bound == "" {
		return "", errors.New("traktor: not listening")
	}
	return b.bound, nil
}

// Run implements Watcher: it listens until ctx is done. A port in use is
// an error the DJ must act on (another Icecast, or a second Pika!).
func (b *Broadcast) Run(ctx context.Context, out chan<- Event) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", b.addr)
	if err != nil {
		close(b.listen)
		b.opt.report(Status{State: StateUnreadable, Location: b.addr, Problem: "port " + b.addr + " is in use (another Icecast or Pika!?): pick another with traktor:PORT"})
		return fmt.Errorf("traktor broadcast: cannot listen on %s (is another Icecast or Pika! using it? pick another port with traktor:PORT): %w", b.addr, err)
	}
	b.mu.Lock()
	b.bound = ln.Addr().String()
	b.mu.Unlock()
	close(b.listen)
	b.opt.report(Status{State: StateNoBroadcast, Location: b.bound})
	_, port, _ := net.SplitHostPort(b.bound)
	b.opt.Logger.Info("traktor: waiting for the broadcast; in Traktor's Preferences > Broadcasting set Address 127.0.0.1, Port "+port+", Mount Path /, the password, format Ogg Vorbis", "addr", b.bound)
	if b.opt.ready != nil {
		b.opt.ready()
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	// One dedup across connections: Traktor reconnecting (or restarting)
	// sends the header of the track already announced.
	d := &dedup{}
	var mu sync.Mutex
	streams := 0
	streaming := func(delta int) {
		mu.Lock()
		defer mu.Unlock()
		streams += delta
		if streams > 0 {
			b.opt.report(Status{State: StateWaiting, Location: b.bound})
		} else if ctx.Err() == nil {
			b.opt.report(Status{State: StateNoBroadcast, Location: b.bound})
		}
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			b.opt.Logger.Warn("traktor: accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			if err := b.serve(ctx, c, out, d, streaming); err != nil && ctx.Err() == nil {
				b.opt.Logger.Warn("traktor: broadcast connection ended", "err", err)
			}
		}()
	}
}

// dedup drops a track equal to the one announced last: a reconnecting
// source repeats the current track's metadata.
type dedup struct {
	mu   sync.Mutex
	last string
}

func (d *dedup) fresh(e Event) bool {
	k := strings.ToLower(e.Artist + "\x00" + e.Title)
	d.mu.Lock()
	defer d.mu.Unlock()
	if k == d.last {
		return false
	}
	d.last = k
	return true
}

func (b *Broadcast) serve(ctx context.Context, c net.Conn, out chan<- Event, d *dedup, streaming func(int)) error {
	br := bufio.NewReaderSize(io.LimitReader(c, 1<<62), 4096)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	method, target, hdr, err := readHead(br)
	if err != nil {
		return err
	}
	c.SetReadDeadline(time.Time{})
	if !b.authorized(hdr.Get("Authorization")) {
		io.WriteString(c, "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Pika!\"\r\n\r\n")
		return fmt.Errorf("a source at %s gave a wrong password: check the password in Traktor's broadcasting settings", c.RemoteAddr())
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		io.WriteString(c, "HTTP/1.0 400 Bad Request\r\n\r\n")
		return fmt.Errorf("bad request target %q", target)
	}
	switch {
	case method == "GET" && u.Path == "/admin/metadata":
		q := u.Query()
		io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version=\"1.0\"?>\n<iceresponse><message>Metadata update successful</message><return>1</return></iceresponse>\n")
		if q.Get("mode") != "updinfo" {
			return nil
		}
		e := Event{Source: SourceTraktor, StartedAt: b.opt.Now()}
		if song := q.Get("song"); song != "" {
			e.Artist, e.Title = splitArtistTitle(song)
		} else {
			e.Artist, e.Title = q.Get("artist"), q.Get("title")
		}
		e.Artist, e.Title = clip(strings.TrimSpace(e.Artist)), clip(strings.TrimSpace(e.Title))
		if (e.Artist != "" || e.Title != "") && d.fresh(e) {
			send(ctx, out, b.enriched(e))
		}
		return nil
	case method == "SOURCE" || method == "PUT":
	default:
		io.WriteString(c, "HTTP/1.0 405 Method Not Allowed\r\n\r\n")
		return fmt.Errorf("unexpected %s request", method)
	}
	// A source that asked to be told to go on (ffmpeg's PUT) gets only
	// that: it never reads a later reply, and unread bytes make its close
	// a reset that can drop the stream's last bytes before they are read.
	if strings.EqualFold(hdr.Get("Expect"), "100-continue") {
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
	} else {
		io.WriteString(c, "HTTP/1.0 200 OK\r\n\r\n")
	}
	b.opt.Logger.Info("traktor: broadcast connected", "mount", u.Path, "type", hdr.Get("Content-Type"))
	streaming(1)
	defer streaming(-1)
	var body io.Reader = br
	if strings.EqualFold(hdr.Get("Transfer-Encoding"), "chunked") {
		body = httpChunked(br)
	}
	ct := strings.ToLower(hdr.Get("Content-Type"))
	if !strings.Contains(ct, "ogg") && !strings.Contains(ct, "opus") {
		// MP3 and AAC carry no metadata in the stream: it comes through
		// /admin/metadata. Drain the audio.
		_, err := io.Copy(io.Discard, body)
		return ignoreClosed(err)
	}
	return ignoreClosed(readOggComments(body, func(tags map[string]string) {
		e := Event{Source: SourceTraktor, StartedAt: b.opt.Now(),
			Artist: clip(strings.TrimSpace(tags["ARTIST"])), Title: clip(strings.TrimSpace(tags["TITLE"]))}
		if e.Artist == "" && e.Title == "" {
			return
		}
		if d.fresh(e) {
			send(ctx, out, b.enriched(e))
		}
	}))
}

func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (b *Broadcast) authorized(h string) bool {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	// Any user name: Traktor sends "source", others the mount's owner.
	_, pw, _ := strings.Cut(string(raw), ":")
	return subtle.ConstantTimeCompare([]byte(pw), []byte(b.password)) == 1
}

// readHead reads an HTTP/ICE request line and headers (SOURCE is not a
// method net/http accepts, so the head is read by hand).
func readHead(br *bufio.Reader) (method, target string, hdr http.Header, err error) {
	hdr = http.Header{}
	n := 0
	line := func() (string, error) {
		s, err := br.ReadString('\n')
		n += len(s)
		if n > maxBroadcastHeader {
			return "", errors.New("request head too long")
		}
		return strings.TrimRight(s, "\r\n"), err
	}
	first, err := line()
	if err != nil {
		return "", "", nil, fmt.Errorf("read request: %w", err)
	}
	parts := strings.Fields(first)
	if len(parts) < 2 {
		return "", "", nil, fmt.Errorf("bad request line %q", first)
	}
	for {
		l, err := line()
		if err != nil {
			return "", "", nil, fmt.Errorf("read headers: %w", err)
		}
		if l == "" {
			return strings.ToUpper(parts[0]), parts[1], hdr, nil
		}
		k, v, ok := strings.Cut(l, ":")
		if ok {
			hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
}

// httpChunked decodes a chunked body.
func httpChunked(br *bufio.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			sz, _, _ := strings.Cut(strings.TrimSpace(l), ";")
			n, err := strconv.ParseInt(sz, 16, 64)
			if err != nil || n < 0 {
				pw.CloseWithError(fmt.Errorf("bad chunk size %q", l))
				return
			}
			if n == 0 {
				pw.Close()
				return
			}
			if _, err := io.CopyN(pw, br, n); err != nil {
				pw.CloseWithError(err)
				return
			}
			br.ReadString('\n')
		}
	}()
	return pr
}
