package gui

import "github.com/pikadj/pika/desktop/core"

// pikaConfig is a core configuration for tests: the harness adds a
// temporary config folder and keeps the token out of the keychain.
func pikaConfig() core.Config { return core.Config{} }
