package relaytest

import (
	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/shared/protocol"
)

// WithAppRelease makes the relay announce rel at /api/app/latest, for the
// desktop app's update check.
func WithAppRelease(rel protocol.AppRelease) Option {
	return WithConfig(func(c *app.Config) { c.AppRelease = rel })
}
