package live

import (
	"testing"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

func TestAnalyseDropOffs(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	play := func(id string, start int, likes int, tempo protocol.TempoTally) protocol.HistoryEntry {
		tempo.PlayID = id
		return protocol.HistoryEntry{Play: protocol.Play{PlayID: id, StartedAt: at(start)}, Likes: likes, Tempo: tempo}
	}
	samples := []protocol.ListenerSample{{At: at(1), Count: 10}, {At: at(2), Count: 14}, {At: at(4), Count: 9}, {At: at(6), Count: 12}, {At: at(9), Count: 11}}
	plays := []protocol.HistoryEntry{
		play("a", 0, 3, protocol.TempoTally{Faster: 3, Perfect: 1}),
		play("b", 3, 0, protocol.TempoTally{}),
		play("c", 8, 1, protocol.TempoTally{Slower: 2}),
	}
	a := analyse(protocol.SessionInfo{}, 14, plays, samples, at(12))
	tests := []struct {
		id                                 string
		start, end, low, peak, drop, votes int
		faster                             float64
	}{
		// a: 0 → 10 → 14 (ends at 3): nobody left.
		{"a", 0, 14, 0, 14, 0, 4, 0.75},
		// b: 14 at its start, 9 at 4′ (5 left), back to 12 at 6′.
		{"b", 14, 12, 9, 14, 5, 0, 0},
		// c: 12, then 11 at 9′ until the set's end.
		{"c", 12, 11, 11, 12, 1, 2, 0},
	}
	for i, tc := range tests {
		p := a.Plays[i]
		if p.PlayID != tc.id || p.ListenersStart != tc.start || p.ListenersEnd != tc.end || p.ListenersLow != tc.low ||
			p.ListenersPeak != tc.peak || p.DropOff != tc.drop || p.Shares.Votes != tc.votes || p.Shares.Faster != tc.faster {
			t.Errorf("play %s: %+v\nwant %+v", tc.id, p, tc)
		}
	}
	if len(a.NoLikes) != 1 || a.NoLikes[0] != "b" {
		t.Errorf("no likes %v", a.NoLikes)
	}
	if a.Tempo.Faster != 3 || a.Tempo.Slower != 2 || a.Shares.Votes != 6 {
		t.Errorf("set tempo %+v %+v", a.Tempo, a.Shares)
	}
	if empty := analyse(protocol.SessionInfo{}, 0, nil, nil, t0); len(empty.Plays) != 0 || empty.Shares.Votes != 0 || empty.NoLikes == nil {
		t.Errorf("no plays: %+v", empty)
	}
}
