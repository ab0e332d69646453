package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/bridge"
	"parley/views/format"
)

// modelLine describes a model for pickers: its context window and price, or that they are
// unknown.
func modelLine(id string) string {
	m := settings.LookupModel(id)
	if !m.Known() {
		return "unknown limits and price"
	}
	kind := ""
	if m.Reasoning() {
		kind = " · reasoning"
	}
	return fmt.Sprintf("%s context · $%s in / $%s out per 1M%s", format.Compact(float64(m.ContextWindow)), trimPrice(m.Price.Input), trimPrice(m.Price.Output), kind)
}

func trimPrice(p float64) string {
	s := fmt.Sprintf("%.3f", p)
	s = strings.TrimRight(s, "0")
	if strings.HasSuffix(s, ".") {
		s += "00"
	} else if i := strings.Index(s, "."); len(s)-i == 2 {
		s += "0"
	}
	return s
}

// pickModel opens the searchable model picker. The list is the endpoint's chat models as last
// fetched (Refresh asks again), or the catalog's before the first fetch.
func (m *Main) pickModel(current string, onPick func(string)) {
	p := m.profile()
	all := func() []string {
		ids := slices.Clone(m.profile().Models)
		if len(ids) == 0 {
			ids = settings.CatalogModels()
		}
		if current != "" && !slices.Contains(ids, current) {
			ids = append([]string{current}, ids...)
		}
		return ids
	}
	shown := all()
	search := newEscEntry(false)
	search.SetPlaceHolder("Search models…")
	var d dialog.Dialog
	list := widget.NewList(
		func() int { return len(shown) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.TextStyle.Bold = true
			info := widget.NewRichText() // secondary text, in the theme's muted colour: legible (≥ 4.5:1)
			return container.NewBorder(nil, nil, name, nil, info)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			name, info := c.Objects[1].(*widget.Label), c.Objects[0].(*widget.RichText)
			name.SetText(shown[i])
			if shown[i] == current {
				name.SetText("✓ " + shown[i])
			}
			setStatus(info, modelLine(shown[i]), false)
		},
	)
	list.OnSelected = func(i widget.ListItemID) {
		onPick(shown[i])
		d.Hide()
	}
	filter := func(q string) {
		q = strings.ToLower(strings.TrimSpace(q))
		shown = shown[:0]
		for _, id := range all() {
			if q == "" || strings.Contains(strings.ToLower(id), q) {
				shown = append(shown, id)
			}
		}
		list.UnselectAll()
		list.Refresh()
	}
	search.OnChanged = filter
	search.OnSubmitted = func(q string) {
		if len(shown) > 0 {
			onPick(shown[0])
			d.Hide()
		} else if q = strings.TrimSpace(q); q != "" {
			onPick(q) // a model the list does not know, e.g. on a local server
			d.Hide()
		}
	}
	status := widget.NewRichText()
	status.Wrapping = fyne.TextWrapWord
	setStatus(status, modelsFetched(p), false)
	refresh := &widget.Button{Text: "Refresh from server", Icon: theme.ViewRefreshIcon()}
	refresh.OnTapped = func() {
		refresh.Disable()
		setStatus(status, "Asking the server…", false)
		m.fetchModels(func(err error) {
			refresh.Enable()
			if err != nil {
				setStatus(status, plain(err), true)
				return
			}
			setStatus(status, modelsFetched(m.profile()), false)
			filter(search.Text)
		})
	}
	content := container.NewBorder(search, container.NewBorder(nil, nil, nil, refresh, status), nil, nil, list)
	d = dialog.NewCustom("Model", "Close", content, m.Window)
	d.Resize(fyne.NewSize(640, 520))
	search.onEscape = d.Hide
	m.present(d, search, nil)
	if idx := slices.Index(shown, current); idx >= 0 {
		list.ScrollTo(idx)
	}
}

func modelsFetched(p settings.Profile) string {
	if p.ModelsFetched.IsZero() {
		return "Known models; refresh to see what your endpoint offers. Type any name and press Enter to use it."
	}
	return fmt.Sprintf("%d chat models from the server, %s. Type any name and press Enter to use it.", len(p.Models), p.ModelsFetched.Local().Format("Jan 2 15:04"))
}

// fetchModels asks the endpoint for its chat models and keeps them with the profile.
func (m *Main) fetchModels(done func(error)) {
	p := m.profile()
	client, _ := m.client()
	bridge.Work(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ids, err := client.Models(ctx)
		if err == nil {
			err = m.svc.Prefs.RememberModels(p.ID, ids, time.Now())
		}
		return err
	}, done)
}
