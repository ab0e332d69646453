package widgets

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/format"
)

// MeterBar shows a use against its limit: a bar that turns amber at 80% and red at 100%, and
// the figures beside it.
type MeterBar struct {
	widget.BaseWidget
	name      string
	gauge     settings.Gauge
	format    func(float64) string
	width     float32 // of the bar
	NameWidth float32 // of the name column, so bars stacked together line up
	textSize  float32
}

func NewMeterBar(name string, width float32, format func(float64) string) *MeterBar {
	m := &MeterBar{name: name, format: format, width: width, textSize: theme.CaptionTextSize()}
	m.ExtendBaseWidget(m)
	return m
}

// Set shows a new reading.
func (m *MeterBar) Set(g settings.Gauge) {
	m.gauge = g
	m.Refresh()
}

// Text is the figure the bar shows, e.g. "12 / 500".
func (m *MeterBar) Text() string {
	if m.gauge.Limit <= 0 {
		return m.format(m.gauge.Used) + " (no limit known)"
	}
	return fmt.Sprintf("%s / %s", m.format(m.gauge.Used), m.format(m.gauge.Limit))
}

func (m *MeterBar) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m,
		name:  canvas.NewText(m.name, theme.Color(theme.ColorNameForeground)),
		track: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		fill:  canvas.NewRectangle(theme.Color(ColorMeterOK)),
		text:  canvas.NewText("", theme.Color(ColorMuted)),
	}
	r.name.TextStyle.Bold = true
	r.track.CornerRadius, r.fill.CornerRadius = 3, 3
	r.Refresh()
	return r
}

type meterRenderer struct {
	m           *MeterBar
	name, text  *canvas.Text
	track, fill *canvas.Rectangle
}

func (r *meterRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	nameW := max(r.name.MinSize().Width, r.m.NameWidth)
	r.name.Move(fyne.NewPos(0, (size.Height-r.name.MinSize().Height)/2))
	r.name.Resize(r.name.MinSize())
	barX := nameW + pad
	barW := r.m.width
	barH := max(r.m.textSize*0.6, 6)
	r.track.Move(fyne.NewPos(barX, (size.Height-barH)/2))
	r.track.Resize(fyne.NewSize(barW, barH))
	f := float32(min(r.m.gauge.Fraction(), 1))
	r.fill.Move(r.track.Position())
	r.fill.Resize(fyne.NewSize(barW*f, barH))
	r.text.Move(fyne.NewPos(barX+barW+pad, (size.Height-r.text.MinSize().Height)/2))
	r.text.Resize(r.text.MinSize())
}

func (r *meterRenderer) MinSize() fyne.Size {
	pad := theme.Padding()
	h := max(r.name.MinSize().Height, r.text.MinSize().Height)
	return fyne.NewSize(max(r.name.MinSize().Width, r.m.NameWidth)+pad+r.m.width+pad+r.text.MinSize().Width, h)
}

func (r *meterRenderer) Refresh() {
	th := r.m.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.name.Color = th.Color(theme.ColorNameForeground, v)
	r.name.TextSize = r.m.textSize
	r.text.Text = r.m.Text()
	r.text.Color = th.Color(ColorMuted, v)
	r.text.TextSize = r.m.textSize
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	switch r.m.gauge.Level() {
	case settings.LevelOver:
		r.fill.FillColor = th.Color(ColorMeterOver, v)
	case settings.LevelWarn:
		r.fill.FillColor = th.Color(ColorMeterWarn, v)
	default:
		r.fill.FillColor = th.Color(ColorMeterOK, v)
	}
	r.Layout(r.m.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *meterRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.name, r.track, r.fill, r.text}
}
func (r *meterRenderer) Destroy() {}

// UsageChart draws the last days' tokens as bars, with their cost as a line of dots.
type UsageChart struct {
	widget.BaseWidget
	days []settings.DayTotal
}

func NewUsageChart() *UsageChart {
	c := &UsageChart{}
	c.ExtendBaseWidget(c)
	return c
}

// Set shows new days.
func (c *UsageChart) Set(days []settings.DayTotal) {
	c.days = days
	c.Refresh()
}

func (c *UsageChart) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{c: c}
}

type chartRenderer struct {
	c    *UsageChart
	objs []fyne.CanvasObject
}

const chartHeight = 120

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(240, chartHeight+36) }

func (r *chartRenderer) Layout(size fyne.Size) { r.build(size) }

func (r *chartRenderer) Refresh() {
	r.build(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Destroy()                     {}

// build draws the chart at size: one bar per day for tokens, a dot per day for cost, each on
// its own scale, and the totals as a caption.
func (r *chartRenderer) build(size fyne.Size) {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.objs = r.objs[:0]
	days := r.c.days
	if len(days) == 0 || size.Width <= 0 {
		return
	}
	maxTokens, maxCost := 1, 0.0
	totalTokens, totalCost := 0, 0.0
	for _, d := range days {
		maxTokens = max(maxTokens, d.Tokens)
		maxCost = max(maxCost, d.Cost)
		totalTokens += d.Tokens
		totalCost += d.Cost
	}
	r.objs = append(r.objs, chartAxis(th.Color(ColorTableBorder, v), size.Width))
	slot := size.Width / float32(len(days))
	barW := max(slot*0.6, 2)
	for i, d := range days {
		x := float32(i)*slot + (slot-barW)/2
		if d.Tokens > 0 {
			h := float32(d.Tokens) / float32(maxTokens) * (chartHeight - 8)
			r.objs = append(r.objs, chartBar(th.Color(ColorChartTokens, v), x, barW, h, 1))
		}
		if d.Cost > 0 && maxCost > 0 {
			y := chartHeight - float32(d.Cost/maxCost)*(chartHeight-8)
			dot := canvas.NewCircle(th.Color(ColorChartCost, v))
			dot.Move(fyne.NewPos(x+barW/2-3, y-3))
			dot.Resize(fyne.NewSize(6, 6))
			r.objs = append(r.objs, dot)
		}
	}
	caption := fmt.Sprintf("%d days: %s tokens (bars) · %s (dots)", len(days), format.Compact(float64(totalTokens)), format.Dollars(totalCost))
	label := canvas.NewText(caption, th.Color(ColorMuted, v))
	label.TextSize = theme.CaptionTextSize()
	label.Move(fyne.NewPos(0, chartHeight+8))
	r.objs = append(r.objs, label)
	first := canvas.NewText(days[0].Day.Format("Jan 2"), th.Color(ColorMuted, v))
	first.TextSize = theme.CaptionTextSize()
	first.Move(fyne.NewPos(0, chartHeight+22))
	last := canvas.NewText(days[len(days)-1].Day.Format("Jan 2"), th.Color(ColorMuted, v))
	last.TextSize = theme.CaptionTextSize()
	last.Move(fyne.NewPos(size.Width-last.MinSize().Width, chartHeight+22))
	r.objs = append(r.objs, first, last)
}

// Level is how close the bar's reading is to its limit.
func (m *MeterBar) Level() settings.Level { return m.gauge.Level() }

// chartAxis is a chart's baseline, the bars standing on it.
func chartAxis(c color.Color, width float32) *canvas.Line {
	axis := canvas.NewLine(c)
	axis.Position1, axis.Position2 = fyne.NewPos(0, chartHeight), fyne.NewPos(width, chartHeight)
	return axis
}

// chartBar is a bar h high standing on the axis at x.
func chartBar(c color.Color, x, width, h, radius float32) *canvas.Rectangle {
	bar := canvas.NewRectangle(c)
	bar.CornerRadius = radius
	bar.Move(fyne.NewPos(x, chartHeight-h))
	bar.Resize(fyne.NewSize(width, h))
	return bar
}
