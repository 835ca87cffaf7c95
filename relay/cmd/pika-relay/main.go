// Command pika-relay runs the Pika! relay: DJ accounts, live sessions over
// WebSocket, the REST API and the dancer pages.
//
// Every flag has an environment fallback (PIKA_…); flags win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // event time zones must resolve in minimal containers too

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/internal/logdedup"
	"github.com/pikadj/pika/relay/internal/loginguard"
	"github.com/pikadj/pika/relay/internal/pinguard"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pika-relay:", err)
		os.Exit(1)
	}
}

// options is what the command line and environment say.
type options struct {
	app       app.Config
	level     slog.Level
	drain     time.Duration
	logRepeat time.Duration
}

// parseOptions reads flags, falling back to the environment through
// getenv.
func parseOptions(args []string, getenv func(string) string) (options, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("pika-relay", flag.ContinueOnError)
	trust, _ := strconv.ParseBool(getenv("PIKA_TRUST_PROXY"))
	drainDefault := 15 * time.Second
	if d, err := time.ParseDuration(getenv("PIKA_DRAIN_TIMEOUT")); err == nil && d > 0 {
		drainDefault = d
	}
	repeatDefault := time.Minute
	if d, err := time.ParseDuration(getenv("PIKA_LOG_REPEAT_WINDOW")); err == nil && d > 0 {
		repeatDefault = d
	}
	durEnv := func(name string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(name)); err == nil && d > 0 {
			return d
		}
		return def
	}
	var (
		logRepeat  = fs.Duration("log-repeat-window", repeatDefault, "identical warnings and errors within this window are logged once, then once with their count (PIKA_LOG_REPEAT_WINDOW)")
		addr       = fs.String("addr", env("PIKA_ADDR", "127.0.0.1:8080"), "listen address (PIKA_ADDR)")
		dbURL      = fs.String("db", env("PIKA_DATABASE_URL", "file:pika.db"), "database: file: path of the embedded database, or a libsql:// Turso URL (PIKA_DATABASE_URL; the Turso token is read from PIKA_DATABASE_AUTH_TOKEN)")
		replica    = fs.String("db-replica", env("PIKA_DATABASE_REPLICA", "pika-replica.db"), "local file of the embedded replica when -db is a libsql:// URL (PIKA_DATABASE_REPLICA)")
		publicURL  = fs.String("public-url", env("PIKA_PUBLIC_URL", ""), "public URL used in join and recap links and the CSP, e.g. https://pika.example (PIKA_PUBLIC_URL; default http://ADDR)")
		origins    = fs.String("allowed-origins", env("PIKA_ALLOWED_ORIGINS", ""), "comma-separated extra origins allowed for WebSocket and CORS; same origin and loopback are always allowed (PIKA_ALLOWED_ORIGINS)")
		trustProxy = fs.Bool("trust-proxy", trust, "take client IP and scheme from X-Forwarded-For/-Proto, for use behind a tunnel or reverse proxy (PIKA_TRUST_PROXY)")
		logLevel   = fs.String("log-level", env("PIKA_LOG_LEVEL", "info"), "debug, info, warn or error (PIKA_LOG_LEVEL)")
		drain      = fs.Duration("drain-timeout", drainDefault, "how long SIGTERM waits for clients and writes to drain (PIKA_DRAIN_TIMEOUT)")
		natsURL    = fs.String("nats-url", env("PIKA_NATS_URL", ""), "NATS server(s) shared with the other relays, e.g. nats://nats:4222 (comma separated); empty: a single relay (PIKA_NATS_URL)")
		ownerLease = fs.Duration("owner-lease", durEnv("PIKA_OWNER_LEASE", 6*time.Second), "with -nats-url: how long a relay owns a live session without renewing; a dead relay's sessions move to another within it (PIKA_OWNER_LEASE)")
		appVersion = fs.String("app-latest-version", env("PIKA_APP_LATEST_VERSION", ""), "newest desktop app release announced at /api/app/latest, e.g. 1.4.0 (PIKA_APP_LATEST_VERSION; empty: none)")
		appURL     = fs.String("app-download-url", env("PIKA_APP_DOWNLOAD_URL", ""), "where DJs download that release, http:// or https:// (PIKA_APP_DOWNLOAD_URL)")
	)
	// Failed sign-ins and revoked tokens (relay/README.md, "Accounts,
	// tokens and health").
	intEnv := func(name string, def int) int {
		if n, err := strconv.Atoi(getenv(name)); err == nil && n > 0 {
			return n
		}
		return def
	}
	var (
		loginAcctFree = fs.Int("login-account-failures", intEnv("PIKA_LOGIN_ACCOUNT_FAILURES", 10), "failed sign-ins per account before waits start (PIKA_LOGIN_ACCOUNT_FAILURES)")
		loginAcctMax  = fs.Duration("login-account-max-wait", durEnv("PIKA_LOGIN_ACCOUNT_MAX_WAIT", time.Minute), "longest wait an account's failures impose (PIKA_LOGIN_ACCOUNT_MAX_WAIT)")
		loginAddrFree = fs.Int("login-address-failures", intEnv("PIKA_LOGIN_ADDRESS_FAILURES", 20), "failed sign-ins per address (IPv6: per /64) before waits start (PIKA_LOGIN_ADDRESS_FAILURES)")
		loginAddrMax  = fs.Duration("login-address-max-wait", durEnv("PIKA_LOGIN_ADDRESS_MAX_WAIT", 15*time.Minute), "longest wait an address's failures impose (PIKA_LOGIN_ADDRESS_MAX_WAIT)")
		tokenRecheck  = fs.Duration("token-check-interval", durEnv("PIKA_TOKEN_CHECK_INTERVAL", 10*time.Second), "how often connected DJs' tokens are re-checked; a revoke closes its connections at once (PIKA_TOKEN_CHECK_INTERVAL)")
	)
	setLimits := limitFlags(fs, getenv)
	setPush := pushFlags(fs, getenv)
	lim, idsPerAddr, idRefill, secretFile := pinFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var o options
	if err := o.level.UnmarshalText([]byte(*logLevel)); err != nil {
		return options{}, fmt.Errorf("bad -log-level %q", *logLevel)
	}
	if *publicURL != "" {
		u, err := url.Parse(*publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return options{}, fmt.Errorf("-public-url %q must be an http:// or https:// URL", *publicURL)
		}
	}
	release, err := appRelease(*appVersion, *appURL)
	if err != nil {
		return options{}, err
	}
	o.drain = *drain
	o.logRepeat = *logRepeat
	o.app = app.Config{
		Addr:              *addr,
		DatabaseURL:       *dbURL,
		DatabaseAuthToken: getenv("PIKA_DATABASE_AUTH_TOKEN"),
		ReplicaPath:       *replica,
		PublicURL:         *publicURL,
		AllowedOrigins:    splitList(*origins),
		TrustProxy:        *trustProxy,
		MetricsToken:      getenv("PIKA_METRICS_TOKEN"),
		Login: loginguard.Limits{
			AccountFree: *loginAcctFree, AccountMaxDelay: *loginAcctMax,
			AddressFree: *loginAddrFree, AddressMaxDelay: *loginAddrMax,
		},
		TokenCheckInterval: *tokenRecheck,
		Secret:             getenv("PIKA_RELAY_SECRET"),
		SecretFile:         *secretFile,
		PINLimits:          *lim,
		IDsPerAddress:      *idsPerAddr,
		IDRefill:           *idRefill,
		NATSURL:            *natsURL,
		OwnerLease:         *ownerLease,
		AppRelease:         release,
	}
	if err := setLimits(&o.app); err != nil {
		return options{}, err
	}
	if err := setPush(&o.app); err != nil {
		return options{}, err
	}
	return o, nil
}

// pinFlags declares the settings of PIN guessing and client ids.
func pinFlags(fs *flag.FlagSet, getenv func(string) string) (lim *pinguard.Limits, idsPerAddr *int, idRefill *time.Duration, secretFile *string) {
	d := pinguard.Defaults()
	num := func(env string, def int) int {
		if n, err := strconv.Atoi(getenv(env)); err == nil && n > 0 {
			return n
		}
		return def
	}
	dur := func(env string, def time.Duration) time.Duration {
		if v, err := time.ParseDuration(getenv(env)); err == nil && v > 0 {
			return v
		}
		return def
	}
	lim = &pinguard.Limits{}
	fs.IntVar(&lim.AddrGuesses, "pin-guesses-per-address", num("PIKA_PIN_GUESSES_PER_ADDRESS", d.AddrGuesses), "wrong PINs one address (IPv6: one /64) may try per session before it is locked out (PIKA_PIN_GUESSES_PER_ADDRESS)")
	fs.DurationVar(&lim.AddrRefill, "pin-guess-refill", dur("PIKA_PIN_GUESS_REFILL", d.AddrRefill), "one more wrong PIN is allowed per address every this long (PIKA_PIN_GUESS_REFILL)")
	fs.DurationVar(&lim.Lockout, "pin-lockout", dur("PIKA_PIN_LOCKOUT", d.Lockout), "first lockout of an address over its wrong PINs; each further one doubles (PIKA_PIN_LOCKOUT)")
	fs.DurationVar(&lim.LockoutMax, "pin-lockout-max", dur("PIKA_PIN_LOCKOUT_MAX", d.LockoutMax), "longest lockout of an address (PIKA_PIN_LOCKOUT_MAX)")
	fs.IntVar(&lim.SessionGuesses, "pin-guesses-per-session", num("PIKA_PIN_GUESSES_PER_SESSION", d.SessionGuesses), "wrong PINs a session takes from all addresses before new addresses wait (PIKA_PIN_GUESSES_PER_SESSION)")
	fs.DurationVar(&lim.SessionDelay, "pin-session-delay", dur("PIKA_PIN_SESSION_DELAY", d.SessionDelay), "first wait for new addresses once a session is over its wrong PINs; doubles with each further one (PIKA_PIN_SESSION_DELAY)")
	fs.DurationVar(&lim.SessionDelayMax, "pin-session-delay-max", dur("PIKA_PIN_SESSION_DELAY_MAX", d.SessionDelayMax), "longest such wait (PIKA_PIN_SESSION_DELAY_MAX)")
	idsPerAddr = fs.Int("client-ids-per-address", num("PIKA_CLIENT_IDS_PER_ADDRESS", 300), "new dancer ids one address is issued per session at once (PIKA_CLIENT_IDS_PER_ADDRESS)")
	idRefill = fs.Duration("client-id-refill", dur("PIKA_CLIENT_ID_REFILL", 10*time.Second), "one more new dancer id per address every this long (PIKA_CLIENT_ID_REFILL)")
	secretFile = fs.String("secret-file", getenv("PIKA_SECRET_FILE"), "file holding the relay secret (PIN hashes, client ids), made on first start; default pika.secret beside the database; PIKA_RELAY_SECRET overrides it (PIKA_SECRET_FILE)")
	return lim, idsPerAddr, idRefill, secretFile
}

func run(args []string) error {
	o, err := parseOptions(args, os.Getenv)
	if err != nil {
		return err
	}
	// A full disk or a lost database fails every request alike: log each
	// distinct error once per window with its count, not once per request.
	dedup := logdedup.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: o.level}), logdedup.Options{Window: o.logRepeat})
	defer dedup.Flush()
	log := slog.New(dedup)
	if n, err := raiseFileLimit(); err != nil {
		log.Warn("could not raise the open file limit", "err", err)
	} else {
		log.Info("open file limit", "nofile", n)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	o.app.Logger = log
	a, err := app.Start(ctx, o.app)
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down: draining clients and writes")
	sctx, scancel := context.WithTimeout(context.Background(), o.drain)
	defer scancel()
	if err := a.Shutdown(sctx); err != nil {
		var de *app.DrainError
		if errors.As(err, &de) {
			log.Warn("drain timed out", "timeout", o.drain.String(), "pending", de.Pending)
		}
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// raiseFileLimit lifts the soft open-file limit to the hard one: each
// dancer is a socket, and the usual 1024 would cap a session.
func raiseFileLimit() (uint64, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			return 0, err
		}
	}
	return rl.Cur, nil
}
