package gui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pikadj/pika/desktop/library"
)

// The Crowd column says how rooms received each track and sorts by likes
// per listener, then plays.
func TestCrowdColumn(t *testing.T) {
	test.NewTempApp(t)
	tt := newTrackTable()
	test.NewTempWindow(t, tt.table)
	tracks := []library.Track{
		{ID: 1, Tags: library.Tags{Title: "Never"}},
		{ID: 2, Tags: library.Tags{Title: "Loved"}, Crowd: &library.Crowd{Plays: 6, Likes: 21, Listeners: 100, WantedSlower: 3}},
		{ID: 3, Tags: library.Tags{Title: "Once"}, Crowd: &library.Crowd{Plays: 1, Likes: 1, Listeners: 20}},
		{ID: 4, Tags: library.Tags{Title: "Twice"}, Crowd: &library.Crowd{Plays: 2, Likes: 2, Listeners: 40, WantedFaster: 1}},
	}
	tt.SetTracks(tracks)
	col := colIndex("Crowd")
	tests := []struct {
		id   int64
		want string
	}{
		{1, ""},
		{2, "played 6×, 2.1 likes per 10 listeners, room wanted it slower 3×"},
		{3, "played 1×, 0.5 likes per 10 listeners"},
		{4, "played 2×, 0.5 likes per 10 listeners, room wanted it faster 1×"},
	}
	for _, tc := range tests {
		for _, tr := range tracks {
			if tr.ID == tc.id {
				if got := cellText(col, tr); got != tc.want {
					t.Errorf("track %d: %q, want %q", tc.id, got, tc.want)
				}
			}
		}
	}
	var got []int64
	tt.SortBy(col)
	tt.SortBy(col) // descending: the rooms' favourites first
	for _, tr := range tt.tracks {
		got = append(got, tr.ID)
	}
	if !slicesEqual(got, []int64{2, 4, 3, 1}) {
		t.Errorf("sorted by crowd, descending: %v", got)
	}
}
