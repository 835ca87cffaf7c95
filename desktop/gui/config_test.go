package gui

import pika "github.com/pikadj/pika/desktop/app"

// pikaConfig is a core configuration for tests: the harness adds a
// temporary config folder and keeps the token out of the keychain.
func pikaConfig() pika.Config { return pika.Config{} }
