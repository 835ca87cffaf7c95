package main

import (
	"github.com/pikadj/pika/desktop/cmd/pika/internal/cli"
	guipkg "github.com/pikadj/pika/desktop/gui"
)

// gui opens the Fyne window over the core.
var gui cli.GUIFunc = guipkg.Run
