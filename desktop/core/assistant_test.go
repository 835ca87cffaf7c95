package core

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/assistant"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// knownTracks puts files with known numbers in the library (the analysis
// is stored as if measured, so no audio is decoded).
func knownTracks(t *testing.T, ctx context.Context, c *Core, tracks map[string]library.Analysis) map[string]library.Track {
	t.Helper()
	dir := t.TempDir()
	out := map[string]library.Track{}
	for name, a := range tracks {
		p := filepath.Join(dir, name+".wav")
		if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
			t.Fatal(err)
		}
		tr, err := c.Library().ImportFile(ctx, p, library.SourceFolder)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Library().SetAnalysis(ctx, tr.ID, a); err != nil {
			t.Fatal(err)
		}
		if tr, err = c.Library().Track(ctx, tr.ID); err != nil {
			t.Fatal(err)
		}
		out[name] = tr
	}
	return out
}

// Against a real relay: a play's warnings are published as it goes out and
// are there to confirm before a manual send; the room's tempo votes and
// the set's plays steer the suggestions; a manual correction is what the
// dancers get.
func TestWarningsSuggestionsAndCorrections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "wen@example.com", "DJ Wen")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	an := func(bpm float64, camelot string, energy float64) library.Analysis {
		_, name, _ := library.NormalizeKey(camelot)
		return library.Analysis{BPM: bpm, Key: name, Camelot: camelot, KeyConfidence: 0.9, Energy: energy}
	}
	lib := knownTracks(t, ctx, core, map[string]library.Analysis{
		"Opener":  an(98, "8A", 60),
		"Jumper":  an(110, "3B", 60),
		"Slower":  an(102, "3B", 60), // after Jumper: the room asks −4
		"Double":  an(212, "3B", 60), // measured at double time
		"Neutral": an(108, "4A", 30),
	})
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, "manual", "Assistant", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	var dancers []*relaytest.Client
	for _, id := range []string{"dancer-wen-1", "dancer-wen-2", "dancer-wen-3"} {
		d, _ := relay.Join(t, sess.ID, id, "")
		dancers = append(dancers, d)
	}

	if w, err := core.WarningsFor(ctx, lib["Opener"].ID); err != nil || len(w) != 0 {
		t.Fatalf("warnings before the first play: %q, %v", w, err)
	}
	if err := core.SendManual(ctx, lib["Opener"].ID); err != nil {
		t.Fatal(err)
	}
	play := dancers[0].Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	until(t, ctx, "the opener's play id", func() bool {
		np := core.LiveState().NowPlaying
		return np != nil && np.PlayID == play.PlayID
	})

	tests := []struct {
		next string
		want []string
	}{
		{"Jumper", []string{"Big tempo jump: 98 → 110 BPM (+12 %)", "Key clash: 8A → 3B"}},
		{"Neutral", []string{"Big tempo jump: 98 → 108 BPM (+10 %)", "Key clash: 8A → 4A"}},
		{"Opener", nil}, // the track playing now: a correction, no warning
	}
	for _, tt := range tests {
		got, err := core.WarningsFor(ctx, lib[tt.next].ID)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("warnings for %s: %q, %v; want %q", tt.next, got, err, tt.want)
		}
	}

	if err := core.SendManual(ctx, lib["Jumper"].ID); err != nil {
		t.Fatal(err)
	}
	w := nextEvent[TrackWarnings](t, ctx, events, nil)
	if w.Track.Title != lib["Jumper"].Protocol().Title || len(w.Warnings) != 2 {
		t.Fatalf("warnings event %+v", w)
	}
	jumper := dancers[0].Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	until(t, ctx, "the jumper's play id", func() bool {
		st := core.LiveState()
		return st.NowPlaying != nil && st.NowPlaying.PlayID == jumper.PlayID && len(st.Warnings) == 2
	})
	// Two of three dancers find it too fast.
	for i, d := range dancers {
		vote := protocol.VoteSlower
		if i == 2 {
			vote = protocol.VotePerfect
		}
		d.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: jumper.PlayID, Vote: vote})
	}
	until(t, ctx, "the tempo votes", func() bool { st := core.LiveState(); return st.Tempo.Slower == 2 && st.Tempo.Perfect == 1 })

	res, err := core.Suggest(ctx, []assistant.Request{{TrackID: lib["Neutral"].ID, Count: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Room.Text() != "the room says slower: −5 BPM" {
		t.Errorf("room %q", res.Room.Text())
	}
	var names []string
	for _, s := range res.Suggestions {
		names = append(names, s.Track.Protocol().Title+": "+s.Why)
	}
	// Double is 212 BPM, outside any mix; Opener was played; Jumper plays.
	want := []string{"Slower: 3B → 3B, 110 → 102 BPM (as the room asks)", "Neutral: 3B → 4A, 110 → 108 BPM (as the room asks), energy 60 → 30, requested ×2"}
	if !slices.Equal(names, want) {
		t.Errorf("suggestions %q, want %q", names, want)
	}

	// A repeat is a warning; the corrected tempo is what the relay gets.
	if got, _ := core.WarningsFor(ctx, lib["Opener"].ID); len(got) != 3 || !strings.HasPrefix(got[2], "Already played in this set at ") {
		t.Errorf("warnings for a repeat: %q", got)
	}
	fixed, err := core.SetTrackBPM(ctx, lib["Double"].ID, library.BPMFixes[1].Fixed(lib["Double"].BPM()))
	if err != nil || fixed.BPM() != 106 {
		t.Fatalf("corrected: %g, %v", fixed.BPM(), err)
	}
	if _, err := core.SetTrackKey(ctx, lib["Double"].ID, "Ab major"); err != nil {
		t.Fatal(err)
	}
	if got, _ := core.WarningsFor(ctx, lib["Double"].ID); len(got) != 0 {
		t.Errorf("warnings after the correction: %q", got)
	}
	if err := core.SendManual(ctx, lib["Double"].ID); err != nil {
		t.Fatal(err)
	}
	sent := dancers[1].ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
		return f.Payload.(*protocol.Play).Track.Title == lib["Double"].Protocol().Title
	}).Payload.(*protocol.Play)
	if sent.Track.BPM == nil || *sent.Track.BPM != 106 || sent.Track.Camelot != "4B" || sent.Track.KeyConfidence != nil {
		t.Errorf("the relay got %+v; want the corrected 106 BPM, 4B", sent.Track)
	}

	// Corrected while it plays: the dancers get the new tempo as an update
	// of the same play.
	until(t, ctx, "the corrected play's id", func() bool {
		np := core.LiveState().NowPlaying
		return np != nil && np.PlayID == sent.PlayID
	})
	if _, err := core.SetTrackBPM(ctx, lib["Double"].ID, 107); err != nil {
		t.Fatal(err)
	}
	upd := dancers[2].ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
		p := f.Payload.(*protocol.Play)
		return p.Track.BPM != nil && *p.Track.BPM == 107
	}).Payload.(*protocol.Play)
	if upd.PlayID != sent.PlayID || upd.Track.BPM == nil || *upd.Track.BPM != 107 {
		t.Errorf("after a correction while playing: play %s %+v; want play %s at 107", upd.PlayID, upd, sent.PlayID)
	}
	if w := core.LiveState().Warnings; len(w) != 0 {
		t.Errorf("the update counts as a new play: warnings %q", w)
	}
}

// After a restart the resumed set still knows what it played: a repeat is
// warned of, the jump is measured from the last play, and the room's votes
// on it still count.
func TestResumedSetRemembersItsPlays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "res@example.com", "DJ Res")
	cfgDir := t.TempDir()
	first := openCore(t, ctx, cfgDir, relay, token, 0)
	an := func(bpm float64, camelot string) library.Analysis {
		_, name, _ := library.NormalizeKey(camelot)
		return library.Analysis{BPM: bpm, Key: name, Camelot: camelot, KeyConfidence: 0.9}
	}
	lib := knownTracks(t, ctx, first, map[string]library.Analysis{"Early": an(98, "8A"), "Last": an(100, "8A"), "Next": an(120, "8A")})
	events, stop := first.Events()
	if err := first.GoLive(ctx, "manual", "Resumed", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil).Session
	stop()
	dancer, _ := relay.Join(t, sess.ID, "dancer-res-1", "")
	for _, name := range []string{"Early", "Last"} {
		if err := first.SendManual(ctx, lib[name].ID); err != nil {
			t.Fatal(err)
		}
		pl := dancer.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.Play).Track.Title == name
		}).Payload.(*protocol.Play)
		if name == "Last" {
			dancer.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: pl.PlayID, Vote: protocol.VoteSlower})
		}
	}
	until(t, ctx, "the outbox to drain", func() bool { return first.LiveState().Outbox == 0 })
	if err := first.Close(); err != nil { // a crash, a restart
		t.Fatal(err)
	}

	second := openCore(t, ctx, cfgDir, relay, token, 0)
	defer second.Close()
	events2, stop2 := second.Events()
	defer stop2()
	if err := second.GoLive(ctx, "manual", "Resumed", ""); err != nil {
		t.Fatal(err)
	}
	if s := nextEvent[SessionChanged](t, ctx, events2, nil).Session; s.ID != sess.ID || !s.Resumed {
		t.Fatalf("session %+v, want %s resumed", s, sess.ID)
	}
	var got []string
	until(t, ctx, "the resumed set's plays", func() bool {
		got, _ = second.WarningsFor(ctx, lib["Early"].ID)
		return len(got) > 0
	})
	if len(got) != 1 || !strings.HasPrefix(got[0], "Already played in this set at ") {
		t.Errorf("warnings for a repeat after the restart: %q", got)
	}
	if got, _ := second.WarningsFor(ctx, lib["Next"].ID); !slices.Equal(got, []string{"Big tempo jump: 100 → 120 BPM (+20 %)"}) {
		t.Errorf("warnings for the next track: %q", got)
	}
	if err := second.SendManual(ctx, lib["Next"].ID); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the next play", func() bool {
		np := second.LiveState().NowPlaying
		return np != nil && np.LibraryID == lib["Next"].ID
	})
	if w := second.LiveState().Warnings; !slices.Equal(w, []string{"Big tempo jump: 100 → 120 BPM (+20 %)"}) {
		t.Errorf("warnings of the next play: %q", w)
	}
}
