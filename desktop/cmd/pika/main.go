// Command pika is Pika!'s desktop app: with no command it opens the
// window; its commands import, analyse, search and go live headless.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pikadj/pika/desktop/cmd/pika/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, GUI: gui})
	stop()
	os.Exit(code)
}
