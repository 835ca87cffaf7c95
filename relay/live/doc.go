// Package live runs live sessions: a DJ's session, its dancers, their
// likes and votes, polls and announcements. It keeps each session's small
// in-memory state (current play, active poll, listeners), writes everything
// through the store before acknowledging it, and broadcasts through a
// hub.Broker, coalescing counters so a burst of likes becomes a few
// broadcasts rather than one per like.
package live
