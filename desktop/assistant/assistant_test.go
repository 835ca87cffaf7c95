package assistant

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/repeats"
	"github.com/pikadj/pika/shared/protocol"
)

func ptr(v float64) *float64 { return &v }

// track is an analysed library track with known numbers.
func track(id int64, title string, bpm float64, camelot string, energy float64) library.Track {
	_, name, _ := library.NormalizeKey(camelot)
	return library.Track{ID: id, Path: fmt.Sprintf("/music/%s.mp3", title), State: library.StateAnalysed,
		Tags:     library.Tags{Artist: "Band " + title, Title: title},
		Analysis: &library.Analysis{BPM: bpm, Key: name, Camelot: camelot, KeyConfidence: 0.9, Energy: energy}}
}

// The small library: what plays now is 98 BPM, 8A, energy 60.
var (
	now   = protocol.Track{Artist: "Band Now", Title: "Now", BPM: ptr(98), Camelot: "8A", Energy: ptr(60)}
	small = []library.Track{
		track(1, "Twin", 98, "8A", 60),       // the same everything
		track(2, "Neighbour", 101, "9A", 62), // one step round the wheel, 3 BPM up
		track(3, "Clash", 98, "3B", 60),      // right tempo, wrong key
		track(4, "Racer", 120, "8A", 60),     // right key, far too fast
		track(5, "Slower", 94, "8B", 58),     // relative major, 4 BPM down
		track(6, "PlayedHere", 98, "8A", 60), // this set played it
		track(7, "PlayedThere", 98, "8A", 60),
		track(8, "Gone", 98, "8A", 60),        // not on this computer
		track(9, "Asked", 103, "4A", 60),      // a clash, 5 up: requested
		track(10, "Calm", 99, "8A", 20),       // a big drop in energy
		track(11, "Twin", 98, "8A", 60),       // a second copy of song 1
		track(12, "NowCopy", 98, "8A", 60),    // the track playing now, by id
		track(13, "StepUp", 103, "8A", 60),    // a deliberate step up
		track(14, "Unknown", 0, "", 0),        // nothing known
		track(15, "Corrected", 196, "8A", 60), // analysed at double time, corrected by hand
	}
)

func init() {
	small[7].State = library.StateMissing
	small[10].Tags.Artist = "band twin" // same song as 1, other spelling
	small[11].Tags = library.Tags{Artist: "Band Now", Title: "Now"}
	small[13].Analysis = nil
	small[13].State = library.StatePending
	small[14].ManualBPM = 98
}

func ids(ss []Suggestion) []int64 {
	var out []int64
	for _, s := range ss {
		out = append(out, s.Track.ID)
	}
	return out
}

func TestSuggest(t *testing.T) {
	at := time.Date(2026, 12, 4, 21, 40, 0, 0, time.UTC)
	var played Played
	played.Add("Band PlayedHere", "PlayedHere", at)
	played.Event = repeats.New([]protocol.EventPlay{{DJName: "DJ Ana", StageName: "Main", StartedAt: at,
		Track: protocol.Track{Artist: "BAND playedthere", Title: "PlayedThere"}}})
	tally := func(f, s, p int) protocol.TempoTally { return protocol.TempoTally{Faster: f, Slower: s, Perfect: p} }

	tests := []struct {
		name     string
		tempo    []protocol.TempoTally
		requests []Request
		nowID    int64
		want     []int64 // the top of the ranking, in order
		room     string
		why      map[int64]string
	}{
		{name: "no votes: fit first, a step next, clashes and jumps last",
			nowID: 12,
			want:  []int64{1, 15, 2, 13, 5, 10, 3, 9, 4, 14},
			why: map[int64]string{
				1:  "8A → 8A, 98 → 98 BPM",
				2:  "8A → 9A, 98 → 101 BPM",
				13: "8A → 8A, 98 → 103 BPM (a step up)",
				10: "8A → 8A, 98 → 99 BPM, energy 60 → 20",
				15: "8A → 8A, 98 → 98 BPM",
			}},
		{name: "the room says slower: the slower track leads",
			nowID: 12,
			tempo: []protocol.TempoTally{tally(0, 0, 0), tally(0, 2, 2), tally(0, 3, 3)},
			want:  []int64{5, 1, 15},
			room:  "the room says slower: −4 BPM",
			why:   map[int64]string{5: "8A → 8B, 98 → 94 BPM (as the room asks)"}},
		{name: "a loud room: slower by the whole shift",
			nowID: 12,
			tempo: []protocol.TempoTally{tally(0, 6, 0)},
			want:  []int64{5},
			room:  "the room says slower: −8 BPM"},
		{name: "the room says faster",
			nowID: 12,
			tempo: []protocol.TempoTally{tally(4, 0, 4)},
			want:  []int64{13, 2},
			room:  "the room says faster: +4 BPM"},
		{name: "too few votes say nothing",
			nowID: 12,
			tempo: []protocol.TempoTally{tally(0, 2, 0)},
			want:  []int64{1, 15, 2}},
		{name: "requests lift a track by how many asked",
			nowID:    12,
			requests: []Request{{TrackID: 9, Count: 3}, {Artist: "band neighbour", Title: "NEIGHBOUR", Count: 1}},
			want:     []int64{2, 9, 1},
			why:      map[int64]string{9: "8A → 4A, 98 → 103 BPM (a step up), requested ×3", 2: "8A → 9A, 98 → 101 BPM, requested ×1"}},
		{name: "a request for a song played tonight is not suggested",
			nowID:    12,
			requests: []Request{{TrackID: 6, Count: 5}, {TrackID: 7, Count: 5}},
			want:     []int64{1, 15, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Suggest(Input{Now: now, NowID: tt.nowID, Tempo: tt.tempo, Requests: tt.requests, Played: played, Library: small}, Options{})
			got := ids(res.Suggestions)
			if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
				t.Errorf("ranking %v, want it to start %v", got, tt.want)
			}
			for _, never := range []int64{6, 7, 8, 11, 12} {
				if slices.Contains(got, never) {
					t.Errorf("track %d suggested: %v", never, got)
				}
			}
			if res.Room.Text() != tt.room {
				t.Errorf("room %q, want %q", res.Room.Text(), tt.room)
			}
			for _, s := range res.Suggestions {
				if want, ok := tt.why[s.Track.ID]; ok && s.Why != want {
					t.Errorf("track %d: why %q, want %q", s.Track.ID, s.Why, want)
				}
			}
		})
	}
}

// The limit bounds the list; a track playing now without a tempo ranks by
// key and energy alone.
func TestSuggestLimitAndNoTempo(t *testing.T) {
	res := Suggest(Input{Now: protocol.Track{Artist: "x", Title: "y", Camelot: "3B"}, Library: small}, Options{Limit: 2})
	if got := ids(res.Suggestions); !slices.Equal(got, []int64{3, 14}) && !slices.Equal(got[:1], []int64{3}) {
		t.Errorf("ranking %v, want the 3B track first", got)
	}
	if len(res.Suggestions) != 2 || res.TargetBPM != 0 {
		t.Errorf("%d suggestions, target %g", len(res.Suggestions), res.TargetBPM)
	}
	if strings.Contains(res.Suggestions[0].Why, "BPM") {
		t.Errorf("why %q speaks of a tempo there is none of", res.Suggestions[0].Why)
	}
}

func TestHarmonyOf(t *testing.T) {
	tests := []struct {
		from, to string
		want     Harmony
	}{
		{"8A", "8A", HarmonySame},
		{"8A", "9A", HarmonyAdjacent},
		{"8A", "7A", HarmonyAdjacent},
		{"12B", "1B", HarmonyAdjacent},
		{"1A", "12A", HarmonyAdjacent},
		{"8A", "8B", HarmonyRelative},
		{"8A", "9B", HarmonyClash},
		{"8A", "10A", HarmonyClash},
		{"8A", "", HarmonyUnknown},
		{"13A", "1A", HarmonyUnknown},
		{"8c", "8A", HarmonyUnknown},
		{"8a", "8A", HarmonySame},
	}
	for _, tt := range tests {
		if got := HarmonyOf(tt.from, tt.to); got != tt.want {
			t.Errorf("HarmonyOf(%q, %q) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	at := time.Date(2026, 12, 4, 21, 40, 0, 0, time.UTC)
	played := Played{Loc: time.UTC}
	played.Add("Band", "Again", at)
	event := played
	event.Event = repeats.New([]protocol.EventPlay{{DJName: "DJ Ana", StageName: "Main", StartedAt: at,
		Track: protocol.Track{Artist: "Band", Title: "Earlier"}}})
	tr := func(title string, bpm float64, camelot string) protocol.Track {
		t := protocol.Track{Artist: "Band", Title: title, Camelot: camelot}
		if bpm > 0 {
			t.BPM = &bpm
		}
		return t
	}
	prev := tr("Prev", 100, "8A")
	tests := []struct {
		name   string
		next   protocol.Track
		played Played
		jump   float64
		want   []string
	}{
		{"all well", tr("Next", 104, "9A"), played, 0, nil},
		{"exactly 8 % is no jump", tr("Next", 108, "8A"), played, 0, nil},
		{"a jump up", tr("Next", 110, "8A"), played, 0, []string{"Big tempo jump: 100 → 110 BPM (+10 %)"}},
		{"a jump down", tr("Next", 88.5, "8B"), played, 0, []string{"Big tempo jump: 100 → 88.5 BPM (-12 %)"}},
		{"a wider threshold", tr("Next", 110, "8A"), played, 12, nil},
		{"a key clash", tr("Next", 100, "3B"), played, 0, []string{"Key clash: 8A → 3B"}},
		{"no key, no clash", tr("Next", 100, ""), played, 0, nil},
		{"played in this set", tr("Again", 100, "8A"), played, 0, []string{"Already played in this set at 21:40"}},
		{"played at the event", tr("Earlier", 100, "8A"), event, 0, []string{"Already played at this event: by DJ Ana on Main at Fri 21:40"}},
		{"everything at once", tr("Again", 130, "2B"), played, 0, []string{"Big tempo jump: 100 → 130 BPM (+30 %)", "Key clash: 8A → 2B", "Already played in this set at 21:40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Warnings(prev, tt.next, tt.played, Options{JumpPct: tt.jump})
			if !slices.Equal(got, tt.want) {
				t.Errorf("warnings %q, want %q", got, tt.want)
			}
		})
	}
}
