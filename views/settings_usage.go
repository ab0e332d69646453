package views

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/format"
	"parley/views/widgets"
)

// The usage part of the settings screen: the tier or custom limits, and the meter against them.

// setTier follows the tier picker: a tier from the table applies at once; Custom shows its
// fields, and applies when its limits are saved.
func (s *settingsView) setTier(t settings.Tier) {
	s.showCustom(t)
	if s.filling || t == settings.TierCustom || s.m.profile().Tier == t {
		return
	}
	s.updateProfile(func(p *settings.Profile) error { p.Tier = t; return nil }, "")
}

func (s *settingsView) showCustom(t settings.Tier) {
	if (t == settings.TierCustom) == s.custom.Visible() {
		return
	}
	if t == settings.TierCustom {
		s.custom.Show()
	} else {
		s.custom.Hide()
	}
	s.content.Refresh() // the column makes room for the fields, or closes it
}

func (s *settingsView) fillCustom(p settings.Profile) {
	num := func(e *widget.Entry, n int) {
		e.SetText("")
		if n > 0 {
			e.SetText(strconv.Itoa(n))
		}
	}
	num(s.rpm, p.Custom.RPM)
	num(s.tpm, p.Custom.TPM)
	num(s.rpd, p.Custom.RPD)
	s.budget.SetText("")
	if p.Custom.MonthlyBudget > 0 {
		s.budget.SetText(strconv.FormatFloat(p.Custom.MonthlyBudget, 'f', -1, 64))
	}
}

func (s *settingsView) saveCustom() {
	l, err := settings.ParseLimits(s.rpm.Text, s.tpm.Text, s.rpd.Text, s.budget.Text)
	if err != nil {
		s.m.showError("Not saved", err)
		return
	}
	s.updateProfile(func(p *settings.Profile) error { p.Tier, p.Custom = settings.TierCustom, l; return nil }, "Limits saved")
}

// refreshMeter reads the usage of the current model against its limits.
func (s *settingsView) refreshMeter() {
	p := s.m.profile()
	model := s.m.conversation.model()
	r := s.m.svc.Meter.Reading(p, model)
	s.meterFor.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text: fmt.Sprintf("%s on profile “%s”, limits: %s", model, p.Name, r.Source), Style: smallStyle(widgets.ColorMuted, false)}}
	s.meterFor.Refresh()
	s.rpmBar.Set(r.RPM)
	s.tpmBar.Set(r.TPM)
	s.rpdBar.Set(r.RPD)
	totals := fmt.Sprintf("Today: %s tokens · %s%s\nThis month: %s tokens · %s%s", format.Thousands(r.TodayTokens), format.Dollars(r.TodayCost), batchPart(r.TodayBatchCost),
		format.Thousands(r.MonthTokens), format.Dollars(r.MonthCost), batchPart(r.MonthBatchCost))
	if o := s.account.last; o != nil {
		// The account's own spend against its own limit, not only what Parley sent.
		s.bud.Set(settings.Gauge{Used: o.ProjectMonth, Limit: o.Limit})
		totals += " (this app; the whole project spent " + format.Dollars(o.ProjectMonth) + ")"
	} else {
		s.bud.Set(r.Budget)
		totals += " (this app only)"
	}
	s.totals.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: totals, Style: widget.RichTextStyleParagraph}}
	s.totals.Refresh()
	s.chart.Set(s.m.svc.Meter.History(p.ID, 30))
}

// batchPart says how much of a cost batches spent, when they spent anything.
func batchPart(usd float64) string {
	if usd == 0 {
		return ""
	}
	return " (" + format.Dollars(usd) + " of it in batches, at half price)"
}
