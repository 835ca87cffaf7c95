package natsbroker

import (
	"encoding/base64"
	"strings"
)

// subject is the NATS subject of a hub topic. Topics made of letters,
// digits and "-_:/" (every topic the relay uses: session ids, "stage:ID",
// "ID/dancer/CLIENT") are used as they are, readable in NATS tools; any
// other, which could hold NATS's separators or wildcards (". * >"), is
// base64url-encoded behind a "~", which no plain topic contains.
func (b *Broker) subject(topic string) string { return subjectIn(b.opts.Prefix, topic) }

func subjectIn(prefix, topic string) string {
	if plain(topic) {
		return prefix + topic
	}
	return prefix + "~" + base64.RawURLEncoding.EncodeToString([]byte(topic))
}

func plain(topic string) bool {
	if topic == "" {
		return false
	}
	return strings.IndexFunc(topic, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_:/", r))
	}) < 0
}
