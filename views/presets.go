package views

import (
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/chat/store"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/widgets"
)

// Presets: a library of system prompts with a name, and optionally a model, effort and
// temperature. The conversation's toolbar and an empty chat offer them; Quick Ask asks with
// one; Settings edits, exports and imports them. The library is settings.Presets.

// withPreset is a conversation asking as a preset says.
func withPreset(c store.Conversation, p settings.Preset) store.Conversation {
	return c.WithPreset(p.SystemPrompt, p.Model, p.Effort, p.Temperature)
}

// usePreset makes the conversation shown ask as a preset says, from its next question.
func (v *conversationView) usePreset(p settings.Preset) {
	v.conv = withPreset(v.asSaved(), p)
	v.modelChanged()
	v.refreshToolbar()
	v.countLater()
	v.save()
	v.m.notify("Preset “" + p.Name + "”: " + describePreset(p))
	v.focus()
}

// asSaved is the conversation as it would be saved: a new chat takes the profile's defaults.
func (v *conversationView) asSaved() store.Conversation {
	c := v.conv
	c.Model, c.SystemPrompt = v.model(), v.system()
	return c
}

// describePreset says what a preset sets besides its prompt.
func describePreset(p settings.Preset) string {
	var parts []string
	if p.Model != "" {
		parts = append(parts, p.Model)
	}
	if p.Effort != "" {
		parts = append(parts, p.Effort+" effort")
	}
	if p.Temperature != nil {
		parts = append(parts, fmt.Sprintf("temperature %.1f", *p.Temperature))
	}
	if len(parts) == 0 {
		return "its system prompt, with this chat's model"
	}
	return "its system prompt, " + strings.Join(parts, ", ")
}

// pickSystemPrompt opens the system prompt's menu under its button: edit it, or take a preset's,
// or save this chat's settings as a preset, or manage them.
func (v *conversationView) pickSystemPrompt() {
	items := []*fyne.MenuItem{fyne.NewMenuItem("Edit the System Prompt…", v.editSystemPrompt), fyne.NewMenuItemSeparator(),
		{Label: "Presets", Disabled: true}}
	for _, p := range v.m.svc.Presets.List() {
		items = append(items, fyne.NewMenuItem("   "+p.Name, func() { v.usePreset(p) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Save This Chat as a Preset…", v.saveAsPreset),
		fyne.NewMenuItem("Manage Presets…", v.m.ShowSettings))
	v.m.popUnder(fyne.NewMenu("", items...), v.systemBtn)
}

// saveAsPreset makes a preset of the chat's system prompt, model, effort and temperature.
func (v *conversationView) saveAsPreset() {
	c := v.asSaved()
	effort, _ := v.effort()
	p := settings.Preset{Name: c.Title, SystemPrompt: c.SystemPrompt, Model: c.Model, Effort: effort, Temperature: c.Temperature}
	if c.ID == 0 || p.Name == "New chat" {
		p.Name = ""
	}
	v.m.editPreset("Save this chat as a preset", p, func(saved settings.Preset) {
		v.m.notify("Saved the preset “" + saved.Name + "”")
	})
}

// presetButtons are the presets as buttons, for an empty chat (at most six).
func (v *conversationView) presetButtons() fyne.CanvasObject {
	if v.m.svc.Presets == nil {
		return container.NewStack()
	}
	list := v.m.svc.Presets.List()
	if len(list) > 6 {
		list = list[:6]
	}
	if len(list) == 0 {
		return container.NewStack()
	}
	row := container.NewHBox()
	for _, p := range list {
		row.Add(&widget.Button{Text: p.Name, Importance: widget.LowImportance, OnTapped: func() { v.usePreset(p) }})
	}
	note := widget.NewRichText(&widget.TextSegment{Text: "Or start from a preset:",
		Style: widget.RichTextStyle{ColorName: widgets.ColorMuted, Alignment: fyne.TextAlignCenter}})
	return container.NewVBox(note, container.NewCenter(row))
}

// quickPresets is Quick Ask's preset picker: none, or one of the library.
func quickPresets(m *Main) *widget.Select {
	sel := widget.NewSelect(nil, nil)
	refreshQuickPresets(m, sel)
	return sel
}

const noPreset = "No preset"

func refreshQuickPresets(m *Main, sel *widget.Select) {
	names := []string{noPreset}
	if m.svc.Presets != nil {
		for _, p := range m.svc.Presets.List() {
			names = append(names, p.Name)
		}
	}
	was := sel.Selected
	sel.SetOptions(names)
	sel.SetSelected(noPreset)
	for _, n := range names {
		if n == was {
			sel.SetSelected(was)
		}
	}
}

// chosenPreset is the preset a picker names, if any.
func chosenPreset(m *Main, sel *widget.Select) (settings.Preset, bool) {
	if m.svc.Presets == nil || sel.Selected == noPreset {
		return settings.Preset{}, false
	}
	for _, p := range m.svc.Presets.List() {
		if p.Name == sel.Selected {
			return p, true
		}
	}
	return settings.Preset{}, false
}

// editPreset opens a form for a preset (ID "": a new one); Save keeps it in the library.
func (m *Main) editPreset(title string, p settings.Preset, saved func(settings.Preset)) {
	name := newEscEntry(false)
	name.SetText(p.Name)
	name.SetPlaceHolder("e.g. Explain code")
	prompt := newEscEntry(true)
	prompt.SetText(p.SystemPrompt)
	prompt.SetMinRowsVisible(6)
	prompt.SetPlaceHolder("How the assistant should behave, e.g. “Answer in British English, briefly.”")
	model := widget.NewSelectEntry(presetModels(m))
	model.SetText(p.Model)
	model.SetPlaceHolder("the chat's own model")
	effort := widget.NewSelect(append([]string{"the model's default"}, catalogEfforts()...), nil)
	effort.SetSelected("the model's default")
	if p.Effort != "" {
		effort.SetSelected(p.Effort)
	}
	temp := widget.NewSlider(0, 2)
	temp.Step = 0.1
	label := widget.NewLabel("")
	useTemp := widget.NewCheck("Set", nil)
	useTemp.OnChanged = func(on bool) {
		if on {
			temp.Enable()
			label.SetText(fmt.Sprintf("%.1f", temp.Value))
		} else {
			temp.Disable()
			label.SetText("the profile's")
		}
	}
	temp.OnChanged = func(v float64) { label.SetText(fmt.Sprintf("%.1f", v)) }
	temp.SetValue(1)
	if p.Temperature != nil {
		temp.SetValue(float64(*p.Temperature))
	}
	useTemp.SetChecked(p.Temperature != nil)
	useTemp.OnChanged(p.Temperature != nil)
	form := []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("System prompt", prompt),
		widget.NewFormItem("Model", model),
		widget.NewFormItem("Effort", effort),
		widget.NewFormItem("Temperature", container.NewBorder(nil, nil, useTemp, label, temp)),
	}
	d := dialog.NewForm(title, "Save", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		p.Name, p.SystemPrompt, p.Model = name.Text, strings.TrimSpace(prompt.Text), strings.TrimSpace(model.Text)
		p.Effort = ""
		if effort.SelectedIndex() > 0 {
			p.Effort = effort.Selected
		}
		p.Temperature = nil
		if useTemp.Checked {
			t := float32(temp.Value)
			p.Temperature = &t
		}
		bridge.Work(func() error {
			var err error
			p, err = m.svc.Presets.Save(p)
			return err
		}, func(err error) {
			if err != nil {
				m.showError("The preset was not saved", err)
				return
			}
			m.presetsChanged()
			if saved != nil {
				saved(p)
			}
		})
	}, m.Window)
	d.Resize(fyne.NewSize(620, 520))
	name.onEscape, name.onConfirm = d.Hide, d.Submit
	prompt.onEscape, prompt.onConfirm = d.Hide, d.Submit
	m.present(d, name, d.Submit)
}

// catalogEfforts are the reasoning efforts the catalog's models take, in their order.
func catalogEfforts() []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range settings.CurrentCatalog().Models {
		for _, e := range x.Efforts {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// presetModels are the models a preset may name: the endpoint's, else the catalog's.
func presetModels(m *Main) []string {
	if ids := m.profile().Models; len(ids) > 0 {
		return ids
	}
	var ids []string
	for _, x := range settings.CurrentCatalog().Models {
		ids = append(ids, x.ID)
	}
	return ids
}

// presetsChanged shows the library as it now is wherever it is offered.
func (m *Main) presetsChanged() {
	if m.settings != nil {
		m.settings.showPresets()
	}
	m.conversation.refreshEmpty()
}

// --- Settings: the library ------------------------------------------------------------------

// presetsSection lists the presets, with what can be done to them.
func (s *settingsView) presetsSection() fyne.CanvasObject {
	s.presets = widget.NewSelect(nil, nil)
	s.presets.PlaceHolder = "Choose a preset"
	chosen := func() (settings.Preset, bool) {
		i := s.presets.SelectedIndex()
		list := s.m.svc.Presets.List()
		if i < 0 || i >= len(list) {
			s.m.notify("Choose a preset first")
			return settings.Preset{}, false
		}
		return list[i], true
	}
	buttons := container.NewHBox(
		&widget.Button{Text: "New…", Icon: theme.ContentAddIcon(), OnTapped: func() { s.m.editPreset("New preset", settings.Preset{}, nil) }},
		&widget.Button{Text: "Edit…", Icon: theme.DocumentCreateIcon(), OnTapped: func() {
			if p, ok := chosen(); ok {
				s.m.editPreset("Edit preset", p, nil)
			}
		}},
		&widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), OnTapped: func() {
			if p, ok := chosen(); ok {
				s.m.confirm("Delete this preset?", "“"+p.Name+"” will be deleted. Conversations started with it keep their prompt.", "Delete", true, func() {
					bridge.Work(func() error { return s.m.svc.Presets.Delete(p.ID) }, func(err error) {
						if err != nil {
							s.m.showError("The preset was not deleted", err)
						}
						s.m.presetsChanged()
					})
				})
			}
		}},
	)
	files := container.NewHBox(
		&widget.Button{Text: "Export…", Icon: theme.UploadIcon(), OnTapped: s.exportPresets},
		&widget.Button{Text: "Import…", Icon: theme.DownloadIcon(), OnTapped: s.importPresets},
	)
	s.showPresets()
	return container.NewVBox(s.presets, buttons, files)
}

// showPresets fills the list.
func (s *settingsView) showPresets() {
	if s.presets == nil || s.m.svc.Presets == nil {
		return
	}
	var names []string
	for _, p := range s.m.svc.Presets.List() {
		names = append(names, p.Name)
	}
	s.presets.SetOptions(names)
	s.presets.ClearSelected()
}

// exportPresets writes the library as one JSON file.
func (s *settingsView) exportPresets() {
	s.m.chooseNewFile("The presets were not exported", "parley-presets.json", []string{".json"}, func(path string) {
		data := s.m.svc.Presets.Export()
		bridge.Work(func() error { return os.WriteFile(path, data, 0o600) }, func(err error) {
			if err != nil {
				s.m.showError("The presets were not exported", err)
				return
			}
			s.m.notify("Presets exported to " + path)
		})
	})
}

// importPresets adds the presets of an exported file.
func (s *settingsView) importPresets() {
	s.m.chooseFile("The presets were not imported", []string{".json"}, func(path string) {
		type imported struct {
			added, changed int
			err            error
		}
		bridge.Work(func() (i imported) {
			data, err := os.ReadFile(path)
			if err == nil {
				i.added, i.changed, err = s.m.svc.Presets.Import(data)
			}
			i.err = err
			return i
		}, func(i imported) {
			if i.err != nil {
				s.m.showError("The presets were not imported", i.err)
				return
			}
			s.m.presetsChanged()
			s.m.inform("Presets imported", fmt.Sprintf("%d added, %d updated.", i.added, i.changed))
		})
	})
}
