package core

import (
	"context"

	"github.com/pikadj/pika/desktop/library"
)

// SetTrackBPM stores the DJ's tempo for a track (0 removes it): it wins
// over the analysis from the next play on, and survives a re-analysis.
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
	return t, nil
}
