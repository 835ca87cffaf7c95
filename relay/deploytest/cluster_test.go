package deploytest

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// serviceNetworks holds a service's networks and their aliases, from
// either form: [a, b] or {a: {aliases: [x]}}.
type serviceNetworks map[string][]string

func (n *serviceNetworks) UnmarshalYAML(v *yaml.Node) error {
	*n = serviceNetworks{}
	if v.Kind == yaml.SequenceNode {
		var names []string
		if err := v.Decode(&names); err != nil {
			return err
		}
		for _, name := range names {
			(*n)[name] = nil
		}
		return nil
	}
	var long map[string]*struct {
		Aliases []string `yaml:"aliases"`
	}
	if err := v.Decode(&long); err != nil {
		return err
	}
	for name, opts := range long {
		if opts != nil {
			(*n)[name] = opts.Aliases
		} else {
			(*n)[name] = nil
		}
	}
	return nil
}

// checkCluster returns every problem of the several-relays compose file:
// each relay-N pairs with a cloudflared-N on its own network where the
// relay alone answers as "relay", all relays share NATS and the database
// volume, nothing publishes a port, and every variable is documented.
func checkCluster(raw []byte, envKeys map[string]bool) []string {
	var c compose
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&c); err != nil {
		return []string{"compose.cluster.yaml does not parse: " + err.Error()}
	}
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	var relays []string
	for name := range c.Services {
		if strings.HasPrefix(name, "relay-") {
			relays = append(relays, name)
		}
	}
	slices.Sort(relays)
	if len(relays) < 2 {
		add("fewer than two relays: %q", relays)
	}
	nats, ok := c.Services["nats"]
	switch {
	case !ok:
		add("service nats is missing")
	case nats.Healthcheck == nil || len(nats.Healthcheck.Test) < 2:
		add("nats has no health check")
	case !slices.Contains(slices.Collect(mapKeys(nats.Networks)), "cluster"):
		add("nats is not on the cluster network")
	}
	builds, images, replicas := 0, map[string]bool{}, map[string]string{}
	for name, s := range c.Services {
		if s.Image == "" {
			add("service %s has no image", name)
		}
		if s.Restart != "unless-stopped" && s.Restart != "always" {
			add("service %s does not restart after a reboot or crash", name)
		}
		if len(s.Ports) > 0 {
			add("service %s publishes %q; only the tunnel may reach the relays", name, s.Ports)
		}
		for net := range s.Networks {
			if _, ok := c.Networks[net]; !ok {
				add("service %s uses network %s, which is not declared", name, net)
			}
		}
		if s.Build != nil {
			builds++
		}
	}
	if builds != 1 {
		add("%d services build the relay image; one should, the others run it", builds)
	}
	for _, name := range relays {
		s := c.Services[name]
		n := strings.TrimPrefix(name, "relay-")
		pair := "pair-" + n
		images[s.Image] = true
		if s.Environment["PIKA_TRUST_PROXY"] != "true" {
			add("%s behind cloudflared must trust X-Forwarded-* (PIKA_TRUST_PROXY)", name)
		}
		if !strings.Contains(s.Environment["PIKA_NATS_URL"], "nats://nats:4222") {
			add("%s does not default PIKA_NATS_URL to the nats service", name)
		}
		if _, ok := s.Environment["PIKA_PUBLIC_URL"]; !ok {
			add("%s has no PIKA_PUBLIC_URL", name)
		}
		if r := s.Environment["PIKA_DATABASE_REPLICA"]; r == "" || replicas[r] != "" {
			add("%s needs an embedded replica file of its own (PIKA_DATABASE_REPLICA %q)", name, r)
		} else {
			replicas[r] = name
		}
		if !slices.Contains(s.Volumes, "pika-data:/data") {
			add("%s does not share the pika-data volume on /data", name)
		}
		if _, ok := s.Networks["cluster"]; !ok {
			add("%s is not on the cluster network (NATS)", name)
		}
		if !slices.Contains(s.Networks[pair], "relay") {
			add("%s does not answer as relay on %s", name, pair)
		}
		if hc := s.Healthcheck; hc == nil || !strings.Contains(strings.Join(hc.Test, " "), "/healthz") {
			add("%s has no /healthz health check", name)
		}
		cf, ok := c.Services["cloudflared-"+n]
		if !ok {
			add("%s has no cloudflared-%s", name, n)
			continue
		}
		if nets := slices.Collect(mapKeys(cf.Networks)); !slices.Equal(nets, []string{pair}) {
			add("cloudflared-%s is on %q, want only %s", n, nets, pair)
		}
		if !slices.Contains(cf.Command, "tunnel") || !slices.Contains(cf.Command, "run") {
			add("cloudflared-%s does not run the tunnel", n)
		}
		if !strings.HasPrefix(cf.Environment["TUNNEL_TOKEN"], "${TUNNEL_TOKEN") {
			add("cloudflared-%s's TUNNEL_TOKEN does not come from the environment", n)
		}
		for _, r := range relays {
			if cf.DependsOn[r].Condition != "service_healthy" {
				add("cloudflared-%s does not wait for a healthy %s", n, r)
			}
		}
	}
	if len(images) > 1 {
		add("the relays run different images: %v", slices.Collect(mapKeys(images)))
	}
	// On a pair network only its relay may answer as "relay".
	for name, s := range c.Services {
		for net, aliases := range s.Networks {
			if slices.Contains(aliases, "relay") && net != "pair-"+strings.TrimPrefix(name, "relay-") {
				add("%s answers as relay on %s, which is not its pair network", name, net)
			}
		}
	}
	for name := range c.Services {
		if n, ok := strings.CutPrefix(name, "cloudflared-"); ok {
			if _, ok := c.Services["relay-"+n]; !ok {
				add("%s has no relay-%s", name, n)
			}
		}
	}
	for _, m := range varRef.FindAllSubmatch(raw, -1) {
		if name := string(m[1]); !envKeys[name] {
			add("compose.cluster.yaml uses ${%s}, which .env.example does not document", name)
		}
	}
	if loc := secretLooking.Find(raw); loc != nil {
		add("compose.cluster.yaml holds what looks like a secret: %.12s…", loc)
	}
	return p
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k) {
				return
			}
		}
	}
}

func TestClusterCompose(t *testing.T) {
	deploy := filepath.Join(repoRoot(t), "deploy")
	keys, _ := readEnvExample(readFile(t, deploy, ".env.example"))
	for _, pr := range checkCluster(readFile(t, deploy, "compose.cluster.yaml"), keys) {
		t.Error(pr)
	}
}

// Each mutation of the real file is a mistake the checks must catch.
func TestClusterChecksCatchMistakes(t *testing.T) {
	deploy := filepath.Join(repoRoot(t), "deploy")
	keys, _ := readEnvExample(readFile(t, deploy, ".env.example"))
	good := string(readFile(t, deploy, "compose.cluster.yaml"))
	tests := []struct{ name, old, new, want string }{
		{"connector on another relay's network", "  cloudflared-2:\n    <<: *cloudflared\n    networks: [pair-2]", "  cloudflared-2:\n    <<: *cloudflared\n    networks: [pair-1]", "cloudflared-2 is on"},
		{"no NATS", "  PIKA_NATS_URL: ${PIKA_NATS_URL:-nats://nats:4222}\n", "", "PIKA_NATS_URL"},
		{"shared replica file", "/data/relay-3-replica.db", "/data/relay-2-replica.db", "replica file of its own"},
		{"two relays answer as relay", "      pair-3:\n        aliases: [relay]", "      pair-2:\n        aliases: [relay]", "not its pair network"},
		{"port published", "    networks: [pair-3]\n", "    networks: [pair-3]\n    ports: [\"8080:8080\"]\n", "publishes"},
		{"undocumented variable", "${NATS_IMAGE:-nats:2-alpine}", "${NATS_TAG:-nats:2-alpine}", "does not document"},
		{"connector does not wait", "    relay-3:\n      condition: service_healthy\n  read_only", "  read_only", "does not wait for a healthy relay-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("compose.cluster.yaml no longer holds %q", tc.old)
			}
			probs := checkCluster([]byte(strings.Replace(good, tc.old, tc.new, 1)), keys)
			if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Fatalf("mutation not caught (want %q), problems: %q", tc.want, probs)
			}
		})
	}
}
