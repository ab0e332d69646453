package views

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
)

// settingsView is the settings screen: profiles, the API key, the connection, the defaults for
// new chats, the usage tier and the live usage meter.
type settingsView struct {
	m       *Main
	content fyne.CanvasObject

	profiles *widget.Select

	baseURL, org, project *widget.Entry
	envNote               *widget.RichText

	keyWhere   *widget.RichText
	keyEntry   *widget.Entry
	keyStatus  *widget.RichText
	sessionBtn *widget.Button

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
	rpmBar, tpmBar, rpdBar, bud *meterBar
	totals                      *widget.RichText
	chart                       *usageChart

	tray   *widget.Check
	ticker *time.Ticker
	model  string // the default model chosen in the picker, saved with the defaults
}

func newSettingsView(m *Main) *settingsView {
	s := &settingsView{m: m}
	back := &widget.Button{Text: "Back to chat", Icon: theme.NavigateBackIcon(), OnTapped: m.ShowConversation}
	heading := widget.NewRichText(&widget.TextSegment{Text: "Settings", Style: widget.RichTextStyleSubHeading})

	// Profiles.
	s.profiles = widget.NewSelect(nil, func(name string) {
		if name != "" && name != m.profile().Name {
			if err := m.svc.Prefs.SwitchProfile(name); err != nil {
				m.showError("The profile could not be switched", err)
			}
			m.reconnect()
			s.show()
			m.NewChatKeepingPage()
		}
	})
	profileRow := container.NewBorder(nil, nil, nil, container.NewHBox(
		&widget.Button{Text: "Add…", Icon: theme.ContentAddIcon(), OnTapped: s.addProfile},
		&widget.Button{Text: "Rename…", OnTapped: s.renameProfile},
		&widget.Button{Text: "Delete…", Icon: theme.DeleteIcon(), OnTapped: s.deleteProfile},
	), s.profiles)

	// API key.
	s.keyWhere = widget.NewRichText()
	s.keyWhere.Wrapping = fyne.TextWrapWord
	s.keyEntry = widget.NewPasswordEntry()
	s.keyEntry.SetPlaceHolder("Paste a new key to save or replace it (sk-…)")
	s.keyEntry.OnSubmitted = func(string) { s.saveKey() }
	s.keyStatus = widget.NewRichText()
	s.keyStatus.Wrapping = fyne.TextWrapWord
	s.sessionBtn = &widget.Button{Text: "Use for this session only", OnTapped: s.sessionKey}
	s.sessionBtn.Hide()
	keyButtons := container.NewHBox(
		&widget.Button{Text: "Save to keychain", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: s.saveKey},
		&widget.Button{Text: "Test", Icon: theme.ConfirmIcon(), OnTapped: s.testKey},
		&widget.Button{Text: "Delete", Icon: theme.DeleteIcon(), OnTapped: s.deleteKey},
		s.sessionBtn,
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
	connection := widget.NewForm(
		widget.NewFormItem("Base URL", s.baseURL),
		widget.NewFormItem("Organization", s.org),
		widget.NewFormItem("Project", s.project),
	)
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
	s.rpm.SetPlaceHolder("requests / min")
	s.tpm.SetPlaceHolder("tokens / min")
	s.rpd.SetPlaceHolder("requests / day")
	s.budget.SetPlaceHolder("$ / month")
	s.custom = container.NewBorder(nil, nil, nil, &widget.Button{Text: "Save limits", OnTapped: s.saveCustom},
		container.NewGridWithColumns(4, s.rpm, s.tpm, s.rpd, s.budget))
	s.meterFor = widget.NewRichText()
	s.meterFor.Wrapping = fyne.TextWrapWord
	s.rpmBar = newMeterBar("Requests / min", 150, compact)
	s.tpmBar = newMeterBar("Tokens / min", 150, compact)
	s.rpdBar = newMeterBar("Requests today", 150, compact)
	s.bud = newMeterBar("Month budget", 150, dollars)
	for _, b := range []*meterBar{s.rpmBar, s.tpmBar, s.rpdBar, s.bud} {
		b.nameWidth = 104
	}
	s.totals = widget.NewRichText()
	s.chart = newUsageChart()

	s.tray = widget.NewCheck("Keep Parley running in the tray when its window closes", func(on bool) {
		m.svc.Prefs.Update(func(p *settings.Prefs) error { p.KeepInTray = &on; return nil })
	})

	section := func(title string) fyne.CanvasObject {
		return widget.NewRichText(&widget.TextSegment{Text: title, Style: widget.RichTextStyle{SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}})
	}
	// Two columns: the account on the left, what it spends on the right, both in view at once.
	left := container.NewVBox(
		section("Profile"), profileRow,
		widget.NewSeparator(),
		section("API key"), s.keyWhere, s.keyEntry, keyButtons, s.keyStatus,
		widget.NewSeparator(),
		section("Connection"), s.envNote, connection, container.NewHBox(saveConnection),
		widget.NewSeparator(),
		section("New chats"), defaults, container.NewHBox(saveDefaults),
	)
	right := container.NewVBox(
		section("Usage and limits"), container.NewBorder(nil, nil, widget.NewLabel("Usage tier"), nil, s.tier), s.custom,
		s.meterFor, s.rpmBar, s.tpmBar, s.rpdBar, s.bud, s.totals, s.chart,
		widget.NewSeparator(),
		section("Window"), s.tray,
	)
	body := container.NewGridWithColumns(2, left, right)
	s.content = container.NewBorder(container.NewVBox(container.NewHBox(back, heading), widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	return s
}

// show fills the screen from the current profile, and keeps the meter live while it is shown.
func (s *settingsView) show() {
	m := s.m
	prefs := m.svc.Prefs.Prefs()
	p := prefs.CurrentProfile()
	var names []string
	for _, q := range prefs.Profiles {
		names = append(names, q.Name)
	}
	s.profiles.Options = names
	s.profiles.SetSelected(p.Name)

	s.baseURL.SetText(p.BaseURL)
	s.org.SetText(p.Organization)
	s.project.SetText(p.Project)
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
	s.fillCustom(p)
	s.tray.SetChecked(prefs.KeepsInTray())
	s.showKey()
	s.refreshMeter()
	if s.ticker == nil {
		s.ticker = time.NewTicker(2 * time.Second)
		t := s.ticker
		go func() {
			for range t.C {
				Do(func() {
					if m.pages.Objects[0] != s.content {
						t.Stop()
						if s.ticker == t {
							s.ticker = nil
						}
						return
					}
					s.refreshMeter()
				})
			}
		}()
	}
}

func (s *settingsView) showModel() {
	s.modelBtn.SetText(s.model)
	setStatus(s.modelInfo, modelLine(s.model), false)
}

// showKey says where the profile's key comes from, reading the keychain off the UI goroutine.
func (s *settingsView) showKey() {
	p := s.m.profile()
	setStatus(s.keyWhere, "Looking in the keychain…", false)
	go func() {
		e := s.m.svc.Keys.Resolve(p)
		stored, storedErr := s.m.svc.Keys.Stored(p.Name)
		Do(func() {
			var text string
			bad := false
			switch {
			case e.KeySource == settings.FromEnv:
				text = fmt.Sprintf("Using %s from the environment (%s): it overrides the keychain for as long as it is set.", settings.Mask(e.Key), settings.EnvKey)
				if stored == settings.FromKeychain {
					text += " A key is also stored in the keychain for this profile."
				}
			case e.KeySource == settings.FromSession:
				text = fmt.Sprintf("Using %s for this session only: it is held in memory and forgotten when Parley quits.", settings.Mask(e.Key))
			case e.KeySource == settings.FromKeychain:
				text = fmt.Sprintf("Stored in the system keychain (service “%s”, account “%s”): %s", settings.KeychainService, p.Name, settings.Mask(e.Key))
			case e.KeyErr != nil || storedErr != nil:
				err := e.KeyErr
				if err == nil {
					err = storedErr
				}
				text, bad = plain(err), true
				s.sessionBtn.Show()
			case !e.IsOpenAI():
				text = "No key: " + e.URL() + " may not need one. Paste one below if it does."
			default:
				text = "No key yet. Paste your OpenAI API key below and save it to the keychain."
			}
			setStatus(s.keyWhere, text, bad)
			if len(e.FromEnv) > 0 {
				verb := "overrides"
				if len(e.FromEnv) > 1 {
					verb = "override"
				}
				setStatus(s.envNote, "From the environment: "+strings.Join(e.FromEnv, ", ")+" "+verb+" this profile's settings.", false)
			} else {
				setStatus(s.envNote, "", false)
			}
		})
	}()
}

func (s *settingsView) saveKey() {
	p := s.m.profile()
	key := s.keyEntry.Text
	if _, err := settings.CleanKey(key); err != nil {
		setStatus(s.keyStatus, "Not saved: "+err.Error()+".", true)
		return
	}
	setStatus(s.keyStatus, "Saving to the keychain…", false)
	go func() {
		err := s.m.svc.Keys.Set(p.Name, key)
		Do(func() {
			if err != nil {
				setStatus(s.keyStatus, "Not saved: "+plain(err), true)
				var ke *settings.KeychainError
				if errors.As(err, &ke) {
					s.sessionBtn.Show()
				}
				return
			}
			s.keyEntry.SetText("")
			s.sessionBtn.Hide()
			setStatus(s.keyStatus, "Saved to the keychain: "+settings.Mask(key)+". Testing it…", false)
			s.m.keyChanged()
			s.testKey()
		})
	}()
}

func (s *settingsView) sessionKey() {
	key := s.keyEntry.Text
	if err := s.m.svc.Keys.SetSession(s.m.profile().Name, key); err != nil {
		setStatus(s.keyStatus, "Not used: "+err.Error()+".", true)
		return
	}
	s.keyEntry.SetText("")
	setStatus(s.keyStatus, "Using "+settings.Mask(key)+" for this session only. It is not saved anywhere.", false)
	s.m.keyChanged()
}

// testKey asks the endpoint for its models with the key: the cheapest call that proves it works.
func (s *settingsView) testKey() {
	setStatus(s.keyStatus, "Testing…", false)
	p := s.m.profile()
	go func() {
		client, e := s.m.svc.Client(p, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ids, err := client.Models(ctx)
		Do(func() {
			if err != nil {
				setStatus(s.keyStatus, plain(err), true)
				return
			}
			setStatus(s.keyStatus, fmt.Sprintf("valid: %d chat models at %s", len(ids), e.URL()), false)
		})
	}()
}

func (s *settingsView) deleteKey() {
	p := s.m.profile()
	dialog.ShowConfirm("Delete the key", fmt.Sprintf("Remove the key of profile “%s” from the keychain?", p.Name), func(ok bool) {
		if !ok {
			return
		}
		go func() {
			err := s.m.svc.Keys.Delete(p.Name)
			Do(func() {
				if err != nil {
					setStatus(s.keyStatus, plain(err), true)
					return
				}
				setStatus(s.keyStatus, "Deleted from the keychain.", false)
				s.m.keyChanged()
				s.showKey()
			})
		}()
	}, s.m.Window)
}

func (s *settingsView) saveConnection() {
	u := strings.TrimRight(strings.TrimSpace(s.baseURL.Text), "/")
	if u != "" {
		if parsed, err := url.Parse(u); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			s.m.showError("Not saved", errors.New("the base URL must look like https://api.openai.com/v1 or http://localhost:11434/v1"))
			return
		}
	}
	s.updateProfile(func(p *settings.Profile) {
		if p.BaseURL != u {
			p.Models, p.ModelsFetched = nil, time.Time{} // another server, other models
		}
		p.BaseURL, p.Organization, p.Project = u, strings.TrimSpace(s.org.Text), strings.TrimSpace(s.project.Text)
	}, "Connection saved")
	s.m.keyChanged()
	s.showKey()
}

func (s *settingsView) saveDefaults() {
	maxOut := 0
	if t := strings.TrimSpace(s.maxOutput.Text); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			s.m.showError("Not saved", errors.New("max output tokens must be a whole number (or empty for no cap)"))
			return
		}
		maxOut = n
	}
	s.updateProfile(func(p *settings.Profile) {
		p.Model, p.SystemPrompt, p.MaxOutput = s.model, strings.TrimSpace(s.system.Text), maxOut
		p.Temperature = nil
		if !s.tempDefault.Checked {
			t := float32(s.temp.Value)
			p.Temperature = &t
		}
	}, "Defaults saved; they apply to new chats")
}

func (s *settingsView) setTier(t settings.Tier) {
	if s.m.profile().Tier != t {
		s.updateProfile(func(p *settings.Profile) { p.Tier = t }, "")
	}
	if t == settings.TierCustom {
		s.custom.Show()
	} else {
		s.custom.Hide()
	}
	s.refreshMeter()
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
	var l settings.Limits
	for _, f := range []struct {
		e    *widget.Entry
		into *int
		name string
	}{{s.rpm, &l.RPM, "requests per minute"}, {s.tpm, &l.TPM, "tokens per minute"}, {s.rpd, &l.RPD, "requests per day"}} {
		if t := strings.TrimSpace(f.e.Text); t != "" {
			n, err := strconv.Atoi(strings.ReplaceAll(t, ",", ""))
			if err != nil || n < 0 {
				s.m.showError("Not saved", fmt.Errorf("%s must be a whole number", f.name))
				return
			}
			*f.into = n
		}
	}
	if t := strings.TrimPrefix(strings.TrimSpace(s.budget.Text), "$"); t != "" {
		v, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", ""), 64)
		if err != nil || v < 0 {
			s.m.showError("Not saved", errors.New("the monthly budget must be an amount in dollars"))
			return
		}
		l.MonthlyBudget = v
	}
	s.updateProfile(func(p *settings.Profile) { p.Tier, p.Custom = settings.TierCustom, l }, "Limits saved")
	s.refreshMeter()
}

// refreshMeter reads the usage of the current model against its limits.
func (s *settingsView) refreshMeter() {
	p := s.m.profile()
	model := s.m.conversation.model()
	r := s.m.svc.Meter.Reading(p, model)
	s.meterFor.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text: fmt.Sprintf("%s on profile “%s”, limits: %s", model, p.Name, r.Source), Style: smallStyle(colorMuted, false)}}
	s.meterFor.Refresh()
	s.rpmBar.Set(r.RPM)
	s.tpmBar.Set(r.TPM)
	s.rpdBar.Set(r.RPD)
	s.bud.Set(r.Budget)
	s.totals.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  fmt.Sprintf("Today: %s tokens · %s\nThis month: %s tokens · %s", thousands(r.TodayTokens), dollars(r.TodayCost), thousands(r.MonthTokens), dollars(r.MonthCost)),
		Style: widget.RichTextStyleParagraph,
	}}
	s.totals.Refresh()
	s.chart.Set(s.m.svc.Meter.History(p.Name, 30))
}

// updateProfile changes the current profile and saves it; notice (if any) confirms it.
func (s *settingsView) updateProfile(change func(*settings.Profile), notice string) {
	p := s.m.profile()
	change(&p)
	if err := s.m.svc.Prefs.SaveProfile(p); err != nil {
		s.m.showError("Not saved", err)
		return
	}
	s.m.reconnect()
	if notice != "" {
		s.m.notify(notice)
		setStatus(s.keyStatus, notice+".", false)
	}
}

func (s *settingsView) addProfile() {
	name := widget.NewEntry()
	name.SetPlaceHolder("e.g. work, ollama")
	dialog.ShowForm("Add a profile", "Add", "Cancel", []*widget.FormItem{{Text: "Name", Widget: name}}, func(ok bool) {
		n := strings.TrimSpace(name.Text)
		if !ok || n == "" {
			return
		}
		if err := s.m.svc.Prefs.AddProfile(settings.NewProfile(n)); err != nil {
			s.m.showError("The profile was not added", err)
			return
		}
		s.m.svc.Prefs.SwitchProfile(n)
		s.m.reconnect()
		s.show()
		s.m.NewChatKeepingPage()
	}, s.m.Window)
}

func (s *settingsView) renameProfile() {
	old := s.m.profile().Name
	name := widget.NewEntry()
	name.SetText(old)
	dialog.ShowForm("Rename the profile", "Rename", "Cancel", []*widget.FormItem{{Text: "Name", Widget: name}}, func(ok bool) {
		n := strings.TrimSpace(name.Text)
		if !ok || n == "" || n == old {
			return
		}
		if err := settings.CheckProfileName(n); err != nil {
			s.m.showError("The profile was not renamed", err)
			return
		}
		go func() {
			// The key moves first: a profile must never lose its key to a rename.
			err := s.m.svc.Keys.Move(old, n)
			if err == nil {
				err = s.m.svc.Prefs.RenameProfile(old, n)
				if err != nil {
					s.m.svc.Keys.Move(n, old)
				}
			}
			Do(func() {
				if err != nil {
					s.m.showError("The profile was not renamed", err)
					return
				}
				s.m.reconnect()
				s.show()
			})
		}()
	}, s.m.Window)
}

func (s *settingsView) deleteProfile() {
	p := s.m.profile()
	if len(s.m.svc.Prefs.Prefs().Profiles) == 1 {
		s.m.showError("The profile was not deleted", errors.New("it is the only one: add another first"))
		return
	}
	dialog.ShowConfirm("Delete the profile", fmt.Sprintf("Delete profile “%s” and remove its key from the keychain? Its conversations stay in the history.", p.Name), func(ok bool) {
		if !ok {
			return
		}
		go func() {
			err := s.m.svc.Keys.Delete(p.Name)
			if err == nil {
				err = s.m.svc.Prefs.DeleteProfile(p.Name)
			}
			Do(func() {
				if err != nil {
					s.m.showError("The profile was not deleted", err)
					return
				}
				s.m.reconnect()
				s.show()
				s.m.NewChatKeepingPage()
			})
		}()
	}, s.m.Window)
}
