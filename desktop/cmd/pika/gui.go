package main

import "github.com/pikadj/pika/desktop/cmd/pika/internal/cli"

// gui opens the window; nil until the GUI is wired in.
var gui cli.GUIFunc
