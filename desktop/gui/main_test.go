package gui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
)

// windowChildEnv marks the child process of TestWindowScreenshots, which
// runs a real Fyne app: it must own the main goroutine (OpenGL and the
// window system want the main thread), so TestMain hands the tests to
// another goroutine there.
const windowChildEnv = "PIKA_GUI_WINDOW_CHILD"

// realApp is the real Fyne app of the child process.
var realApp fyne.App

func TestMain(m *testing.M) {
	if os.Getenv(windowChildEnv) == "" {
		os.Exit(m.Run())
	}
	realApp = app.NewWithID(appID + ".test")
	code := make(chan int, 1)
	go func() {
		c := m.Run()
		code <- c
		fyne.Do(realApp.Quit)
	}()
	realApp.Run()
	// The app can also stop first (its master window closed): the tests
	// still decide the exit code.
	os.Exit(<-code)
}
