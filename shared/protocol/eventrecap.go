package protocol

import "time"

// EventPlay is one play of an event: GET /api/events/:id/plays gives them
// to the event's DJs (so the app warns before a repeat), and the recap,
// dashboard and export are made of them.
type EventPlay struct {
	PlayID    string     `json:"playId"`
	SessionID string     `json:"sessionId"`
	StageID   string     `json:"stageId"`
	StageName string     `json:"stageName"`
	DJName    string     `json:"djName"`
	Track     Track      `json:"track"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Likes     int        `json:"likes"`
	// Tempo is the votes on the play: shown to the event's organizers and
	// DJs, never in the public recap.
	Tempo *TempoTally `json:"tempo,omitempty"`
}

// SetSummary is one DJ's set on a stage.
type SetSummary struct {
	SessionID     string     `json:"sessionId"`
	Name          string     `json:"name"`
	DJName        string     `json:"djName"`
	StartedAt     time.Time  `json:"startedAt"`
	EndedAt       *time.Time `json:"endedAt,omitempty"`
	Live          bool       `json:"live"`
	Protected     bool       `json:"protected"` // a PIN set: its tracks stay private
	Tracks        int        `json:"tracks"`
	PeakListeners int        `json:"peakListeners"`
	RecapURL      string     `json:"recapUrl"`
}

// StageRecap is a stage's part of the event recap: its sets in order and
// the plays of the sets that are not private, for the BPM and energy over
// time chart.
type StageRecap struct {
	Stage         Stage        `json:"stage"`
	Sets          []SetSummary `json:"sets"`
	PeakListeners int          `json:"peakListeners"` // the highest of its sets
	Plays         []EventPlay  `json:"plays"`
}

// EventPoll is a poll of one of the event's sets.
type EventPoll struct {
	RecapPoll
	StageName string `json:"stageName"`
	DJName    string `json:"djName"`
}

// EventRecap answers GET /api/events/:id/recap: for anyone, what the
// crowd is proud of (sets, most-liked tracks, polls); for the event's
// organizers (Bearer), also the tempo votes of each play.
type EventRecap struct {
	Event  Event        `json:"event"`
	Stages []StageRecap `json:"stages"`
	// PeakListeners is the highest stage peak; Dancers counts the
	// distinct dancer pages over all sets.
	PeakListeners int         `json:"peakListeners"`
	Dancers       int         `json:"dancers"`
	TotalLikes    int         `json:"totalLikes"`
	TopTracks     []EventPlay `json:"topTracks"` // most liked first, at most 10, none without likes
	Polls         []EventPoll `json:"polls"`
	Full          bool        `json:"full"` // the organizers' view
}

// TempoComfort is the share of each tempo vote over a recent window.
type TempoComfort struct {
	Faster  int `json:"faster"`
	Perfect int `json:"perfect"`
	Slower  int `json:"slower"`
	// WindowS is the window's length, 30 minutes.
	WindowS int `json:"windowS"`
}

// StageDashboard is one stage on the organizers' live dashboard.
type StageDashboard struct {
	Stage     Stage         `json:"stage"`
	Live      *SetSummary   `json:"live"`
	Listeners int           `json:"listeners"`
	Recent    []EventPlay   `json:"recent"` // the last tracks, newest first, with likes and tempo votes
	Comfort   TempoComfort  `json:"comfort"`
	Next      *ScheduleSlot `json:"next"`
}

// EventDashboard answers GET /api/events/:id/dashboard (organizers).
type EventDashboard struct {
	Event  Event            `json:"event"`
	Stages []StageDashboard `json:"stages"`
	At     time.Time        `json:"at"`
}
