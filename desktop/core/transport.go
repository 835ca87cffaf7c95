package core

import (
	"fmt"

	"github.com/pikadj/pika/desktop/livelink"
)

// PlainHTTPError: the relay URL is plain http:// to a host on the
// internet, and the DJ has not confirmed sending the token over it. The
// token is not sent. Confirm with AllowPlainHTTP (the window asks; the
// command line takes --allow-http) or switch the URL to https://.
type PlainHTTPError struct {
	URL, Host string
}

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("the relay %s is reached over plain http://: your DJ token would cross the internet unencrypted, readable by anyone on the way. Use https:// if the relay has it, or confirm to send it anyway", e.Host)
}

// AllowPlainHTTP records that the DJ accepts sending the token over plain
// http:// to relayURL, for this run of the app.
func (c *Core) AllowPlainHTTP(relayURL string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plainOK == nil {
		c.plainOK = map[string]bool{}
	}
	c.plainOK[relayURL] = true
}

// checkTransport refuses a plain-http relay on the internet unless the DJ
// confirmed it (or Config.AllowPlainHTTP). Called before the token leaves.
func (c *Core) checkTransport(relayURL string) error {
	host, plain := livelink.PlainHTTP(relayURL)
	if !plain || c.cfg.AllowPlainHTTP {
		return nil
	}
	c.mu.Lock()
	ok := c.plainOK[relayURL]
	c.mu.Unlock()
	if ok {
		return nil
	}
	return &PlainHTTPError{URL: relayURL, Host: host}
}
