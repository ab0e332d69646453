package views

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"parley/chat"
	"parley/settings"
)

// The conversation's reasoning effort and service tier, beside the model: offered only where
// the catalog says the model takes them, and only the values it accepts.

// effortWords say what each effort does, for the picker.
var effortWords = map[string]string{
	"none": "no reasoning, quickest", "minimal": "barely any reasoning", "low": "brief reasoning",
	"medium": "balanced", "high": "thorough", "xhigh": "very thorough, slower", "max": "the most thorough, slowest and dearest",
}

// tierWords say what each service tier costs and does.
var tierWords = map[string]string{
	"": "Standard", "flex": "Flex: half price, slower, may be queued", "priority": "Priority: twice the price, faster",
	"ultrafast": "Ultrafast: three times the price, the fastest",
}

// effort is the conversation's effort as sent: its own, or the model's default.
func (v *conversationView) effort() (string, bool) {
	m := settings.LookupModel(v.model())
	if v.conv.Effort != "" && m.Accepts(v.conv.Effort) {
		return v.conv.Effort, false
	}
	return m.DefaultEffort, true
}

// refreshReasoning shows the effort and tier buttons for the model, with their values.
func (v *conversationView) refreshReasoning() {
	m := settings.LookupModel(v.model())
	if m.Reasoning() {
		e, byDefault := v.effort()
		text := "Effort: " + e
		if byDefault && e == "" {
			text = "Effort: default"
		}
		if v.conv.Pro && m.Pro {
			text += " · Pro"
		}
		v.effortBtn.SetText(text)
		v.effortBtn.Show()
	} else {
		v.effortBtn.Hide()
	}
	if len(m.ServiceTiers) > 0 {
		tier := v.conv.ServiceTier
		if !slices.Contains(m.ServiceTiers, tier) {
			tier = ""
		}
		label := "Standard"
		if tier != "" {
			label = strings.ToUpper(tier[:1]) + tier[1:]
		}
		v.tierBtn.SetText(label)
		v.tierBtn.Show()
	} else {
		v.tierBtn.Hide()
	}
}

// pickEffort offers the efforts the model accepts, and Pro mode where it has it.
func (v *conversationView) pickEffort() {
	m := settings.LookupModel(v.model())
	current, _ := v.effort()
	menu := fyne.NewMenu("")
	for _, e := range m.Efforts {
		label := e + " — " + effortWords[e]
		if e == m.DefaultEffort {
			label += " (the model's default)"
		}
		item := fyne.NewMenuItem(label, func() { v.setReasoning(e, v.conv.Pro) })
		item.Checked = e == current
		menu.Items = append(menu.Items, item)
	}
	if m.Pro {
		pro := fyne.NewMenuItem("Pro mode — thinks longer and harder, costs more", func() { v.setReasoning(v.conv.Effort, !v.conv.Pro) })
		pro.Checked = v.conv.Pro
		menu.Items = append(menu.Items, fyne.NewMenuItemSeparator(), pro)
	}
	v.m.popUnder(menu, v.effortBtn)
}

// pickTier offers the service tiers the model can be asked for.
func (v *conversationView) pickTier() {
	m := settings.LookupModel(v.model())
	menu := fyne.NewMenu("")
	for _, tier := range append([]string{""}, m.ServiceTiers...) {
		item := fyne.NewMenuItem(tierWords[tier], func() { v.setTier(tier) })
		item.Checked = tier == v.conv.ServiceTier || (tier == "" && !slices.Contains(m.ServiceTiers, v.conv.ServiceTier))
		menu.Items = append(menu.Items, item)
	}
	v.m.popUnder(menu, v.tierBtn)
}

func (v *conversationView) setReasoning(effort string, pro bool) {
	v.conv.Effort, v.conv.Pro = effort, pro
	v.refreshToolbar()
	v.countLater()
	v.save()
}

func (v *conversationView) setTier(tier string) {
	v.conv.ServiceTier = tier
	v.refreshToolbar()
	v.save()
}

// modelChanged keeps the effort and tier the new model accepts, and drops the others.
func (v *conversationView) modelChanged() {
	m := settings.LookupModel(v.model())
	if v.conv.Effort != "" && !m.Accepts(v.conv.Effort) {
		v.conv.Effort = ""
	}
	if !m.Pro {
		v.conv.Pro = false
	}
	if v.conv.ServiceTier != "" && !slices.Contains(m.ServiceTiers, v.conv.ServiceTier) {
		v.conv.ServiceTier = ""
	}
}

// refusedReasoning follows a model that refused the effort or Pro mode asked (the catalog was
// wrong, or the model changed): the conversation falls back to the model's default, says so,
// and Retry then asks with it. It reports whether it was that.
func (v *conversationView) refusedReasoning(e *chat.Error) bool {
	switch {
	case strings.Contains(e.Detail, "reasoning.effort") && v.conv.Effort != "":
		v.m.notify("The model refused effort “" + v.conv.Effort + "”: Retry uses its default")
		v.conv.Effort = ""
	case strings.Contains(e.Detail, "reasoning.mode") && v.conv.Pro:
		v.m.notify("The model refused Pro mode: Retry asks without it")
		v.conv.Pro = false
	default:
		return false
	}
	v.save()
	return true
}

// popUnder shows a menu under a button, ready for the keyboard.
func (m *Main) popUnder(menu *fyne.Menu, under fyne.CanvasObject) {
	pop := widget.NewPopUpMenu(menu, m.Window.Canvas())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(under)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(0, under.Size().Height)))
	pop.ActivateNext()
}
