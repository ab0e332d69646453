package views

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// settingsView is the settings screen: profiles, the API key, the connection, the defaults for
// new chats, the usage tier and the live usage meter.
type settingsView struct {
	m       *Main
	content fyne.CanvasObject

	profiles *widget.Select

	baseURL, org, project *widget.Entry
	envNote               *widget.RichText
	api                   *widget.Select
	storeResponses        *widget.Check
	backgroundFrom        *widget.Select
	storeNote             *widget.RichText
	catalogInfo           *widget.RichText
	catalogBtn            *widget.Button

	keyWhere *widget.RichText
	key      *keyField

	modelBtn    *widget.Button
	modelInfo   *widget.RichText
	system      *widget.Entry
	tempDefault *widget.Check
	temp        *widget.Slider
	tempLabel   *widget.Label
	maxOutput   *widget.Entry

	tier                        *widget.Select
	rpm, tpm, rpd, budget       *widget.Entry
	custom                      *fyne.Container
	meterFor                    *widget.RichText
	rpmBar, tpmBar, rpdBar, bud *widgets.MeterBar
	totals                      *widget.RichText
	chart                       *widgets.UsageChart

	presets *widget.Select // the library of presets

	account  *accountView
	tray     *widget.Check
	live     bool   // the meter refreshes itself
	stopLive func() // and this stops it
	model    string // the default model chosen in the picker, saved with the defaults
	showing  string // the ID of the profile the screen shows: results for another are stale
	filling  bool   // show is filling the fields: their change handlers must not save
}

func newSettingsView(m *Main) *settingsView {
	s := &settingsView{m: m}
	back := &widget.Button{Text: "Back to chat", Icon: theme.NavigateBackIcon(), OnTapped: m.ShowConversation}
	heading := widget.NewRichText(&widget.TextSegment{Text: "Settings", Style: widget.RichTextStyleSubHeading})

	// Profiles.
	s.profiles = widget.NewSelect(nil, s.switchProfile)
	profileRow := container.NewBorder(nil, nil, nil, container.NewHBox(
		&widget.Button{Text: "Add…", Icon: theme.ContentAddIcon(), OnTapped: s.addProfile},
		&widget.Button{Text: "Rename…", OnTapped: s.renameProfile},
		&widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), OnTapped: s.deleteProfile},
	), s.profiles)

	// API key.
	s.keyWhere = widget.NewRichText()
	s.keyWhere.Wrapping = fyne.TextWrapWord
	s.key = newKeyField(m, "Paste a new key to test and save it (sk-…)")
	s.key.stale = s.stale
	s.key.saved = func(settings.Profile, string, string) { m.keyChanged() }
	keyButtons := container.NewHBox(
		&widget.Button{Text: "Save to keychain", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: func() { s.key.save(false) }},
		&widget.Button{Text: "Test", Icon: theme.ConfirmIcon(), OnTapped: s.testKey},
		&widget.Button{Text: "Delete", Icon: theme.DeleteIcon(), OnTapped: s.deleteKey},
		s.key.untested, s.key.session,
	)

	// Connection.
	s.baseURL = widget.NewEntry()
	s.baseURL.SetPlaceHolder(settings.DefaultBaseURL + "   (Ollama: http://localhost:11434/v1, LM Studio: http://localhost:1234/v1)")
	s.org = widget.NewEntry()
	s.org.SetPlaceHolder("optional, org-…")
	s.project = widget.NewEntry()
	s.project.SetPlaceHolder("optional, proj_…")
	s.envNote = widget.NewRichText()
	s.envNote.Wrapping = fyne.TextWrapWord
	connection := widget.NewForm(append([]*widget.FormItem{
		widget.NewFormItem("Base URL", s.baseURL),
		widget.NewFormItem("Organization", s.org),
		widget.NewFormItem("Project", s.project),
	}, append(s.apiSection(), s.backgroundSection())...)...)
	saveConnection := &widget.Button{Text: "Save connection", Icon: theme.DocumentSaveIcon(), OnTapped: s.saveConnection}

	// Defaults for new chats.
	s.modelBtn = &widget.Button{Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: func() {
		m.pickModel(s.model, func(id string) { s.model = id; s.showModel() })
	}}
	s.modelInfo = widget.NewRichText()
	s.modelInfo.Wrapping = fyne.TextWrapWord
	s.system = widget.NewMultiLineEntry()
	s.system.Wrapping = fyne.TextWrapWord
	s.system.SetPlaceHolder("The system prompt new chats start with (optional)")
	s.system.SetMinRowsVisible(3)
	s.temp = widget.NewSlider(0, 2)
	s.temp.Step = 0.1
	s.tempLabel = widget.NewLabel("")
	s.temp.OnChanged = func(v float64) { s.tempLabel.SetText(fmt.Sprintf("%.1f", v)) }
	s.tempDefault = widget.NewCheck("Model default", func(on bool) {
		if on {
			s.temp.Disable()
			s.tempLabel.SetText("default")
		} else {
			s.temp.Enable()
			s.tempLabel.SetText(fmt.Sprintf("%.1f", s.temp.Value))
		}
	})
	s.maxOutput = widget.NewEntry()
	s.maxOutput.SetPlaceHolder("no cap")
	defaults := widget.NewForm(
		widget.NewFormItem("Model", container.NewVBox(container.NewHBox(s.modelBtn), s.modelInfo)),
		widget.NewFormItem("System prompt", s.system),
		widget.NewFormItem("Temperature", container.NewBorder(nil, nil, s.tempDefault, s.tempLabel, s.temp)),
		widget.NewFormItem("Max output tokens", s.maxOutput),
	)
	saveDefaults := &widget.Button{Text: "Save defaults", Icon: theme.DocumentSaveIcon(), OnTapped: s.saveDefaults}

	// Tier and usage.
	var labels []string
	for _, t := range settings.Tiers {
		labels = append(labels, t.Label())
	}
	s.tier = widget.NewSelect(labels, func(label string) { s.setTier(settings.TierFromLabel(label)) })
	s.rpm, s.tpm, s.rpd, s.budget = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.rpm.SetPlaceHolder("e.g. 500")
	s.tpm.SetPlaceHolder("e.g. 30,000")
	s.rpd.SetPlaceHolder("no daily limit")
	s.budget.SetPlaceHolder("e.g. $100")
	// Each field says what it holds; none applies until Save limits.
	s.custom = container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabel("Requests per minute"), s.rpm, widget.NewLabel("Tokens per minute"), s.tpm,
			widget.NewLabel("Requests per day"), s.rpd, widget.NewLabel("Monthly budget"), s.budget),
		container.NewHBox(layout.NewSpacer(), &widget.Button{Text: "Save limits", Icon: theme.DocumentSaveIcon(), OnTapped: s.saveCustom}))
	s.meterFor = widget.NewRichText()
	s.meterFor.Wrapping = fyne.TextWrapWord
	s.rpmBar = widgets.NewMeterBar("Requests / min", 150, format.Compact)
	s.tpmBar = widgets.NewMeterBar("Tokens / min", 150, format.Compact)
	s.rpdBar = widgets.NewMeterBar("Requests today", 150, format.Compact)
	s.bud = widgets.NewMeterBar("Month budget", 150, format.Dollars)
	for _, b := range []*widgets.MeterBar{s.rpmBar, s.tpmBar, s.rpdBar, s.bud} {
		b.NameWidth = 104
	}
	s.totals = widget.NewRichText()
	s.chart = widgets.NewUsageChart()

	s.account = newAccountView(s)
	s.tray = widget.NewCheck("Keep Parley running in the tray when its window closes", s.setKeepInTray)

	section := func(title string) fyne.CanvasObject {
		return widget.NewRichText(&widget.TextSegment{Text: title, Style: widget.RichTextStyle{SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}})
	}
	// Two columns: the account on the left, what it spends on the right, both in view at once.
	left := container.NewVBox(
		section("Profile"), profileRow,
		widget.NewSeparator(),
		section("API key"), s.keyWhere, s.key.entry, keyButtons, s.key.status,
		widget.NewSeparator(),
		section("Connection"), s.envNote, connection, container.NewHBox(saveConnection),
		widget.NewSeparator(),
		section("New chats"), defaults, container.NewHBox(saveDefaults),
		widget.NewSeparator(),
		section("Presets"), s.presetsSection(),
	)
	right := container.NewVBox(
		section("Usage and limits"), container.NewBorder(nil, nil, widget.NewLabel("Usage tier"), nil, s.tier), s.custom,
		s.meterFor, s.rpmBar, s.tpmBar, s.rpdBar, s.bud, s.totals, s.chart,
		widget.NewSeparator(),
		section("Account (OpenAI Admin API)"), s.account.box,
		widget.NewSeparator(),
		section("Window"), s.tray,
		widget.NewSeparator(),
		section("Model catalog"), s.catalogSection(),
	)
	body := container.NewGridWithColumns(2, left, right)
	s.content = container.NewBorder(container.NewVBox(container.NewHBox(back, heading), widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	return s
}

// show fills the screen from the current profile, and keeps the meter live while it is shown.
// Status lines about another profile do not follow the user to this one.
func (s *settingsView) show() {
	m := s.m
	prefs := m.svc.Prefs.Prefs()
	p := prefs.CurrentProfile()
	if s.showing != p.ID {
		s.showing = p.ID
		s.key.reset()
		s.account.reset()
	}
	s.filling = true
	defer func() { s.filling = false }()
	s.profiles.Options = prefs.Names()
	s.profiles.SetSelected(p.Name)

	s.baseURL.SetText(p.BaseURL)
	s.org.SetText(p.Organization)
	s.project.SetText(p.Project)
	s.showAPI(p)
	s.showBackground(p)
	s.showCatalog()
	s.account.show()
	s.model = p.Model
	s.showModel()
	s.system.SetText(p.SystemPrompt)
	if p.Temperature == nil {
		s.tempDefault.SetChecked(true)
	} else {
		s.temp.SetValue(float64(*p.Temperature))
		s.tempDefault.SetChecked(false)
	}
	s.maxOutput.SetText("")
	if p.MaxOutput > 0 {
		s.maxOutput.SetText(strconv.Itoa(p.MaxOutput))
	}
	s.tier.SetSelected(p.Tier.Label())
	s.showCustom(p.Tier)
	s.fillCustom(p)
	s.tray.SetChecked(prefs.KeepsInTray())
	s.showKey()
	s.refreshMeter()
	s.keepMeterLive()
}

// keepMeterLive refreshes the meter every two seconds while the screen is shown.
func (s *settingsView) keepMeterLive() {
	if s.live {
		return
	}
	s.live = true
	t, stop := time.NewTicker(2*time.Second), make(chan struct{})
	s.stopLive = func() {
		if s.live {
			s.live = false
			close(stop)
		}
	}
	go func() {
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if bridge.Quitting() {
					return
				}
				bridge.Do(func() {
					switch {
					case !s.live:
					case s.m.settingsShown():
						s.refreshMeter()
					default:
						s.stopLive()
					}
				})
			}
		}
	}()
}

func (s *settingsView) showModel() {
	s.modelBtn.SetText(s.model)
	setStatus(s.modelInfo, modelLine(s.model), false)
}

// stale tells whether the screen moved on to another profile since p was read.
func (s *settingsView) stale(p settings.Profile) bool { return s.showing != p.ID }

// updateProfile changes the current profile and saves it, off the UI goroutine; notice (if
// any) confirms it.
func (s *settingsView) updateProfile(change func(*settings.Profile) error, notice string) {
	p := s.m.profile()
	if err := change(&p); err != nil {
		s.m.showError("Not saved", err)
		return
	}
	bridge.Work(func() error { return s.m.svc.Prefs.SaveProfile(p) }, func(err error) {
		if err != nil {
			s.m.showError("Not saved", err)
			return
		}
		s.m.reconnect()
		s.refreshMeter()
		if notice != "" && !s.stale(p) {
			s.m.notify(notice)
			setStatus(s.key.status, notice+".", false)
		}
	})
}

func (s *settingsView) setKeepInTray(on bool) {
	if s.filling {
		return
	}
	bridge.Work(func() error {
		return s.m.svc.Prefs.Update(func(p *settings.Prefs) error { p.KeepInTray = &on; return nil })
	}, func(err error) {
		if err != nil {
			s.m.showError("Not saved", err)
		}
	})
}
