package views

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
)

// statusBar sits under the composer: the requests and tokens per minute of the current model
// against its limits, where those limits come from, and short notices ("Copied").
type statusBar struct {
	m        *Main
	rpm, tpm *meterBar
	source   *canvas.Text
	notice   *canvas.Text
	noticeID int
	box      fyne.CanvasObject
}

func newStatusBar(m *Main) *statusBar {
	s := &statusBar{m: m,
		rpm:    newMeterBar("RPM", 60, compact),
		tpm:    newMeterBar("TPM", 60, compact),
		source: canvas.NewText("", theme.Color(colorMuted)),
		notice: canvas.NewText("", theme.Color(theme.ColorNamePrimary)),
	}
	s.source.TextSize = theme.CaptionTextSize()
	s.notice.TextSize = theme.CaptionTextSize()
	s.box = container.NewHBox(s.rpm, s.tpm, s.source, layout.NewSpacer(), s.notice)
	return s
}

// refresh reads the meter again.
func (s *statusBar) refresh() {
	p := s.m.profile()
	r := s.m.svc.Meter.Reading(p, s.m.conversation.model())
	s.rpm.Set(r.RPM)
	s.tpm.Set(r.TPM)
	s.source.Text = "limits: " + r.Source + " · today " + dollars(r.TodayCost)
	s.source.Color = theme.Color(colorMuted)
	s.source.Refresh()
}

// say shows a short notice for a few seconds.
func (s *statusBar) say(text string) {
	s.noticeID++
	id := s.noticeID
	s.notice.Text = text
	s.notice.Refresh()
	time.AfterFunc(3*time.Second, func() {
		Do(func() {
			if s.noticeID == id {
				s.notice.Text = ""
				s.notice.Refresh()
			}
		})
	})
}
