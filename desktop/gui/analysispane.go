package gui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// analysisPane shows the analysis queue: progress, the files in work,
// speed and time left, the controls, and every file that failed and why.
type analysisPane struct {
	g         *gui
	state     *widget.Label
	meter     *meter
	bar       *meterBar // meter's bar
	current   *widget.Label
	speed     *widget.Label
	left      *widget.Label
	startBtn  *widget.Button
	pauseBtn  *widget.Button
	cancelBtn *widget.Button
	retryBtn  *widget.Button
	errLabel  *note
	failCount *widget.Label
	failList  *widget.List
	failures  []library.Track
	progress  library.Progress
	content   fyne.CanvasObject
}

func newAnalysisPane(g *gui) *analysisPane {
	p := &analysisPane{g: g}
	p.state = widget.NewLabel("")
	p.state.SizeName = theme.SizeNameSubHeadingText
	p.meter = newMeter(1, 170)
	p.bar = p.meter.bar
	p.current = widget.NewLabel("")
	p.current.Wrapping = fyne.TextWrapWord
	p.speed = widget.NewLabel("")
	p.left = widget.NewLabel("")
	p.startBtn = widget.NewButtonWithIcon(T("analysis.start"), theme.MediaPlayIcon(), p.start)
	p.startBtn.Importance = widget.HighImportance
	p.pauseBtn = widget.NewButtonWithIcon(T("analysis.pause"), theme.MediaPauseIcon(), p.pauseResume)
	p.cancelBtn = widget.NewButtonWithIcon(T("analysis.cancel"), theme.MediaStopIcon(), p.cancelRun)
	p.retryBtn = widget.NewButtonWithIcon(T("analysis.retry"), theme.MediaReplayIcon(), p.retry)
	p.errLabel = newErrorNote()
	p.failCount = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.failList = newTwoLineList(func() int { return len(p.failures) }, func(i int) (string, string) {
		return p.failures[i].Path, capitalise(cleanError(p.failures[i].Error))
	}, widget.DangerImportance)
	stats := widget.NewForm(
		widget.NewFormItem(T("analysis.now"), p.current),
		widget.NewFormItem(T("analysis.speed"), p.speed),
		widget.NewFormItem(T("analysis.left"), p.left),
	)
	top := container.NewVBox(
		heading(T("pane.analysis")),
		p.state,
		p.meter.content,
		stats,
		container.NewHBox(p.startBtn, p.pauseBtn, p.cancelBtn, p.retryBtn),
		p.errLabel,
		widget.NewSeparator(),
		p.failCount,
	)
	p.content = container.NewBorder(top, nil, nil, nil, p.failList)
	p.show(library.Progress{})
	return p
}

// show draws a progress snapshot.
func (p *analysisPane) show(pr library.Progress) {
	p.progress = pr
	switch {
	case pr.Running && pr.Paused:
		p.state.SetText(T("analysis.paused"))
	case pr.Running:
		p.state.SetText(T("analysis.running"))
	case pr.Finished && pr.Total > 0:
		p.state.SetText(T("analysis.finished", "Done", pr.Done-pr.Failed, "Failed", pr.Failed))
	default:
		p.state.SetText(T("analysis.idle"))
	}
	if pr.Total > 0 {
		p.bar.Max = float64(pr.Total)
		p.meter.Set(float64(pr.Done), fmt.Sprintf("%d / %d", pr.Done, pr.Total))
	} else {
		p.bar.Max = 1
		p.meter.Set(0, T("analysis.nothing"))
	}
	if len(pr.Current) == 0 {
		p.current.SetText("–")
	} else {
		names := make([]string, len(pr.Current))
		for i, c := range pr.Current {
			names[i] = filepath.Base(c)
		}
		p.current.SetText(strings.Join(names, "\n"))
	}
	if pr.Rate > 0 {
		p.speed.SetText(T("analysis.rate", "Rate", decimal(pr.Rate, 1)))
	} else {
		p.speed.SetText("–")
	}
	if pr.Running && pr.ETA > 0 {
		p.left.SetText(durationWords(pr.ETA))
	} else {
		p.left.SetText("–")
	}
	if pr.Running {
		p.startBtn.Disable()
		p.pauseBtn.Enable()
		p.cancelBtn.Enable()
	} else {
		p.startBtn.Enable()
		p.pauseBtn.Disable()
		p.cancelBtn.Disable()
	}
	if pr.Paused {
		p.pauseBtn.SetText(T("analysis.resume"))
		p.pauseBtn.SetIcon(theme.MediaPlayIcon())
	} else {
		p.pauseBtn.SetText(T("analysis.pause"))
		p.pauseBtn.SetIcon(theme.MediaPauseIcon())
	}
}

// durationWords says a time left the way a person would.
func durationWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return T("analysis.lessThanMinute")
	case d < 90*time.Minute:
		return T("analysis.aboutMin", "M", int(d.Round(time.Minute)/time.Minute))
	}
	return T("analysis.aboutHMin", "H", int(d/time.Hour), "M", fmt.Sprintf("%02d", int(d%time.Hour/time.Minute)))
}

// refresh reads the queue's state and the failures from the core.
func (p *analysisPane) refresh() {
	p.show(p.g.core.AnalysisProgress())
	p.refreshFailures()
}

func (p *analysisPane) refreshFailures() {
	var failed []library.Track
	p.g.do(nil, func(ctx context.Context) (err error) {
		failed, err = p.g.core.Tracks(ctx, library.Filter{State: library.StateFailed, Limit: 1000})
		return err
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("analysis.readFailed", "Error", errorDetail(err)))
			return
		}
		p.failures = failed
		p.failList.Refresh()
		switch len(failed) {
		case 0:
			p.failCount.SetText(T("analysis.noFailures"))
			p.retryBtn.Disable()
		default:
			p.failCount.SetText(TN("analysis.failures", len(failed)))
			p.retryBtn.Enable()
		}
	})
}

func (p *analysisPane) start() {
	p.errLabel.SetText("")
	p.g.do(p.startBtn, func(context.Context) error {
		return p.g.core.StartAnalysis()
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("analysis.startFailed", "Error", errorDetail(err)))
		}
		p.show(p.g.core.AnalysisProgress())
	})
}

func (p *analysisPane) pauseResume() {
	if p.progress.Paused {
		p.g.core.ResumeAnalysis()
	} else {
		p.g.core.PauseAnalysis()
	}
	p.show(p.g.core.AnalysisProgress())
}

func (p *analysisPane) cancelRun() {
	// Cancel waits for the files in progress; keep the window responsive.
	p.g.do(p.cancelBtn, func(context.Context) error {
		p.g.core.CancelAnalysis()
		return nil
	}, func(error) { p.show(p.g.core.AnalysisProgress()) })
}

func (p *analysisPane) retry() {
	p.errLabel.SetText("")
	var n int
	p.g.do(p.retryBtn, func(ctx context.Context) (err error) {
		n, err = p.g.core.RetryFailed(ctx)
		return err
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("analysis.retryFailed", "Error", errorDetail(err)))
			return
		}
		p.state.SetText(TN("analysis.retrying", n))
		p.refresh()
	})
}
