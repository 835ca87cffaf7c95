// Command pika-abuse attacks a fresh Pika! relay the way a stranger at an
// event could, and prints one line per attack: whether the relay held
// (defended / NOT defended) and the figures that say so. It starts the
// relay itself (the pika-relay binary given with -relay) on 127.0.0.1 with
// an embedded database in a temporary directory, and talks to it over
// loopback only, posing as many clients through source addresses
// 127.0.x.y. Every attack is bounded: at most a few thousand requests or
// sockets and well under half a minute each.
//
//	pika-abuse -relay bin/pika-relay [-only pin] [-v]
//
// Each attack is judged by the behaviour relay hardening (issue 11) asks
// for, so an attack on a defence the relay does not have yet prints NOT
// defended.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// attack is one attempt on the relay; run returns whether the relay held
// and the figures.
type attack struct {
	name string
	run  func(ctx context.Context, e *env) (bool, string, error)
}

// attacks in the order they run; the slow ones (waiting on timeouts) run
// together at the end.
var attacks = []attack{
	{"pin-brute-rest-one-address", pinBruteREST},
	{"pin-brute-ws-one-address", pinBruteWS},
	{"pin-walk-many-addresses", pinWalk},
	{"pin-session-read-without-pin", pinPrivate},
	{"ws-flood-one-address", connFloodAddr},
	{"ws-flood-total", connFloodTotal},
	{"rest-read-flood", readFlood},
	{"register-session-live-cap", registerLiveCap},
	{"register-session-flood", registerFlood},
	{"revoked-token-dj-connection", revokedToken},
	{"login-brute-one-account", loginPerAccount},
	{"login-brute-one-address", loginPerAddress},
	{"register-email-enumeration", registerEnumeration},
	{"like-vote-stuffing-fresh-ids", stuffing},
	{"spoofing-text", spoofText},
	{"healthz-db-cannot-write", healthzNoWrite},
}

// slow attacks wait on the relay's timeouts; they run at the same time.
var slow = []attack{
	{"idle-sockets-no-hello", idleSockets},
	{"slowloris-header", slowHeader},
	{"slowloris-body", slowBody},
}

// totalConns is the relay's -max-conns for this run: the default (20,000)
// is more sockets than a loopback test should open.
const totalConns = 1000

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pika-abuse:", err)
		os.Exit(2)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pika-abuse", flag.ContinueOnError)
	bin := fs.String("relay", "bin/pika-relay", "pika-relay binary to start and attack")
	only := fs.String("only", "", "run only attacks whose name contains this")
	verbose := fs.Bool("v", false, "copy the relay's log to standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raiseFileLimit()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := startRelay(ctx, *bin, *verbose, "-max-conns", fmt.Sprint(totalConns))
	if err != nil {
		return err
	}
	defer r.stop()
	e := &env{relay: r, bin: *bin, verbose: *verbose}
	fmt.Fprintf(out, "pika-abuse: relay %s on %s, its defaults except -max-conns %d\n", *bin, r.url, totalConns)
	fmt.Fprintf(out, "%-30s %-13s %s\n", "attack", "outcome", "figures")
	held, total := 0, 0
	report := func(name string, ok bool, figures string, err error) {
		total++
		verdict := "NOT defended"
		if err != nil {
			verdict, figures = "ERROR", err.Error()
		} else if ok {
			verdict = "defended"
			held++
		}
		fmt.Fprintf(out, "%-30s %-13s %s\n", name, verdict, figures)
	}
	for _, a := range attacks {
		if !strings.Contains(a.name, *only) {
			continue
		}
		actx, acancel := context.WithTimeout(ctx, 40*time.Second)
		ok, figures, err := a.run(actx, e)
		acancel()
		report(a.name, ok, figures, err)
	}
	type result struct {
		ok      bool
		figures string
		err     error
	}
	var picked []attack
	for _, a := range slow {
		if strings.Contains(a.name, *only) {
			picked = append(picked, a)
		}
	}
	results := make([]chan result, len(picked))
	for i, a := range picked {
		results[i] = make(chan result, 1)
		go func() {
			actx, acancel := context.WithTimeout(ctx, 40*time.Second)
			defer acancel()
			ok, figures, err := a.run(actx, e)
			results[i] <- result{ok, figures, err}
		}()
	}
	for i, a := range picked {
		res := <-results[i]
		report(a.name, res.ok, res.figures, res.err)
	}
	fmt.Fprintf(out, "%d of %d attacks defended\n", held, total)
	return nil
}

// raiseFileLimit lifts the soft open-file limit: the floods hold a
// thousand sockets.
func raiseFileLimit() {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}
