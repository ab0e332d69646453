package views

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// statusBar sits under the composer: the requests and tokens per minute of the current model
// against its limits, where those limits come from, and short notices ("Copied").
type statusBar struct {
	m        *Main
	rpm, tpm *widgets.MeterBar
	source   *canvas.Text
	notice   *widget.Label
	noticeID int
	box      fyne.CanvasObject
}

func newStatusBar(m *Main) *statusBar {
	s := &statusBar{m: m,
		rpm:    widgets.NewMeterBar("RPM", 60, format.Compact),
		tpm:    widgets.NewMeterBar("TPM", 60, format.Compact),
		source: canvas.NewText("", theme.Color(widgets.ColorMuted)),
		notice: &widget.Label{Alignment: fyne.TextAlignTrailing, Truncation: fyne.TextTruncateEllipsis, Importance: widget.HighImportance, SizeName: theme.SizeNameCaptionText},
	}
	s.source.TextSize = theme.CaptionTextSize()
	// The notice takes the room left and is cut to it: however long (a path, a link), it never
	// widens the pane.
	s.box = container.NewBorder(nil, nil, container.NewHBox(s.rpm, gap(), s.tpm, gap(), s.source), nil, s.notice)
	return s
}

// gap sets the status bar's groups apart, as a wider space would.
func gap() fyne.CanvasObject {
	g := canvas.NewRectangle(color.Transparent)
	g.SetMinSize(fyne.NewSize(theme.Padding()*2, 0))
	return g
}

// refresh reads the meter again.
func (s *statusBar) refresh() {
	p := s.m.profile()
	r := s.m.svc.Meter.Reading(p, s.m.conversation.model())
	s.rpm.Set(r.RPM)
	s.tpm.Set(r.TPM)
	s.source.Text = "limits: " + r.Source + " · today " + format.Dollars(r.TodayCost)
	s.source.Color = theme.Color(widgets.ColorMuted)
	s.source.Refresh()
}

// say shows a short notice for a few seconds.
func (s *statusBar) say(text string) {
	s.noticeID++
	id := s.noticeID
	// A long one (a path) keeps its start and its end; the label cuts it to the room there is.
	if r := []rune(text); len(r) > 90 {
		text = string(r[:60]) + "…" + string(r[len(r)-29:])
	}
	s.notice.SetText(text)
	time.AfterFunc(3*time.Second, func() {
		bridge.Do(func() {
			if s.noticeID == id {
				s.notice.SetText("")
			}
		})
	})
}
