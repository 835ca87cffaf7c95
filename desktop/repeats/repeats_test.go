package repeats

import (
	"testing"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

func TestPlayedAndWarning(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 4, 20, 40, 0, 0, time.UTC)
	play := func(artist, title, dj string, h int) protocol.EventPlay {
		return protocol.EventPlay{Track: protocol.Track{Artist: artist, Title: title}, DJName: dj, StageName: "Main ballroom", StartedAt: at.Add(time.Duration(h) * time.Hour)}
	}
	ix := New([]protocol.EventPlay{
		play("Michael Bublé", "Feeling Good", "DJ Ana", 0),
		play("Other", "Song", "DJ Ana", 0),
		play("michael  BUBLÉ", "feeling good", "DJ Ben", 1),
		play("Michael Bublé", "Feeling Good", "DJ Cleo", 2),
	})
	tests := []struct {
		name, artist, title string
		want                string
	}{
		{"never played", "Nobody", "Nothing", ""},
		{"played once", "Other", "Song", "Already played at this event: by DJ Ana on Main ballroom at Fri 21:40"},
		// Case, spacing and composed/decomposed é are the same song.
		{"played three times, typed differently", "Michael Bubl\u0065\u0301", "FEELING GOOD", "Already played at this event: by DJ Cleo on Main ballroom at Fri 23:40 (and 2 times before)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Warning(ix.Played(tc.artist, tc.title), warsaw); got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	var none *Index
	if none.Played("a", "b") != nil {
		t.Error("a nil index knows plays")
	}
}
