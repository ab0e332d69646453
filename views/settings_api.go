package views

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/settings"
	"parley/views/bridge"
)

// The protocol part of the settings screen (which API a profile talks, and whether OpenAI keeps
// its answers) and the model catalog (its date, and updating it).

// apiChoices name the protocols as the picker offers them.
var apiChoices = []struct{ api, label string }{
	{settings.APIAuto, "Automatic (the Responses API on OpenAI, Chat Completions elsewhere)"},
	{settings.APIResponses, "Responses API"},
	{settings.APIChat, "Chat Completions"},
}

// apiSection builds the protocol choice and the storage option, saved with the connection.
func (s *settingsView) apiSection() []*widget.FormItem {
	var labels []string
	for _, c := range apiChoices {
		labels = append(labels, c.label)
	}
	s.api = widget.NewSelect(labels, nil)
	s.storeResponses = widget.NewCheck("Keep answers on OpenAI", nil)
	s.storeNote = widget.NewRichText()
	s.storeNote.Wrapping = fyne.TextWrapWord
	setStatus(s.storeNote, "Off (the default): OpenAI keeps nothing (store: false), and a reasoning model's thinking goes from turn to turn "+
		"encrypted, in Parley's history. On: OpenAI keeps each response for about 30 days (store: true), where your organization's "+
		"dashboard can show it.", false)
	return []*widget.FormItem{
		widget.NewFormItem("API", s.api),
		widget.NewFormItem("", container.NewVBox(s.storeResponses, s.storeNote)),
	}
}

// showAPI fills the protocol fields from a profile.
func (s *settingsView) showAPI(p settings.Profile) {
	for _, c := range apiChoices {
		if c.api == p.API {
			s.api.SetSelected(c.label)
		}
	}
	s.storeResponses.SetChecked(p.StoreResponses)
}

// chosenAPI is the protocol the picker shows.
func (s *settingsView) chosenAPI() string {
	for _, c := range apiChoices {
		if c.label == s.api.Selected {
			return c.api
		}
	}
	return settings.APIAuto
}

// catalogSection shows the catalog's date and source, and updates it.
func (s *settingsView) catalogSection() fyne.CanvasObject {
	s.catalogInfo = widget.NewRichText()
	s.catalogInfo.Wrapping = fyne.TextWrapWord
	s.catalogBtn = &widget.Button{Text: "Update model catalog", Icon: theme.ViewRefreshIcon(), OnTapped: s.updateCatalog}
	s.showCatalog()
	return container.NewVBox(s.catalogInfo, container.NewHBox(s.catalogBtn))
}

func (s *settingsView) showCatalog() {
	c := settings.CurrentCatalog()
	setStatus(s.catalogInfo, fmt.Sprintf("Prices, context windows and efforts of %d models, dated %s. Source: %s. "+
		"Your own corrections go in models.json beside settings.json.", len(c.Models), c.Date, c.Source), false)
}

// updateCatalog fetches a newer catalog; when anything is wrong the one in use stays, and the
// screen says why.
func (s *settingsView) updateCatalog() {
	if s.m.svc.UpdateCatalog == nil {
		return
	}
	s.catalogBtn.Disable()
	setStatus(s.catalogInfo, "Fetching the model catalog…", false)
	before := len(settings.CatalogModels())
	update := s.m.svc.UpdateCatalog
	bridge.Work(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		defer cancel()
		_, err := update(ctx)
		return err
	}, func(err error) {
		s.catalogBtn.Enable()
		if err != nil {
			s.showCatalog()
			setStatus(s.catalogInfo, "The catalog was not updated: "+plain(err)+" The one in use stays.", true)
			return
		}
		s.showCatalog()
		if added := len(settings.CatalogModels()) - before; added > 0 {
			s.m.notify(fmt.Sprintf("Model catalog updated: %d new model%s", added, map[bool]string{true: "s"}[added > 1]))
		} else {
			s.m.notify("Model catalog updated")
		}
		s.m.conversation.refreshToolbar()
		s.showModel()
	})
}
