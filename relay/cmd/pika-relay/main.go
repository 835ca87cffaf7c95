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
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pika-relay:", err)
		os.Exit(1)
	}
}

// options is what the command line and environment say.
type options struct {
	app   app.Config
	level slog.Level
	drain time.Duration
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
	var (
		addr       = fs.String("addr", env("PIKA_ADDR", "127.0.0.1:8080"), "listen address (PIKA_ADDR)")
		dbURL      = fs.String("db", env("PIKA_DATABASE_URL", "file:pika.db"), "database: file: path of the embedded database, or a libsql:// Turso URL (PIKA_DATABASE_URL; the Turso token is read from PIKA_DATABASE_AUTH_TOKEN)")
		replica    = fs.String("db-replica", env("PIKA_DATABASE_REPLICA", "pika-replica.db"), "local file of the embedded replica when -db is a libsql:// URL (PIKA_DATABASE_REPLICA)")
		publicURL  = fs.String("public-url", env("PIKA_PUBLIC_URL", ""), "public URL used in join and recap links and the CSP, e.g. https://pika.example (PIKA_PUBLIC_URL; default http://ADDR)")
		origins    = fs.String("allowed-origins", env("PIKA_ALLOWED_ORIGINS", ""), "comma-separated extra origins allowed for WebSocket and CORS; same origin and loopback are always allowed (PIKA_ALLOWED_ORIGINS)")
		trustProxy = fs.Bool("trust-proxy", trust, "take client IP and scheme from X-Forwarded-For/-Proto, for use behind a tunnel or reverse proxy (PIKA_TRUST_PROXY)")
		logLevel   = fs.String("log-level", env("PIKA_LOG_LEVEL", "info"), "debug, info, warn or error (PIKA_LOG_LEVEL)")
		drain      = fs.Duration("drain-timeout", drainDefault, "how long SIGTERM waits for clients and writes to drain (PIKA_DRAIN_TIMEOUT)")
	)
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
	o.drain = *drain
	o.app = app.Config{
		Addr:              *addr,
		DatabaseURL:       *dbURL,
		DatabaseAuthToken: getenv("PIKA_DATABASE_AUTH_TOKEN"),
		ReplicaPath:       *replica,
		PublicURL:         *publicURL,
		AllowedOrigins:    splitList(*origins),
		TrustProxy:        *trustProxy,
		MetricsToken:      getenv("PIKA_METRICS_TOKEN"),
	}
	return o, nil
}

func run(args []string) error {
	o, err := parseOptions(args, os.Getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: o.level}))
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
