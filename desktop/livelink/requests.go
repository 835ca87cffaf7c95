package livelink

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pikadj/pika/shared/protocol"
)

// RequestQueue: the relay's request queue changed (after registering and
// after every request or answer).
type RequestQueue struct{ protocol.RequestQueue }

func (RequestQueue) isEvent() {}

// catalogueChunkBytes keeps each CATALOGUE frame under the relay's frame
// limit with room for the envelope.
const catalogueChunkBytes = protocol.MaxFrameBytes - 512

// SetRequestSettings queues a REQUEST_SETTINGS.
func (c *Client) SetRequestSettings(ctx context.Context, rs protocol.RequestSettings) error {
	return c.enqueue(ctx, protocol.TypeRequestSettings, rs)
}

// PublishCatalogue replaces the relay's request catalogue with tracks, in
// as many CATALOGUE frames as it takes (the first one resets).
func (c *Client) PublishCatalogue(ctx context.Context, tracks []protocol.CatalogueTrack) error {
	return c.sendCatalogue(ctx, true, tracks, nil)
}

// UpdateCatalogue adds or replaces put and removes the ids in remove.
func (c *Client) UpdateCatalogue(ctx context.Context, put []protocol.CatalogueTrack, remove []string) error {
	if len(put) == 0 && len(remove) == 0 {
		return nil
	}
	return c.sendCatalogue(ctx, false, put, remove)
}

func (c *Client) sendCatalogue(ctx context.Context, reset bool, put []protocol.CatalogueTrack, remove []string) error {
	if len(put) > protocol.MaxCatalogueTracks {
		return fmt.Errorf("livelink: the request list holds at most %d tracks", protocol.MaxCatalogueTracks)
	}
	chunks, err := catalogueChunks(reset, put, remove)
	if err != nil {
		return err
	}
	for _, ch := range chunks {
		if err := c.enqueue(ctx, protocol.TypeCatalogue, ch); err != nil {
			return err
		}
	}
	return nil
}

// catalogueChunks splits a catalogue change into frames that each fit
// the frame limit. Every track is checked as the relay would.
func catalogueChunks(reset bool, put []protocol.CatalogueTrack, remove []string) ([]protocol.Catalogue, error) {
	var (
		out  []protocol.Catalogue
		cur  = protocol.Catalogue{Reset: reset}
		size = 64
	)
	flush := func() {
		out = append(out, cur)
		cur, size = protocol.Catalogue{}, 64
	}
	for _, id := range remove {
		if !protocol.ValidID(id) {
			return nil, fmt.Errorf("livelink: %q is not a catalogue track id", id)
		}
		if size+len(id)+3 > catalogueChunkBytes {
			flush()
		}
		cur.Remove = append(cur.Remove, id)
		size += len(id) + 3
	}
	for i := range put {
		t := put[i]
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("livelink: catalogue track %s: %w", t.ID, err)
		}
		b, err := json.Marshal(t)
		if err != nil {
			return nil, fmt.Errorf("livelink: encode catalogue track: %w", err)
		}
		if size+len(b)+1 > catalogueChunkBytes {
			flush()
		}
		cur.Tracks = append(cur.Tracks, t)
		size += len(b) + 1
	}
	if len(cur.Tracks) > 0 || len(cur.Remove) > 0 || cur.Reset {
		out = append(out, cur)
	}
	return out, nil
}

// AnswerRequest queues an ANSWER_REQUEST: accepted, declined (with an
// optional reason) or played.
func (c *Client) AnswerRequest(ctx context.Context, a protocol.AnswerRequest) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("livelink: answer request: %w", err)
	}
	return c.enqueue(ctx, protocol.TypeAnswerRequest, a)
}
