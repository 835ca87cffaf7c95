package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/pikadj/pika/relay/internal/app"
)

// pushFlags declares the Web Push settings (relay/README.md, "Push
// notifications"); the returned func applies them after parsing.
func pushFlags(fs *flag.FlagSet, getenv func(string) string) func(*app.Config) error {
	def := func(name, d string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return d
	}
	maxDef, _ := strconv.Atoi(def("PIKA_PUSH_MAX_SUBSCRIPTIONS", "5000"))
	var (
		mode    = fs.String("push", def("PIKA_PUSH", "on"), "Web Push notifications of polls and announcements to dancers who opt in: on or off (PIKA_PUSH)")
		contact = fs.String("push-contact", def("PIKA_PUSH_CONTACT", ""), "contact push services may use, mailto:… or https://… (PIKA_PUSH_CONTACT; default the public URL)")
		max     = fs.Int("push-max-subscriptions", maxDef, "push subscriptions kept per session and per stage (PIKA_PUSH_MAX_SUBSCRIPTIONS)")
	)
	return func(c *app.Config) error {
		switch strings.ToLower(*mode) {
		case "on", "":
		case "off":
			c.PushOff = true
		default:
			return fmt.Errorf("-push (PIKA_PUSH) is %q: say on or off", *mode)
		}
		if *contact != "" && !strings.HasPrefix(*contact, "mailto:") && !strings.HasPrefix(*contact, "https://") {
			return fmt.Errorf("-push-contact (PIKA_PUSH_CONTACT) %q must start with mailto: or https://", *contact)
		}
		if *max < 1 {
			return fmt.Errorf("-push-max-subscriptions (PIKA_PUSH_MAX_SUBSCRIPTIONS) must be at least 1")
		}
		c.Push.Subscriber, c.Push.MaxPerTarget = *contact, *max
		return nil
	}
}
