package views

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/account"
	"parley/chat"
	"parley/settings"
	"parley/views/bridge"
	"parley/views/format"
	"parley/views/widgets"
)

// The account part of the settings screen: the optional admin key, and with it the account's
// own figures from OpenAI's Admin API (the real spend against the limit, every day's cost with
// Parley's share, usage by model), the project's keys, and rotating the profile's key.

// accountView is the account section.
type accountView struct {
	s        *settingsView
	adminKey *widget.Entry
	where    *widget.RichText // where the admin key is, masked
	status   *widget.RichText
	asOf     *widget.RichText
	spend    *widgets.MeterBar
	org      *widget.RichText
	chart    *widgets.SpendChart
	models   *widget.RichText
	figures  *fyne.Container // shown with an admin key
	last     *account.Overview
	box      fyne.CanvasObject
}

func newAccountView(s *settingsView) *accountView {
	a := &accountView{s: s, adminKey: widget.NewPasswordEntry(), where: widget.NewRichText(), status: widget.NewRichText(),
		asOf: widget.NewRichText(), org: widget.NewRichText(), models: widget.NewRichText(),
		spend: widgets.NewMeterBar("This month", 150, format.Dollars), chart: widgets.NewSpendChart()}
	a.spend.NameWidth = 104
	for _, t := range []*widget.RichText{a.where, a.status, a.asOf, a.org, a.models} {
		t.Wrapping = fyne.TextWrapWord
	}
	a.adminKey.SetPlaceHolder("Optional: an admin key (sk-admin-…) for the account's own figures")
	a.adminKey.OnSubmitted = func(string) { a.saveAdminKey() }
	buttons := container.NewHBox(
		&widget.Button{Text: "Save admin key", Icon: theme.DocumentSaveIcon(), OnTapped: a.saveAdminKey},
		&widget.Button{Text: "Delete", Icon: theme.DeleteIcon(), OnTapped: a.deleteAdminKey},
	)
	actions := container.NewHBox(
		&widget.Button{Text: "Refresh", Icon: theme.ViewRefreshIcon(), OnTapped: func() { a.refresh(true) }},
		&widget.Button{Text: "Keys…", Icon: theme.AccountIcon(), OnTapped: a.showKeys},
	)
	a.figures = container.NewVBox(container.NewBorder(nil, nil, nil, actions, a.asOf), a.spend, a.org, a.chart, a.models)
	a.figures.Hide()
	rotate := &widget.Button{Text: "Rotate key…", Icon: theme.ViewRefreshIcon(), OnTapped: a.rotate}
	a.box = container.NewVBox(a.where, a.adminKey, buttons, a.status, a.figures, container.NewHBox(rotate))
	return a
}

// reset forgets what was said about another profile's account.
func (a *accountView) reset() {
	a.adminKey.SetText("")
	setStatus(a.status, "", false)
	a.last = nil
}

// show says whether the profile has an admin key, and fetches its figures if so.
func (a *accountView) show() {
	p := a.s.m.profile()
	keys := a.s.m.svc.Keys
	bridge.Work(func() string {
		key, src, err := keys.GetAdmin(p.ID)
		switch {
		case err != nil:
			return plain(err)
		case key == "":
			return ""
		}
		return "Admin key: " + settings.Mask(key) + " (" + string(src) + ")."
	}, func(where string) {
		if a.s.stale(p) {
			return
		}
		if where == "" {
			setStatus(a.where, "No admin key: the meter counts what Parley sends (this app only). An organization owner's admin key shows the account's own spend, usage and limits, and rotates keys in one step.", false)
			a.figures.Hide()
			return
		}
		setStatus(a.where, where, false)
		a.refresh(false)
	})
}

// refresh fetches the account's figures off the UI goroutine: from the cache when they are
// recent (or not forced).
func (a *accountView) refresh(force bool) {
	p := a.s.m.profile()
	m := a.s.m
	if m.svc.Account == nil {
		return
	}
	setStatus(a.asOf, "Asking OpenAI for the account's figures…", false)
	type fetched struct {
		o   *account.Overview
		err error
	}
	bridge.Work(func() fetched {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		o, err := m.accounts.Get(ctx, m.svc.Account(), p, force)
		return fetched{o, err}
	}, func(f fetched) {
		if a.s.stale(p) {
			return
		}
		if f.err != nil {
			a.figures.Show()
			setStatus(a.asOf, "The account's figures could not be read: "+plain(f.err), true)
			return
		}
		a.last = f.o
		a.showOverview(f.o)
		a.s.refreshMeter() // the project's own limits now drive it
	})
}

func (a *accountView) showOverview(o *account.Overview) {
	a.figures.Show()
	setStatus(a.asOf, fmt.Sprintf("Project %s, as of %s (OpenAI's figures lag a little).", o.Project.Name, o.At.Local().Format("15:04")), false)
	a.spend.Set(settings.Gauge{Used: o.ProjectMonth, Limit: o.Limit})
	lines := []string{}
	if o.Limit > 0 {
		lines = append(lines, fmt.Sprintf("%s of %s (%s).", format.Dollars(o.ProjectMonth), format.Dollars(o.Limit), o.LimitSource))
	}
	lines = append(lines, fmt.Sprintf("%s by the month's end at this rate; the whole organization %s this month.", format.Dollars(o.Projected), format.Dollars(o.OrgMonth)))
	lines = append(lines, o.Warnings...)
	setStatus(a.org, strings.Join(lines, " "), len(o.Warnings) > 0)
	var days []widgets.SpendDay
	for _, d := range o.Days {
		days = append(days, widgets.SpendDay{Label: d.Date.Local().Format("Jan 2"), USD: d.USD, Parley: d.Parley})
	}
	a.chart.Set(days)
	var rows []string
	for _, u := range o.Models {
		rows = append(rows, fmt.Sprintf("%s: %s requests, %s in (%s cached, %s written to cache), %s out this month; today %s requests",
			u.Model, format.Thousands(u.Month.Requests), format.Compact(float64(u.Month.Input)), format.Compact(float64(u.Month.Cached)),
			format.Compact(float64(u.Month.CacheWrite)), format.Compact(float64(u.Month.Output)), format.Thousands(u.Today.Requests)))
	}
	if len(rows) == 0 {
		rows = []string{"No usage this month."}
	}
	setStatus(a.models, strings.Join(rows, "\n"), false)
}

func (a *accountView) saveAdminKey() {
	key := a.adminKey.Text
	p := a.s.m.profile()
	m := a.s.m
	setStatus(a.status, "Testing the admin key with the Admin API…", false)
	bridge.Work(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return m.svc.Keys.SaveAdminTested(ctx, p, key, m.svc.TestAdminKey)
	}, func(err error) {
		if a.s.stale(p) {
			return
		}
		if err != nil {
			setStatus(a.status, "Not saved: "+plain(err), true)
			return
		}
		a.adminKey.SetText("")
		setStatus(a.status, "Tested and saved to the keychain: "+settings.Mask(key)+".", false)
		m.accounts.Forget(p.ID)
		a.show()
	})
}

func (a *accountView) deleteAdminKey() {
	p := a.s.m.profile()
	a.s.m.confirm("Delete the admin key", "Remove the admin key of profile “"+p.Name+"” from the keychain? The account's figures go with it.", "Delete the admin key", true, func() {
		bridge.Work(func() error { return a.s.m.svc.Keys.DeleteAdmin(p.ID) }, func(err error) {
			if err != nil {
				setStatus(a.status, plain(err), true)
				return
			}
			a.s.m.accounts.Forget(p.ID)
			setStatus(a.status, "Deleted from the keychain.", false)
			a.show()
		})
	})
}

// showKeys lists the project's keys: who owns each, when it was made and last used, what it used
// hour by hour in the last day (a key being abused stands out), and deletes one, asking first.
func (a *accountView) showKeys() {
	o := a.last
	if o == nil {
		a.s.m.notify("The account's figures are not read yet")
		return
	}
	var rows []fyne.CanvasObject
	var d dialog.Dialog
	for _, k := range o.Keys {
		name := k.Name
		if k.Yours {
			name += " (this profile's key)"
		}
		last := "never used"
		if !k.LastUsed().IsZero() {
			last = "last used " + k.LastUsed().Local().Format("Jan 2 15:04")
		}
		info := widgets.RichText([]widget.RichTextSegment{
			&widget.TextSegment{Text: name, Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: "  " + k.RedactedValue + " · " + keyOwnerName(k.AdminKey) + " · made " + k.Created().Local().Format("Jan 2, 2006") + " · " + last +
				" · " + format.Compact(float64(k.Last24.Total())) + " tokens in 24 h", Style: smallStyle(widgets.ColorMuted, false)},
		})
		hours := make([]float64, 24)
		for i, n := range k.Hours {
			hours[i] = float64(n)
		}
		del := lowButton("Delete…", theme.DeleteIcon(), func() { a.deleteKey(o, k, d) })
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(widgets.NewSparkline(hours), del), info))
	}
	intro := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Text: "The keys of project " + o.Project.Name +
		", and what each used in the last 24 hours, hour by hour. A key you do not know, or one busy when you were not, may be leaked: delete it, and rotate yours.", Style: widget.RichTextStyleParagraph}})
	content := container.NewBorder(intro, nil, nil, nil, container.NewVScroll(container.NewVBox(rows...)))
	d = dialog.NewCustom("The project's keys", "Close", content, a.s.m.Window)
	d.Resize(fyne.NewSize(820, 480))
	a.s.m.present(d, nil, nil)
}

func keyOwnerName(k chat.AdminKey) string {
	if k.Owner.ServiceAccount != nil {
		return "service account " + k.Owner.ServiceAccount.Name
	}
	if k.Owner.User != nil {
		return k.Owner.User.Name
	}
	return k.Owner.Type
}

// deleteKey deletes one of the project's keys, after saying what will stop working.
func (a *accountView) deleteKey(o *account.Overview, k account.KeyUsage, keys dialog.Dialog) {
	m := a.s.m
	what := "Anything that uses it (" + k.Name + ", " + keyOwnerName(k.AdminKey) + ") stops working at once."
	if k.Yours {
		what = "It is the key this profile uses: Parley stops working with it until you set another (Rotate key makes a new one first)."
	}
	if k.Owner.ServiceAccount != nil {
		what += " It belongs to a service account, which is deleted with it."
	}
	p := m.profile()
	m.confirm("Delete a key", "Delete the key "+k.RedactedValue+" ("+k.Name+")? "+what, "Delete the key", true, func() {
		bridge.Work(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return account.DeleteKey(ctx, m.svc.Account(), p, o.Project.ID, k.AdminKey)
		}, func(err error) {
			if err != nil {
				m.showError("The key was not deleted", err)
				return
			}
			keys.Hide()
			m.notify("Deleted the key " + k.RedactedValue)
			a.refresh(true)
		})
	})
}

// rotate replaces the profile's key: in one step with an admin key; otherwise through the
// dashboard, with the new key tested before it replaces the old one.
func (a *accountView) rotate() {
	m := a.s.m
	p := m.profile()
	bridge.Work(func() bool {
		key, _, _ := m.svc.Keys.GetAdmin(p.ID)
		return key != ""
	}, func(admin bool) {
		if admin {
			a.rotateInOneStep(p)
		} else {
			a.rotateByHand(p)
		}
	})
}

func (a *accountView) rotateInOneStep(p settings.Profile) {
	m := a.s.m
	text := "Parley makes a new key in the profile's project (as a service account), keeps it in the keychain, tests it with a real request, and only then puts it in place of the old one and revokes the old one. " +
		"If any step fails, the old key stays in place and working. Anything else that uses the old key (scripts, other apps) stops working when it is revoked."
	m.confirm("Rotate the key", text, "Rotate the key", true, func() {
		setStatus(a.status, "Rotating…", false)
		type rotated struct {
			r   account.Rotated
			err error
		}
		bridge.Work(func() rotated {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, err := account.Rotate(ctx, m.svc.Account(), p, func(step string) {
				bridge.Do(func() { setStatus(a.status, step, false) })
			})
			return rotated{r, err}
		}, func(r rotated) {
			if r.err != nil {
				setStatus(a.status, r.err.Error(), true)
				return
			}
			msg := "The profile now uses a new key, " + r.r.NewKey + ", tested."
			if r.r.Revoked {
				msg += " The old key " + r.r.OldKey.RedactedValue + " is revoked: its last use was " + lastUse(r.r.OldKey) + "."
			}
			if r.r.Remaining != "" {
				msg += " " + r.r.Remaining
			}
			setStatus(a.status, msg, r.r.Remaining != "")
			m.keyChanged()
			a.refresh(true)
		})
	})
}

func lastUse(k chat.AdminKey) string {
	if k.LastUsed().IsZero() {
		return "never"
	}
	return k.LastUsed().Local().Format("Jan 2 15:04")
}

// rotateByHand guides a rotation without an admin key: make a key in the dashboard, paste it;
// Parley tests it before it replaces the old one, and reminds to revoke that one.
func (a *accountView) rotateByHand(p settings.Profile) {
	m := a.s.m
	oldKey, _, _ := m.svc.Keys.Get(p.ID)
	entry := widget.NewPasswordEntry()
	entry.SetPlaceHolder("The new key (sk-…)")
	steps := widgets.RichText([]widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: "1. Open the dashboard's key page and make a new key in the same project.\n" +
		"2. Paste it here: Parley tests it, and only then puts it in place of " + settings.Mask(oldKey) + ".\n" +
		"3. Revoke the old key, " + settings.Mask(oldKey) + ", in the dashboard."}})
	open := &widget.Button{Text: "Open the dashboard's key page", Icon: theme.ComputerIcon(), OnTapped: func() {
		u, _ := url.Parse("https://platform.openai.com/api-keys")
		m.openURL(u)
	}}
	status := widget.NewRichText()
	status.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	closed := false // the dialog's own button closed it: a failure is said in a box of its own
	swap := func() {
		key := entry.Text
		setStatus(status, "Testing the new key…", false)
		bridge.Work(func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return m.svc.Keys.SaveTested(ctx, p, key, m.svc.TestKey)
		}, func(err error) {
			if err != nil {
				setStatus(status, "Not swapped, your key is unchanged: "+plain(err), true)
				if closed {
					m.showError("The key was not swapped, yours is unchanged", err)
				}
				return
			}
			d.Hide()
			m.keyChanged()
			m.inform("Key rotated", "The profile now uses "+settings.Mask(key)+", tested. Now revoke the old key, "+settings.Mask(oldKey)+", at platform.openai.com/api-keys: until then it still works for anyone who has it.")
		})
	}
	entry.OnSubmitted = func(string) { swap() }
	content := container.NewVBox(steps, container.NewHBox(open), entry, status)
	d = dialog.NewCustomConfirm("Rotate the key without an admin key", "Test and swap", "Cancel", content, func(ok bool) {
		if ok {
			closed = true
			swap()
		}
	}, m.Window)
	d.Resize(fyne.NewSize(620, 320))
	m.present(d, entry, swap)
}
