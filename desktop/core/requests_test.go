package core

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// dancerSearch searches the catalogue as a dancer's page does.
func dancerSearch(t *testing.T, c *relaytest.Client, q string) []protocol.CatalogueHit {
	t.Helper()
	id := c.Send(t, protocol.TypeSearchCatalogue, protocol.SearchCatalogue{Query: q})
	for {
		f := c.Next(t)
		if f.ID != id {
			continue
		}
		if e := f.Err(); e != nil {
			t.Fatalf("search %q: %s", q, e)
		}
		return f.Payload.(*protocol.CatalogueResults).Tracks
	}
}

// searchUntil searches until q finds one track, at the pace of a dancer
// typing (the relay rate limits searches).
func searchUntil(t *testing.T, ctx context.Context, c *relaytest.Client, q string) {
	t.Helper()
	for len(dancerSearch(t, c, q)) != 1 {
		select {
		case <-ctx.Done():
			t.Fatalf("%q never found one track: %v", q, ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// TestRequestsFromTheLibrary: the core publishes the library as the
// request list, follows the library as it grows, shows the queue sorted
// with each request's fit to the track playing, accepts a request, and
// marks it played when the track is played; the dancers see each step.
func TestRequestsFromTheLibrary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "req@example.com", "DJ Req")
	music, later := t.TempDir(), t.TempDir()
	for _, f := range []string{"02-bvfunk-112-Dmin.mp3", "06-dsoul-96-Fmaj.mp3"} {
		copyInto(t, music, f)
	}
	copyInto(t, later, "16-rnb-98-Cmaj.mp3")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	if _, err := core.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	if err := core.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	tracks, err := core.Tracks(ctx, library.Filter{State: library.StateAnalysed})
	if err != nil || len(tracks) != 2 {
		t.Fatalf("analysed tracks: %d, %v", len(tracks), err)
	}
	byTitle := map[string]library.Track{}
	for _, tr := range tracks {
		byTitle[tr.Protocol().Title] = tr
	}
	funk, soul := byTitle["02-bvfunk-112-Dmin"], byTitle["06-dsoul-96-Fmaj"]
	if funk.ID == 0 || soul.ID == 0 {
		t.Fatalf("tracks by title: %v", byTitle)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.SetRequests(ctx, RequestsOptions{Enabled: true}); err == nil {
		t.Fatal("requests turned on before going live")
	}
	if err := core.GoLive(ctx, "manual", "Requests from the library", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	if err := core.SetRequests(ctx, RequestsOptions{Enabled: true, Folders: []string{music}}); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the outbox to drain", func() bool { return core.LiveState().Outbox == 0 })
	if v := core.Requests(); v.Catalogue != 2 || !v.Options.Enabled {
		t.Fatalf("requests view %+v, want 2 tracks published", v)
	}

	ann, st := relay.Join(t, sess.ID, "page-ann", "")
	cem, _ := relay.Join(t, sess.ID, "page-cem", "")
	if st.Requests == nil || !st.Requests.Open || st.Requests.Tracks != 2 {
		t.Fatalf("dancer's requests status %+v", st.Requests)
	}
	hits := dancerSearch(t, ann, "bvfunk")
	if len(hits) != 1 || hits[0].ID != strconv.FormatInt(funk.ID, 10) || hits[0].BPM == nil {
		t.Fatalf("search bvfunk = %+v, want the funk track with its BPM", hits)
	}

	// The soul track plays; both dancers ask for the funk one.
	if err := core.SendManual(ctx, soul.ID); err != nil {
		t.Fatal(err)
	}
	nextEvent[Playing](t, ctx, events, nil)
	ann.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: hits[0].ID})
	cem.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: hits[0].ID})
	until(t, ctx, "one request asked by two", func() bool {
		q := core.Requests().Queue
		return len(q) == 1 && q[0].Count == 2
	})
	v := core.Requests()
	q := v.Queue[0]
	if q.BPMDelta == nil || *q.BPMDelta < 5 || q.KeyFit == "" {
		t.Errorf("fit of funk after soul: delta %v, key %q; want about +16 BPM and a key fit", q.BPMDelta, q.KeyFit)
	}
	if fit := q.Fit(v.NowPlaying); fit == "" {
		t.Error("no fit text")
	}
	// The assistant ranks what the room asks for.
	if open := core.OpenRequests(); len(open) != 1 || open[0].TrackID != funk.ID || open[0].Count != 2 {
		t.Errorf("open requests for the assistant: %+v, want track %d ×2", open, funk.ID)
	}

	if err := core.AnswerRequest(ctx, q.RequestID, protocol.RequestAccepted, ""); err != nil {
		t.Fatal(err)
	}
	ann.ExpectWhere(t, protocol.TypeMyRequest, func(f relaytest.Frame) bool {
		return f.Payload.(*protocol.MyRequest).Request.State == protocol.RequestAccepted
	})
	// The DJ plays it: it is marked played without a click.
	if err := core.SendManual(ctx, funk.ID); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*relaytest.Client{ann, cem} {
		d.ExpectWhere(t, protocol.TypeMyRequest, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.MyRequest).Request.State == protocol.RequestPlayed
		})
	}
	until(t, ctx, "an empty queue", func() bool { return len(core.Requests().Queue) == 0 })

	// Tracks outside the chosen folder are not requestable; choosing the
	// whole library publishes them; a track imported later follows.
	if _, err := core.ImportFolder(ctx, later); err != nil {
		t.Fatal(err)
	}
	lr, err := core.liveRun()
	if err != nil {
		t.Fatal(err)
	}
	if err := lr.refreshCatalogue(ctx); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the outbox to drain", func() bool { return core.LiveState().Outbox == 0 })
	if got := dancerSearch(t, ann, "rnb"); len(got) != 0 {
		t.Fatalf("a track outside the chosen folder is requestable: %+v", got)
	}
	if err := core.SetRequests(ctx, RequestsOptions{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	searchUntil(t, ctx, ann, "rnb")
	if v := core.Requests(); v.Catalogue != 3 {
		t.Errorf("catalogue %d, want 3", v.Catalogue)
	}
	copyInto(t, later, "21-softrock-118-Fmin.mp3")
	if _, err := core.ImportFolder(ctx, later); err != nil {
		t.Fatal(err)
	}
	searchUntil(t, ctx, ann, "softrock")
}

func TestCamelotFit(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"8A", "8A", "same key"},
		{"8A", "9A", "+1"},
		{"12B", "1B", "+1"},
		{"1A", "12A", "−1"},
		{"8A", "8B", "relative"},
		{"8A", "3B", "clash"},
		{"8A", "", ""},
		{"x", "8A", ""},
	} {
		if got := camelotFit(tc.a, tc.b); got != tc.want {
			t.Errorf("camelotFit(%s, %s) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestUnderAny(t *testing.T) {
	for _, tc := range []struct {
		path    string
		folders []string
		want    bool
	}{
		{"/music/salsa/a.mp3", nil, true},
		{"/music/salsa/a.mp3", []string{"/music/salsa"}, true},
		{"/music/salsa2/a.mp3", []string{"/music/salsa"}, false},
		{"/music/a.mp3", []string{"/music/salsa", "/music"}, true},
		{"/other/a.mp3", []string{"/music"}, false},
	} {
		if got := underAny(tc.path, tc.folders); got != tc.want {
			t.Errorf("underAny(%s, %v) = %v, want %v", tc.path, tc.folders, got, tc.want)
		}
	}
}

func ExampleQueuedRequest_Fit() {
	bpm, now := 101.0, 98.0
	d := bpm - now
	q := QueuedRequest{Request: protocol.Request{Camelot: "9A"}, BPMDelta: &d, KeyFit: "+1"}
	fmt.Println(q.Fit(&protocol.Track{Camelot: "8A"}))
	// Output: +3 BPM · 8A → 9A (+1)
}

// TestRequestListAfterRelayRestart: a relay keeps the request list in
// memory only; after it restarts, the core sends the list again when it
// resumes, and the requests made before are still there.
func TestRequestListAfterRelayRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "restart@example.com", "DJ Restart")
	music := t.TempDir()
	copyInto(t, music, "06-dsoul-96-Fmaj.mp3")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	if _, err := core.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Restart night", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	if err := core.SetRequests(ctx, RequestsOptions{Enabled: true, FreeText: true}); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the outbox to drain", func() bool { return core.LiveState().Outbox == 0 })
	ann, _ := relay.Join(t, sess.ID, "page-ann", "")
	ann.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{Text: "something slow?"})
	until(t, ctx, "the free-text request", func() bool { return len(core.Requests().Queue) == 1 })
	if open := core.OpenRequests(); len(open) != 0 {
		t.Errorf("a free-text request given to the assistant: %+v", open)
	}

	relay.Restart(t)
	cem, st := relay.Join(t, sess.ID, "page-cem", "")
	if st.Requests == nil || !st.Requests.FreeText {
		t.Fatalf("requests after the restart: %+v", st.Requests)
	}
	searchUntil(t, ctx, cem, "dsoul")
	if q := core.Requests().Queue; len(q) != 1 || q[0].Text != "something slow?" {
		t.Fatalf("queue after the restart: %+v", q)
	}
}
