package protocol

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Requests: dancers ask the DJ for a track of the DJ's request catalogue
// (or, when the DJ allows it, in their own words).
const (
	// TypeRequestSettings (DJ → relay): turn requests on or off, pause
	// them, allow free text. ACK; dancers get REQUESTS_STATUS.
	TypeRequestSettings Type = "REQUEST_SETTINGS"
	// TypeCatalogue (DJ → relay): publish, replace or update the request
	// catalogue, in chunks that each fit a frame. ACK.
	TypeCatalogue Type = "CATALOGUE"
	// TypeAnswerRequest (DJ → relay): accept, decline or mark played a
	// request. ACK; the DJ gets REQUEST_QUEUE, its dancers MY_REQUEST.
	TypeAnswerRequest Type = "ANSWER_REQUEST"
	// TypeRequestQueue (relay → DJ): the open requests, after every change.
	TypeRequestQueue Type = "REQUEST_QUEUE"

	// TypeSearchCatalogue (dancer → relay): search the catalogue;
	// answered by CATALOGUE_RESULTS with the frame's id.
	TypeSearchCatalogue Type = "SEARCH_CATALOGUE"
	// TypeCatalogueResults (relay → dancer): the tracks found.
	TypeCatalogueResults Type = "CATALOGUE_RESULTS"
	// TypeRequestTrack (dancer → relay): request a catalogue track (a
	// track already requested counts +1) or, when allowed, free text. ACK.
	TypeRequestTrack Type = "REQUEST_TRACK"
	// TypeRequestsStatus (relay → dancers): whether requests are on and
	// open; on SUBSCRIBE (in SESSION_STATE) and whenever the DJ changes it.
	TypeRequestsStatus Type = "REQUESTS_STATUS"
	// TypeMyRequest (relay → one dancer's pages): the state of the
	// dancer's latest request and the end of its cool-down.
	TypeMyRequest Type = "MY_REQUEST"
)

// Limits of requests.
const (
	// MaxCatalogueTracks bounds a session's request catalogue.
	MaxCatalogueTracks = 50000
	MaxSearchQueryLen  = 80
	MaxSearchResults   = 20
	MaxRequestTextLen  = 140
	MaxDeclineReason   = 100
	// MaxOpenRequests bounds the waiting and accepted requests of a
	// session: one per dancer, and this many in all.
	MaxOpenRequests = 500
	// DefaultRequestCooldown is how long a dancer waits after a request
	// before the next one (the relay may set another).
	DefaultRequestCooldown = 10 * time.Minute
)

// Request states.
const (
	RequestWaiting  = "waiting"
	RequestAccepted = "accepted"
	RequestDeclined = "declined"
	RequestPlayed   = "played"
)

// RequestSettings is what the DJ allows; off by default.
type RequestSettings struct {
	Enabled  bool `json:"enabled"`
	Paused   bool `json:"paused"` // "requests are closed for now"
	FreeText bool `json:"freeText"`
}

// CatalogueTrack is a requestable track: what dancers see and search,
// never a file path. ID is the DJ app's own id for it.
type CatalogueTrack struct {
	ID        string   `json:"id"`
	Artist    string   `json:"artist"`
	Title     string   `json:"title"`
	BPM       *float64 `json:"bpm,omitempty"`
	Key       string   `json:"key,omitempty"`
	Camelot   string   `json:"camelot,omitempty"`
	DurationS *float64 `json:"durationS,omitempty"`
}

// Catalogue is one chunk of the catalogue. Reset empties the catalogue
// first (the first chunk of a replacement); Remove drops tracks by id;
// Tracks adds tracks or replaces those with the same id.
type Catalogue struct {
	Reset  bool             `json:"reset,omitempty"`
	Tracks []CatalogueTrack `json:"tracks,omitempty"`
	Remove []string         `json:"remove,omitempty"`
}

// AnswerRequest is the DJ's answer to a request: State is accepted,
// declined (with an optional short Reason the dancer sees) or played.
type AnswerRequest struct {
	RequestID string `json:"requestId"`
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
}

// Request is one request: a catalogue track (TrackID and its fields) or a
// dancer's free text (Text), with how many dancers asked for it.
type Request struct {
	RequestID string    `json:"requestId"`
	TrackID   string    `json:"trackId,omitempty"`
	Artist    string    `json:"artist,omitempty"`
	Title     string    `json:"title,omitempty"`
	BPM       *float64  `json:"bpm,omitempty"`
	Key       string    `json:"key,omitempty"`
	Camelot   string    `json:"camelot,omitempty"`
	DurationS *float64  `json:"durationS,omitempty"`
	Text      string    `json:"text,omitempty"`
	Count     int       `json:"count"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// RequestQueue is the DJ's view: the settings, the catalogue's size and
// the open (waiting and accepted) requests, most asked for first, then
// oldest first.
type RequestQueue struct {
	Settings  RequestSettings `json:"settings"`
	Catalogue int             `json:"catalogue"`
	Requests  []Request       `json:"requests"`
}

// SearchCatalogue is a dancer's search, by artist or title.
type SearchCatalogue struct {
	Query string `json:"query"`
}

// CatalogueHit is a track found, with how many dancers asked for it
// (Requests, when it is an open request: RequestID to +1) and when it was
// played tonight (then it cannot be requested).
type CatalogueHit struct {
	CatalogueTrack
	RequestID string     `json:"requestId,omitempty"`
	Requests  int        `json:"requests,omitempty"`
	PlayedAt  *time.Time `json:"playedAt,omitempty"`
}

// CatalogueResults answers SearchCatalogue. TimeZone is the event's (an
// IANA name) for showing PlayedAt; empty: the page's own.
type CatalogueResults struct {
	Query    string         `json:"query"`
	Tracks   []CatalogueHit `json:"tracks"`
	TimeZone string         `json:"timeZone,omitempty"`
}

// RequestTrack is a dancer's request: TrackID of a catalogue track, or
// Text when the DJ allows free text. Exactly one of the two.
type RequestTrack struct {
	TrackID string `json:"trackId,omitempty"`
	Text    string `json:"text,omitempty"`
}

// RequestsStatus is what dancers see of the settings. Open: requests are
// on and not paused.
type RequestsStatus struct {
	Enabled  bool `json:"enabled"`
	Open     bool `json:"open"`
	FreeText bool `json:"freeText"`
	// Tracks is the catalogue's size (0: nothing to search yet).
	Tracks int `json:"tracks"`
}

// MyRequest is the state of a dancer's latest request (nil: none yet)
// and when the next one may be sent.
type MyRequest struct {
	Request       *Request   `json:"request"`
	CooldownUntil *time.Time `json:"cooldownUntil,omitempty"`
}

// Validate checks a CatalogueTrack, trimming its text.
func (t *CatalogueTrack) Validate() error {
	if !idPattern.MatchString(t.ID) {
		return errors.New("track id must be 1 to 64 letters, digits, - or _")
	}
	tr := Track{Artist: t.Artist, Title: t.Title, BPM: t.BPM, Key: t.Key, Camelot: t.Camelot, DurationS: t.DurationS}
	if err := tr.Validate(); err != nil {
		return err
	}
	t.Artist, t.Title, t.Key, t.Camelot = tr.Artist, tr.Title, tr.Key, tr.Camelot
	return nil
}

// Validate checks a Catalogue chunk; the frame size bounds its length.
func (m *Catalogue) Validate() error {
	for i := range m.Tracks {
		if err := m.Tracks[i].Validate(); err != nil {
			return fmt.Errorf("tracks[%d]: %w", i, err)
		}
	}
	for i, id := range m.Remove {
		if !idPattern.MatchString(id) {
			return fmt.Errorf("remove[%d] is not a track id", i)
		}
	}
	return nil
}

// Validate checks an AnswerRequest, trimming its reason.
func (m *AnswerRequest) Validate() error {
	if err := checkID("requestId", m.RequestID); err != nil {
		return err
	}
	switch m.State {
	case RequestAccepted, RequestDeclined, RequestPlayed:
	default:
		return errors.New("state must be accepted, declined or played")
	}
	m.Reason = strings.TrimSpace(m.Reason)
	if m.Reason != "" && m.State != RequestDeclined {
		return errors.New("only a decline has a reason")
	}
	if utf8.RuneCountInString(m.Reason) > MaxDeclineReason {
		return fmt.Errorf("reason is longer than %d characters", MaxDeclineReason)
	}
	return CheckText("reason", m.Reason, SingleLine)
}

// Validate checks a SearchCatalogue, trimming its query.
func (m *SearchCatalogue) Validate() error {
	m.Query = strings.TrimSpace(m.Query)
	if utf8.RuneCountInString(m.Query) > MaxSearchQueryLen {
		return fmt.Errorf("query is longer than %d characters", MaxSearchQueryLen)
	}
	return CheckText("query", m.Query, SingleLine)
}

// Validate checks a RequestTrack, trimming its text.
func (m *RequestTrack) Validate() error {
	m.Text = strings.TrimSpace(m.Text)
	switch {
	case (m.TrackID == "") == (m.Text == ""):
		return errors.New("a request names a trackId or has a text, not both")
	case m.TrackID != "" && !idPattern.MatchString(m.TrackID):
		return errors.New("trackId is not a track id")
	case utf8.RuneCountInString(m.Text) > MaxRequestTextLen:
		return fmt.Errorf("text is longer than %d characters", MaxRequestTextLen)
	}
	return CheckText("text", m.Text, SingleLine)
}
