package protocol

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Limits of events, stages and schedules, checked by the relay.
const (
	MaxEventNameLen   = 100
	MaxStageNameLen   = 60
	MaxStagesPerEvent = 20
	MaxScheduleSlots  = 200 // per stage
	MaxEventDays      = 31  // from the first to the last day
	MaxLogoBytes      = 256 << 10
	MaxInviteLabelLen = 60
)

// EventRole is what an account may do in an event.
type EventRole string

const (
	RoleOrganizer EventRole = "organizer" // edits the event, its stages, schedule and DJs
	RoleDJ        EventRole = "dj"        // accepted an invite: goes live on the event's stages
)

// EventRequest is the body of POST /api/events and PUT /api/events/:id.
// Dates are the event's local calendar days (YYYY-MM-DD) in TimeZone, an
// IANA name such as "Europe/Warsaw".
type EventRequest struct {
	Name     string `json:"name"`
	StartsOn string `json:"startsOn"`
	EndsOn   string `json:"endsOn"`
	TimeZone string `json:"timeZone"`
	Accent   string `json:"accent,omitempty"` // "#rrggbb", or empty for Pika!'s own
}

var accentPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Validate checks everything but the name, which the relay cleans with
// the other names.
func (r *EventRequest) Validate() error {
	loc, err := time.LoadLocation(r.TimeZone)
	if r.TimeZone == "" || r.TimeZone == "Local" || err != nil {
		return fmt.Errorf("timeZone %q is not a time zone name such as Europe/Warsaw or America/New_York", r.TimeZone)
	}
	from, err := time.ParseInLocation(time.DateOnly, r.StartsOn, loc)
	if err != nil {
		return errors.New("startsOn must be a date as YYYY-MM-DD")
	}
	to, err := time.ParseInLocation(time.DateOnly, r.EndsOn, loc)
	if err != nil {
		return errors.New("endsOn must be a date as YYYY-MM-DD")
	}
	switch days := int(to.Sub(from).Hours()/24+0.5) + 1; {
	case days < 1:
		return errors.New("endsOn is before startsOn")
	case days > MaxEventDays:
		return fmt.Errorf("an event lasts at most %d days", MaxEventDays)
	}
	if r.Accent != "" && !accentPattern.MatchString(r.Accent) {
		return errors.New("accent must be a colour as #rrggbb")
	}
	return nil
}

// Event is an event as the API shows it.
type Event struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	StartsOn string  `json:"startsOn"`
	EndsOn   string  `json:"endsOn"`
	TimeZone string  `json:"timeZone"`
	Accent   string  `json:"accent,omitempty"`
	LogoURL  string  `json:"logoUrl,omitempty"` // set when the event has a logo
	Stages   []Stage `json:"stages"`
	// Role is the caller's role; empty on public answers.
	Role      EventRole `json:"role,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// StageRequest is the body of POST /api/events/:id/stages and of PUT
// /api/events/:id/stages/:stageId. Slug is the stage's permanent link,
// /s/SLUG; empty on creation makes one from the name.
type StageRequest struct {
	Name string `json:"name"`
	Slug string `json:"slug,omitempty"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$`)

// ValidSlug reports whether s can be a stage link: 3 to 40 lowercase
// letters, digits and inner hyphens.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// Stage is a room of an event.
type Stage struct {
	ID       string `json:"id"`
	EventID  string `json:"eventId"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	URL      string `json:"url"` // the permanent dancer link, PUBLIC/s/SLUG
}

// ScheduleSlot is one set on a stage. DJID is set when the set belongs to
// one of the event's DJs; DJName is shown either way.
type ScheduleSlot struct {
	ID       string    `json:"id,omitempty"`
	DJID     string    `json:"djId,omitempty"`
	DJName   string    `json:"djName"`
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// ScheduleRequest is the body of PUT /api/events/:id/stages/:stageId/schedule:
// the stage's whole schedule, replacing the previous one.
type ScheduleRequest struct {
	Slots []ScheduleSlot `json:"slots"`
}

// Validate checks the slots' times: each ends after it starts, and no two
// overlap on the stage.
func (r *ScheduleRequest) Validate() error {
	if len(r.Slots) > MaxScheduleSlots {
		return fmt.Errorf("a stage has at most %d sets in its schedule", MaxScheduleSlots)
	}
	for i, s := range r.Slots {
		if s.StartsAt.IsZero() || !s.EndsAt.After(s.StartsAt) {
			return fmt.Errorf("slots[%d]: endsAt must be after startsAt", i)
		}
		if s.EndsAt.Sub(s.StartsAt) > 24*time.Hour {
			return fmt.Errorf("slots[%d]: a set lasts at most 24 hours", i)
		}
		if s.DJID != "" && !ValidID(s.DJID) {
			return fmt.Errorf("slots[%d]: djId is not a valid id", i)
		}
		for j := range i {
			o := r.Slots[j]
			if s.StartsAt.Before(o.EndsAt) && o.StartsAt.Before(s.EndsAt) {
				return fmt.Errorf("slots[%d] overlaps slots[%d] (%s, %s)", i, j, o.DJName, o.StartsAt.Format(time.RFC3339))
			}
		}
	}
	return nil
}

// EventMember is an organizer or DJ of an event.
type EventMember struct {
	DJID        string    `json:"djId"`
	DisplayName string    `json:"displayName"`
	Role        EventRole `json:"role"`
	Since       time.Time `json:"since"`
}

// InviteRequest is the body of POST /api/events/:id/invites. Label says
// whom the link is for ("DJ Ben"), for the organizer's list; Role is what
// the account that accepts becomes (default dj; organizer for a
// co-organizer). Co-organizers are invited by link rather than by email so
// that no one can learn through an event whether an email has an account.
type InviteRequest struct {
	Label string    `json:"label"`
	Role  EventRole `json:"role,omitempty"`
}

// Invite is an invitation to an event: a single-use link that expires.
// Token and URL are shown only when it is created.
type Invite struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	Role       EventRole  `json:"role"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	AcceptedBy string     `json:"acceptedBy,omitempty"` // display name of the DJ who accepted
	AcceptedAt *time.Time `json:"acceptedAt,omitempty"`
	Token      string     `json:"token,omitempty"`
	URL        string     `json:"url,omitempty"`
}

// InvitePrefix starts every invite token.
const InvitePrefix = "pk_inv_"

// StageInfo answers GET /api/stages/:slug for anyone: the stage, its
// event, the set live on it (nil between sets), the stage's published
// schedule and, from it, the current and next sets.
type StageInfo struct {
	Stage    Stage           `json:"stage"`
	Event    Event           `json:"event"`
	Live     *SessionSummary `json:"live"`
	Now      *ScheduleSlot   `json:"now"`
	Next     *ScheduleSlot   `json:"next"`
	Schedule []ScheduleSlot  `json:"schedule"`
	// Last is the stage's latest ended set, for its recap between sets;
	// EventRecapURL the event's recap.
	Last          *SessionSummary `json:"last"`
	EventRecapURL string          `json:"eventRecapUrl"`
	// Announcements are the organizers' running announcements for the
	// stage.
	Announcements []EventAnnouncement `json:"announcements"`
}

// Frames of stages: a DJ hands a stage over; a dancer's page follows a
// stage across sets.
const (
	// TypeHandOver (DJ → relay): let the next DJ of the event take this
	// session's stage. ACK; the session goes on until that DJ goes live.
	TypeHandOver Type = "HAND_OVER"
	// TypeSubscribeStage (dancer → relay): follow a stage. The relay
	// answers STAGE_STATE and sends it again whenever a set starts or ends
	// on the stage; the page subscribes to the live set with SUBSCRIBE on
	// the same connection.
	TypeSubscribeStage Type = "SUBSCRIBE_STAGE"
	// TypeStageState (relay → dancer): a StageInfo.
	TypeStageState Type = "STAGE_STATE"
)

// HandOverWindow is how long a hand-over waits for the next DJ.
const HandOverWindow = 15 * time.Minute

// HandOver names the DJ who may take the stage (an account id of the
// event's DJs), or none: whichever of the event's DJs goes live on the
// stage next, within HandOverWindow.
type HandOver struct {
	ToDJID string `json:"toDjId,omitempty"`
}

// Validate checks a HandOver.
func (m *HandOver) Validate() error {
	if m.ToDJID != "" && !ValidID(m.ToDJID) {
		return errors.New("toDjId is not an account id")
	}
	return nil
}

// SubscribeStage names a stage by its link.
type SubscribeStage struct {
	Slug string `json:"slug"`
}

// Validate checks a SubscribeStage.
func (m *SubscribeStage) Validate() error {
	if !ValidSlug(m.Slug) {
		return errors.New("slug is not a stage link")
	}
	return nil
}

// Event-wide announcements: the organizers' banner on all stages of the
// event, or on the stages named.
const (
	// TypeEventAnnouncement (relay → dancers): an EventAnnouncement, on
	// the pages following or live on its stages.
	TypeEventAnnouncement Type = "EVENT_ANNOUNCEMENT"
	// TypeEventAnnouncementCleared (relay → dancers): {announcementId}.
	TypeEventAnnouncementCleared Type = "EVENT_ANNOUNCEMENT_CLEARED"
)

// MaxActiveEventAnnouncements bounds how many event announcements run at
// once, so a page never shows a wall of banners.
const MaxActiveEventAnnouncements = 3

// EventAnnouncementRequest is the body of POST /api/events/:id/announcements:
// an announcement (text, durationS?) and the stages it is for (none: all).
type EventAnnouncementRequest struct {
	Announce
	StageIDs []string `json:"stageIds,omitempty"`
}

// Validate checks the text, duration and stage ids.
func (r *EventAnnouncementRequest) Validate() error {
	if err := r.Announce.Validate(); err != nil {
		return err
	}
	if len(r.StageIDs) > MaxStagesPerEvent {
		return fmt.Errorf("at most %d stages", MaxStagesPerEvent)
	}
	for _, id := range r.StageIDs {
		if !ValidID(id) {
			return errors.New("stageIds holds something that is not a stage id")
		}
	}
	return nil
}

// EventAnnouncement is an organizers' announcement.
type EventAnnouncement struct {
	AnnouncementID string     `json:"announcementId"`
	EventName      string     `json:"eventName"`
	Text           string     `json:"text"`
	StageIDs       []string   `json:"stageIds"` // empty: every stage
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
}

// EventAnnouncementCleared names a cleared event announcement.
type EventAnnouncementCleared struct {
	AnnouncementID string `json:"announcementId"`
}
