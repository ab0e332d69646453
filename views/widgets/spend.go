package widgets

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/views/format"
)

// SpendDay is a day's real cost, and the part of it Parley spent.
type SpendDay struct {
	Label       string
	USD, Parley float64
}

// SpendChart draws the account's real daily cost as bars, Parley's own share drawn inside each
// bar from its foot: what else spends on the key shows as the rest of the bar.
type SpendChart struct {
	widget.BaseWidget
	days []SpendDay
}

func NewSpendChart() *SpendChart {
	c := &SpendChart{}
	c.ExtendBaseWidget(c)
	return c
}

// Set shows new days, oldest first.
func (c *SpendChart) Set(days []SpendDay) {
	c.days = days
	c.Refresh()
}

func (c *SpendChart) CreateRenderer() fyne.WidgetRenderer { return &spendRenderer{c: c} }

type spendRenderer struct {
	c    *SpendChart
	objs []fyne.CanvasObject
}

func (r *spendRenderer) MinSize() fyne.Size           { return fyne.NewSize(240, chartHeight+36) }
func (r *spendRenderer) Layout(size fyne.Size)        { r.build(size) }
func (r *spendRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *spendRenderer) Destroy()                     {}

func (r *spendRenderer) Refresh() {
	r.build(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *spendRenderer) build(size fyne.Size) {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.objs = r.objs[:0]
	days := r.c.days
	if len(days) == 0 || size.Width <= 0 {
		return
	}
	top, total, parley := 0.0, 0.0, 0.0
	for _, d := range days {
		top = max(top, d.USD, d.Parley)
		total += d.USD
		parley += d.Parley
	}
	r.objs = append(r.objs, chartAxis(th.Color(ColorTableBorder, v), size.Width))
	slot := size.Width / float32(len(days))
	barW := max(slot*0.6, 2)
	height := func(usd float64) float32 {
		if top <= 0 {
			return 0
		}
		return float32(usd/top) * (chartHeight - 8)
	}
	for i, d := range days {
		x := float32(i)*slot + (slot-barW)/2
		whole := max(d.USD, d.Parley) // OpenAI's figures lag: Parley's own may be ahead today
		if h := height(whole); h > 0 {
			r.objs = append(r.objs, chartBar(th.Color(ColorChartCost, v), x, barW, h, 1))
		}
		if h := height(d.Parley); h > 0 {
			r.objs = append(r.objs, chartBar(th.Color(ColorChartTokens, v), x, barW, h, 0))
		}
	}
	caption := fmt.Sprintf("%d days: %s in all (bars), %s of it by Parley (inside)", len(days), format.Dollars(total), format.Dollars(parley))
	label := canvas.NewText(caption, th.Color(ColorMuted, v))
	label.TextSize = theme.CaptionTextSize()
	label.Move(fyne.NewPos(0, chartHeight+8))
	first := canvas.NewText(days[0].Label, th.Color(ColorMuted, v))
	first.TextSize = theme.CaptionTextSize()
	first.Move(fyne.NewPos(0, chartHeight+22))
	last := canvas.NewText(days[len(days)-1].Label, th.Color(ColorMuted, v))
	last.TextSize = theme.CaptionTextSize()
	last.Move(fyne.NewPos(size.Width-last.MinSize().Width, chartHeight+22))
	r.objs = append(r.objs, label, first, last)
}

// Sparkline draws a row of small bars: a key's tokens hour by hour.
type Sparkline struct {
	widget.BaseWidget
	values []float64
}

func NewSparkline(values []float64) *Sparkline {
	s := &Sparkline{values: values}
	s.ExtendBaseWidget(s)
	return s
}

func (s *Sparkline) CreateRenderer() fyne.WidgetRenderer { return &sparkRenderer{s: s} }

type sparkRenderer struct {
	s    *Sparkline
	objs []fyne.CanvasObject
}

func (r *sparkRenderer) MinSize() fyne.Size           { return fyne.NewSize(96, 20) }
func (r *sparkRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *sparkRenderer) Destroy()                     {}
func (r *sparkRenderer) Refresh()                     { r.Layout(r.s.Size()); canvas.Refresh(r.s) }

func (r *sparkRenderer) Layout(size fyne.Size) {
	th := r.s.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.objs = r.objs[:0]
	top := 0.0
	for _, x := range r.s.values {
		top = max(top, x)
	}
	if len(r.s.values) == 0 {
		return
	}
	slot := size.Width / float32(len(r.s.values))
	for i, x := range r.s.values {
		h := float32(1)
		if top > 0 {
			h = max(float32(x/top)*size.Height, 1)
		}
		bar := canvas.NewRectangle(th.Color(ColorChartTokens, v))
		bar.Move(fyne.NewPos(float32(i)*slot, size.Height-h))
		bar.Resize(fyne.NewSize(max(slot-1, 1), h))
		r.objs = append(r.objs, bar)
	}
}
