// Command pika-backup backs up and restores the relay's embedded libSQL
// database.
//
//	pika-backup backup [-keep N] DB_FILE BACKUP_DIR
//	pika-backup restore BACKUP_FILE DB_FILE
//	pika-backup verify FILE
//
// backup makes a consistent copy while the relay runs (VACUUM INTO),
// named DB-YYYYMMDDTHHMMSSZ.db in UTC, checks it, and keeps the newest N
// (-keep, env PIKA_BACKUP_KEEP, default 14). restore checks the backup,
// refuses while any process has the database open, keeps the replaced
// file as DB_FILE.before-restore-STAMP and puts the backup in its place.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/pikadj/pika/relay/backup"
)

const usage = `usage:
  pika-backup backup [-keep N] DB_FILE BACKUP_DIR   consistent copy while the relay runs; keep the newest N (PIKA_BACKUP_KEEP, default 14)
  pika-backup restore BACKUP_FILE DB_FILE           replace a stopped relay's database with a checked backup
  pika-backup verify FILE                           integrity check of a database or backup
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, time.Now)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "pika-backup:", err)
		return 1
	}
	switch args[0] {
	case "backup":
		fs := flag.NewFlagSet("backup", flag.ContinueOnError)
		fs.SetOutput(stderr)
		def := backup.DefaultKeep
		if v := os.Getenv("PIKA_BACKUP_KEEP"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fail(fmt.Errorf("PIKA_BACKUP_KEEP=%q is not a number", v))
			}
			def = n
		}
		keep := fs.Int("keep", def, "backups of this database to keep (PIKA_BACKUP_KEEP)")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if fs.NArg() != 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		res, err := backup.Create(ctx, fs.Arg(0), fs.Arg(1), *keep, now())
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "backup %s (%d bytes), checked\n", res.Path, res.Size)
		for _, p := range res.Pruned {
			fmt.Fprintf(stdout, "pruned %s\n", p)
		}
		return 0
	case "restore":
		if len(args) != 3 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		res, err := backup.Restore(ctx, args[1], args[2], now())
		if err != nil {
			code := fail(err)
			if errors.Is(err, backup.ErrInUse) {
				fmt.Fprintln(stderr, "pika-backup: stop the relay (systemctl stop pika-relay, or docker compose stop relay) and run the restore again")
			}
			return code
		}
		if res.Saved != "" {
			fmt.Fprintf(stdout, "kept the replaced database as %s\n", res.Saved)
		}
		fmt.Fprintf(stdout, "restored %s from %s, checked\n", args[2], args[1])
		return 0
	case "verify":
		if len(args) != 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		if err := backup.Verify(ctx, args[1]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%s: ok\n", args[1])
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "pika-backup: unknown command %q\n%s", args[0], usage)
	return 2
}
