package core

import (
	"context"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/nowplaying"
)

// SetTrackBPM stores the DJ's tempo for a track (0 removes it): it wins
// over the analysis, survives a re-analysis, and when the track is playing
// now the dancers get it at once (an update of the same play).
func (c *Core) SetTrackBPM(ctx context.Context, id int64, bpm float64) (library.Track, error) {
	if err := c.lib.SetManualBPM(ctx, id, bpm); err != nil {
		return library.Track{}, err
	}
	return c.corrected(ctx, id)
}

// SetTrackKey stores the DJ's key for a track ("8A", "A minor"; ""
// removes it).
func (c *Core) SetTrackKey(ctx context.Context, id int64, key string) (library.Track, error) {
	if err := c.lib.SetManualKey(ctx, id, key); err != nil {
		return library.Track{}, err
	}
	return c.corrected(ctx, id)
}

func (c *Core) corrected(ctx context.Context, id int64) (library.Track, error) {
	t, err := c.lib.Track(ctx, id)
	if err != nil {
		return t, err
	}
	c.hub.publish(LibraryChanged{Track: &t})
	c.resendIfPlaying(ctx, t)
	return t, nil
}

// resendIfPlaying sends the track playing now again with its start time,
// which the relay takes as an update of its play, when it is t.
func (c *Core) resendIfPlaying(ctx context.Context, t library.Track) {
	lr, err := c.liveRun()
	if err != nil {
		return
	}
	lr.mu.Lock()
	cur := lr.state.NowPlaying
	lr.mu.Unlock()
	if cur == nil || cur.LibraryID != t.ID {
		return
	}
	e := nowplaying.Event{Source: cur.Source, Path: cur.Path, Artist: cur.Track.Artist, Title: cur.Track.Title, StartedAt: cur.StartedAt}
	select {
	case lr.plays <- e:
	case <-ctx.Done():
	}
}
