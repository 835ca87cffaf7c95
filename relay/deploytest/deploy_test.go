package deploytest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot finds the repository from the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.work not found above the test directory")
		}
		dir = parent
	}
}

func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compose models the parts of the compose specification deploy/ uses,
// for both compose files (the cluster's after YAML merge keys are
// applied). Decoding compose.yaml is strict: a misspelt key fails instead
// of being ignored.
type compose struct {
	Name     string                    `yaml:"name"`
	Services map[string]service        `yaml:"services"`
	Volumes  map[string]*struct{}      `yaml:"volumes"`
	Networks map[string]*composeNetwrk `yaml:"networks"`
}

type composeNetwrk struct {
	EnableIPv6 bool `yaml:"enable_ipv6"`
	Internal   bool `yaml:"internal"`
}

type service struct {
	Image           string            `yaml:"image"`
	Build           *build            `yaml:"build"`
	Restart         string            `yaml:"restart"`
	Command         []string          `yaml:"command"`
	Environment     map[string]string `yaml:"environment"`
	Ports           []string          `yaml:"ports"`
	Volumes         []string          `yaml:"volumes"`
	Healthcheck     *healthcheck      `yaml:"healthcheck"`
	DependsOn       map[string]dep    `yaml:"depends_on"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
	Ulimits         map[string]int    `yaml:"ulimits"`
	ReadOnly        bool              `yaml:"read_only"`
	Tmpfs           []string          `yaml:"tmpfs"`
	CapDrop         []string          `yaml:"cap_drop"`
	SecurityOpt     []string          `yaml:"security_opt"`
	Networks        serviceNetworks   `yaml:"networks"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

type healthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	StartPeriod string   `yaml:"start_period"`
	Retries     int      `yaml:"retries"`
}

type dep struct {
	Condition string `yaml:"condition"`
}

// varRef matches compose interpolations: ${NAME}, ${NAME:-default},
// ${NAME:?message}.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

// secretName says which settings hold secrets.
var secretName = regexp.MustCompile(`(?i)(TOKEN|SECRET|PASSWORD|PASSWD|KEY)`)

// secretLooking catches secrets pasted as values: DJ tokens, Cloudflare
// tunnel tokens and JWTs (base64 JSON, "eyJ…"), long hex or base64 runs.
var secretLooking = regexp.MustCompile(`pk_dj_[0-9a-fA-F]{8,}|eyJ[A-Za-z0-9_-]{16,}|\b[0-9a-fA-F]{40,}\b|[A-Za-z0-9+/]{48,}={0,2}`)

// checkCompose returns every problem found in a compose file, given the
// keys .env.example documents.
func checkCompose(raw []byte, envKeys map[string]bool, composeDir string) []string {
	var c compose
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return []string{"compose.yaml does not parse: " + err.Error()}
	}
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	for _, name := range []string{"relay", "cloudflared", "uptime-kuma"} {
		if _, ok := c.Services[name]; !ok {
			add("service %s is missing", name)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" {
			add("service %s has no image", name)
		}
		if s.Restart != "unless-stopped" && s.Restart != "always" {
			add("service %s does not restart after a reboot or crash (restart: %q)", name, s.Restart)
		}
		// No open ports: only loopback bindings, and only for Kuma.
		for _, port := range s.Ports {
			if !strings.HasPrefix(port, "127.0.0.1:") {
				add("service %s publishes %q beyond 127.0.0.1", name, port)
			}
			if name != "uptime-kuma" {
				add("service %s publishes a port (%q); only cloudflared may reach it", name, port)
			}
		}
		for _, v := range s.Volumes {
			vol, _, ok := strings.Cut(v, ":")
			if ok && !strings.HasPrefix(vol, ".") && !strings.HasPrefix(vol, "/") {
				if _, declared := c.Volumes[vol]; !declared {
					add("service %s uses volume %s, which is not declared", name, vol)
				}
			}
		}
		for n := range s.Networks {
			if _, ok := c.Networks[n]; !ok {
				add("service %s uses network %s, which is not declared", name, n)
			}
		}
		for key, val := range s.Environment {
			refs := varRef.FindAllStringSubmatch(val, -1)
			if secretName.MatchString(key) {
				if len(refs) != 1 || refs[0][0] != val || (refs[0][2] == ":-" && refs[0][3] != "") {
					add("service %s: secret %s must be a plain ${VAR} reference to .env, not %q", name, key, val)
				}
			}
		}
	}
	for _, m := range varRef.FindAllSubmatch(raw, -1) {
		if name := string(m[1]); !envKeys[name] {
			add("compose.yaml uses ${%s}, which .env.example does not document", name)
		}
	}
	if loc := secretLooking.Find(raw); loc != nil {
		add("compose.yaml holds what looks like a secret: %.12s…", loc)
	}

	if relay, ok := c.Services["relay"]; ok {
		if relay.Build == nil || relay.Build.Dockerfile != "relay/Dockerfile" {
			add("relay is not built from relay/Dockerfile")
		} else if _, err := os.Stat(filepath.Join(composeDir, relay.Build.Context, relay.Build.Dockerfile)); err != nil {
			add("relay build context %q does not hold %s: %v", relay.Build.Context, relay.Build.Dockerfile, err)
		}
		hc := relay.Healthcheck
		switch {
		case hc == nil || len(hc.Test) < 2 || hc.Test[0] != "CMD":
			add("relay has no CMD health check")
		case !strings.Contains(strings.Join(hc.Test, " "), "/healthz"):
			add("relay's health check does not ask /healthz")
		case hc.Interval == "" || hc.Timeout == "" || hc.Retries < 1:
			add("relay's health check lacks interval, timeout or retries")
		}
		data := false
		for _, v := range relay.Volumes {
			vol, target, _ := strings.Cut(v, ":")
			if target == "/data" {
				_, data = c.Volumes[vol]
			}
		}
		if !data {
			add("relay has no named volume on /data for its embedded database")
		}
		if !strings.Contains(relay.Environment["PIKA_DATABASE_URL"], "file:/data/") {
			add("relay's default database is not on /data")
		}
		if relay.Environment["PIKA_TRUST_PROXY"] != "true" {
			add("relay behind cloudflared must trust X-Forwarded-* (PIKA_TRUST_PROXY)")
		}
		if _, ok := relay.Environment["PIKA_PUBLIC_URL"]; !ok {
			add("relay has no PIKA_PUBLIC_URL")
		}
	}
	if cf, ok := c.Services["cloudflared"]; ok {
		if !slices.Contains(cf.Command, "tunnel") || !slices.Contains(cf.Command, "run") {
			add("cloudflared does not run the tunnel (command %q)", cf.Command)
		}
		if tok := cf.Environment["TUNNEL_TOKEN"]; !strings.HasPrefix(tok, "${TUNNEL_TOKEN") {
			add("cloudflared's TUNNEL_TOKEN does not come from the environment")
		}
		if cf.DependsOn["relay"].Condition != "service_healthy" {
			add("cloudflared should wait for a healthy relay")
		}
	}
	return p
}

// readEnvExample returns the keys of .env.example and the problems found:
// every key needs a comment above it, and secrets must be empty.
func readEnvExample(raw []byte) (map[string]bool, []string) {
	keys := map[string]bool{}
	var p []string
	commented := false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			commented = false
		case strings.HasPrefix(line, "#"):
			commented = true
		default:
			key, val, ok := strings.Cut(line, "=")
			if !ok || !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(key) {
				p = append(p, fmt.Sprintf(".env.example line %d is not KEY=value: %q", n, line))
				continue
			}
			if keys[key] {
				p = append(p, fmt.Sprintf(".env.example sets %s twice", key))
			}
			keys[key] = true
			if !commented {
				p = append(p, fmt.Sprintf(".env.example does not say what %s means", key))
			}
			if secretName.MatchString(key) && val != "" {
				p = append(p, fmt.Sprintf(".env.example gives secret %s a value", key))
			}
			if secretLooking.MatchString(val) {
				p = append(p, fmt.Sprintf(".env.example value of %s looks like a secret", key))
			}
		}
	}
	return keys, p
}

func TestDeployFiles(t *testing.T) {
	root := repoRoot(t)
	deploy := filepath.Join(root, "deploy")
	keys, problems := readEnvExample(readFile(t, deploy, ".env.example"))
	for _, pr := range problems {
		t.Error(pr)
	}
	for _, pr := range checkCompose(readFile(t, deploy, "compose.yaml"), keys, deploy) {
		t.Error(pr)
	}

	// Every setting the relay and pika-backup read is documented.
	for _, dir := range []string{"relay/cmd/pika-relay", "relay/cmd/pika-backup", "relay/internal/app"} {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			for _, m := range regexp.MustCompile(`"(PIKA_[A-Z0-9_]+)"`).FindAllSubmatch(readFile(t, f), -1) {
				if !keys[string(m[1])] {
					t.Errorf("%s reads %s, which deploy/.env.example does not document", filepath.Base(dir), m[1])
				}
			}
		}
	}

	gitignore := string(readFile(t, deploy, ".gitignore"))
	if !slices.Contains(strings.Fields(gitignore), ".env") {
		t.Error("deploy/.gitignore does not keep .env (the tunnel token) out of git")
	}
}

// The checks must catch what they are for: each mutation of the real
// compose file is a mistake a deploy could make.
func TestComposeChecksCatchMistakes(t *testing.T) {
	root := repoRoot(t)
	deploy := filepath.Join(root, "deploy")
	keys, _ := readEnvExample(readFile(t, deploy, ".env.example"))
	good := string(readFile(t, deploy, "compose.yaml"))
	tests := []struct {
		name, old, new, want string
	}{
		{"kuma open to the world", `"127.0.0.1:${UPTIME_KUMA_PORT:-3001}:3001"`, `"3001:3001"`, "beyond 127.0.0.1"},
		{"relay port published", "    volumes:\n      - pika-data:/data\n", "    volumes:\n      - pika-data:/data\n    ports:\n      - \"127.0.0.1:8080:8080\"\n", "only cloudflared may reach it"},
		{"token inline", "TUNNEL_TOKEN: ${TUNNEL_TOKEN:?set TUNNEL_TOKEN in deploy/.env}", "TUNNEL_TOKEN: eyJhIjoiMTIzNDU2Nzg5MCIsInQiOiJhYmNkZWYifQ", "secret"},
		{"token with a default", "TUNNEL_TOKEN: ${TUNNEL_TOKEN:?set TUNNEL_TOKEN in deploy/.env}", "TUNNEL_TOKEN: ${TUNNEL_TOKEN:-abc}", "plain ${VAR}"},
		{"undocumented variable", "${PIKA_LOG_LEVEL:-info}", "${PIKA_VERBOSITY:-info}", "does not document"},
		{"no health check", "    healthcheck:\n", "    x-healthcheck:\n", "field x-healthcheck not found"},
		{"health check elsewhere", "/healthz", "/", "does not ask /healthz"},
		{"database not on a volume", "      - pika-data:/data\n", "", "no named volume on /data"},
		{"undeclared volume", "      - kuma-data:/app/data", "      - kuma:/app/data", "not declared"},
		{"no tunnel", `["tunnel", "--no-autoupdate", "run"]`, `["version"]`, "does not run the tunnel"},
		{"cloudflared service renamed", "  cloudflared:\n", "  tunnel:\n", "service cloudflared is missing"},
		{"not proxied", `PIKA_TRUST_PROXY: "true"`, `PIKA_TRUST_PROXY: "false"`, "PIKA_TRUST_PROXY"},
		{"no restart", "    restart: unless-stopped\n    # Loopback", "    # Loopback", "does not restart"},
		{"broken YAML", "services:", "services: [", "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("compose.yaml no longer contains %q; update this case", tt.old)
			}
			bad := strings.Replace(good, tt.old, tt.new, 1)
			problems := checkCompose([]byte(bad), keys, deploy)
			if !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("problems %q, want one about %q", problems, tt.want)
			}
		})
	}
}

func TestEnvExampleChecksCatchMistakes(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{"fine", "# what it is\nPIKA_X=1\n", ""},
		{"undocumented", "# a\nPIKA_X=1\n\nPIKA_Y=2\n", "what PIKA_Y means"},
		{"secret filled in", "# token\nTUNNEL_TOKEN=abc\n", "gives secret TUNNEL_TOKEN a value"},
		{"not a setting", "# x\nexport PIKA_X=1\n", "not KEY=value"},
		{"twice", "# x\nPIKA_X=1\nPIKA_X=2\n", "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := readEnvExample([]byte(tt.env))
			if tt.want == "" {
				if len(problems) > 0 {
					t.Errorf("problems %q", problems)
				}
				return
			}
			if !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("problems %q, want one about %q", problems, tt.want)
			}
		})
	}
}

// unit reads a systemd unit file into section → key → values.
func unit(raw []byte) map[string]map[string][]string {
	u := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(line, "=")
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func TestSystemdUnits(t *testing.T) {
	root := repoRoot(t)
	relay := unit(readFile(t, root, "deploy", "pika-relay.service"))
	svc := relay["Service"]
	want := []struct{ key, value string }{
		{"ExecStart", "/usr/local/bin/pika-relay"},
		{"DynamicUser", "yes"},
		{"StateDirectory", "pika-relay"},
		{"NoNewPrivileges", "yes"},
		{"ProtectSystem", "strict"},
		{"ProtectHome", "yes"},
		{"PrivateTmp", "yes"},
		{"PrivateDevices", "yes"},
		{"CapabilityBoundingSet", ""},
		{"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"},
		{"KillSignal", "SIGTERM"},
		{"Environment", "PIKA_ADDR=127.0.0.1:8080"},
		{"Environment", "PIKA_DATABASE_URL=file:/var/lib/pika-relay/pika.db"},
		{"EnvironmentFile", "/etc/pika-relay/env"},
	}
	for _, w := range want {
		if !slices.Contains(svc[w.key], w.value) {
			t.Errorf("pika-relay.service: want %s=%s, have %q", w.key, w.value, svc[w.key])
		}
	}
	for _, env := range svc["Environment"] {
		if secretName.MatchString(env) {
			t.Errorf("pika-relay.service sets a secret inline (%s); it belongs in the EnvironmentFile", env)
		}
	}
	if relay["Install"]["WantedBy"] == nil {
		t.Error("pika-relay.service cannot be enabled: no [Install] WantedBy")
	}
	backup := unit(readFile(t, root, "deploy", "pika-backup.service"))
	if exec := strings.Join(backup["Service"]["ExecStart"], " "); !strings.Contains(exec, "pika-backup backup /var/lib/pika-relay/pika.db ") {
		t.Errorf("pika-backup.service does not back up the relay's database: %q", exec)
	}
	timer := unit(readFile(t, root, "deploy", "pika-backup.timer"))
	if timer["Timer"]["OnCalendar"] == nil {
		t.Error("pika-backup.timer has no OnCalendar")
	}

	// systemd's own parser, where it is installed, with the binaries
	// swapped for /bin/true (they are not installed here).
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: unit syntax checked by this test only")
		return
	}
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"pika-relay.service", "pika-backup.service", "pika-backup.timer"} {
		b := readFile(t, root, "deploy", name)
		b = bytes.ReplaceAll(b, []byte("/usr/local/bin/pika-relay"), []byte("/bin/true"))
		b = bytes.ReplaceAll(b, []byte("/usr/local/bin/pika-backup"), []byte("/bin/true"))
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, dir) {
			t.Errorf("systemd-analyze: %s", line)
		}
	}
	if err != nil && !bytes.Contains(out, []byte(dir)) {
		t.Logf("systemd-analyze verify could not run here (%v): %s", err, out)
	}
}

func TestCloudflaredExample(t *testing.T) {
	root := repoRoot(t)
	var cfg struct {
		Tunnel          string `yaml:"tunnel"`
		CredentialsFile string `yaml:"credentials-file"`
		EdgeIPVersion   string `yaml:"edge-ip-version"`
		NoAutoupdate    bool   `yaml:"no-autoupdate"`
		Ingress         []struct {
			Hostname      string         `yaml:"hostname"`
			Path          string         `yaml:"path"`
			Service       string         `yaml:"service"`
			OriginRequest map[string]any `yaml:"originRequest"`
		} `yaml:"ingress"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, root, "deploy", "cloudflared", "config.example.yml")))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("config.example.yml: %v", err)
	}
	if cfg.Tunnel == "" || cfg.CredentialsFile == "" {
		t.Error("config.example.yml lacks tunnel or credentials-file")
	}
	if len(cfg.Ingress) < 2 {
		t.Fatalf("ingress needs a rule for the relay and a catch-all, has %d", len(cfg.Ingress))
	}
	last := cfg.Ingress[len(cfg.Ingress)-1]
	if last.Hostname != "" || last.Service != "http_status:404" {
		t.Errorf("last ingress rule must be the catch-all http_status:404, is %+v", last)
	}
	metricsBlocked, relayed := false, false
	for _, r := range cfg.Ingress[:len(cfg.Ingress)-1] {
		switch {
		case r.Hostname != "" && r.Path == "^/metrics" && r.Service == "http_status:404":
			metricsBlocked = !relayed // only a rule before the relay's counts
		case r.Hostname != "" && r.Path == "" && r.Service == "http://127.0.0.1:8080":
			relayed = true
		default:
			t.Errorf("ingress rule %+v is neither the relay on http://127.0.0.1:8080 nor the /metrics block", r)
		}
	}
	if !relayed {
		t.Error("no ingress rule sends the hostname to the relay")
	}
	if !metricsBlocked {
		t.Error("/metrics is reachable through the tunnel: block it with a rule before the relay's")
	}
}

func TestDockerfile(t *testing.T) {
	root := repoRoot(t)
	df := string(readFile(t, root, "relay", "Dockerfile"))
	// Join continuation lines so that each instruction is one line.
	df = strings.ReplaceAll(df, "\\\n", " ")
	var froms, users, healthchecks, volumes, envs []string
	for _, line := range strings.Split(df, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		rest := strings.TrimSpace(strings.TrimPrefix(line, f[0]))
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, rest)
		case "USER":
			users = append(users, rest)
		case "HEALTHCHECK":
			healthchecks = append(healthchecks, rest)
		case "VOLUME":
			volumes = append(volumes, rest)
		case "ENV":
			envs = append(envs, rest)
		}
	}
	if len(froms) != 2 || !strings.HasPrefix(froms[0], "golang:1.26-bookworm AS ") || froms[1] != "debian:bookworm-slim" {
		t.Errorf("want a golang:1.26-bookworm build stage and a debian:bookworm-slim runtime, have %q", froms)
	}
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "root") || strings.HasPrefix(users[len(users)-1], "0") {
		t.Errorf("the image must run as a non-root user, USER is %q", users)
	}
	if len(healthchecks) != 1 || !strings.Contains(healthchecks[0], "/healthz") {
		t.Errorf("want one HEALTHCHECK on /healthz, have %q", healthchecks)
	}
	if !slices.Contains(volumes, "/data") {
		t.Errorf("want VOLUME /data, have %q", volumes)
	}
	allEnv := strings.Join(envs, " ")
	for _, want := range []string{"PIKA_ADDR=0.0.0.0:8080", "CGO_ENABLED=1", "PIKA_DATABASE_URL=file:/data/"} {
		if !strings.Contains(allEnv, want) {
			t.Errorf("Dockerfile does not set %s", want)
		}
	}
	if !strings.Contains(df, "ca-certificates") {
		t.Error("runtime image lacks ca-certificates (TLS to Turso)")
	}
	// Every path the build copies exists (the context is the repository root).
	for _, m := range regexp.MustCompile(`(?m)^COPY ([^-\n][^\n]*)$`).FindAllStringSubmatch(df, -1) {
		f := strings.Fields(m[1])
		for _, src := range f[:len(f)-1] {
			if strings.Contains(src, "*") {
				continue // optional files, like go.work.sum
			}
			if _, err := os.Stat(filepath.Join(root, src)); err != nil {
				t.Errorf("COPY source %s is missing from the repository", src)
			}
		}
	}
}
