package views

import (
	"errors"
	"fmt"
	"strings"

	"parley/settings"
	"parley/views/bridge"
)

// The profile part of the settings screen: switching, adding, renaming and deleting profiles,
// and the profile's connection and defaults. The rules live in settings; this only calls them.

// switchProfile makes the profile named in the picker the current one.
func (s *settingsView) switchProfile(name string) {
	if s.filling || name == "" || name == s.m.profile().Name {
		return
	}
	q, ok := s.m.svc.Prefs.Prefs().Named(name)
	if !ok {
		return
	}
	s.changeProfiles(func() error { return s.m.svc.Prefs.SwitchProfile(q.ID) }, "The profile could not be switched")
}

// changeProfiles runs a change to the profiles off the UI goroutine, then follows it.
func (s *settingsView) changeProfiles(change func() error, failed string) {
	bridge.Work(change, func(err error) {
		if err != nil {
			s.m.showError(failed, err)
		}
		s.m.profileSwitched()
	})
}

func (s *settingsView) addProfile() {
	s.m.askText("Add a profile", "Name", "", "e.g. work, ollama", "Add", func(text string) {
		n := strings.TrimSpace(text)
		if n == "" {
			return
		}
		prefs := s.m.svc.Prefs
		s.changeProfiles(func() error {
			q, err := prefs.AddProfile(settings.NewProfile(n))
			if err == nil {
				err = prefs.SwitchProfile(q.ID)
			}
			return err
		}, "The profile was not added")
	})
}

// renameProfile gives the profile a new name; its key, conversations and usage stay with it.
func (s *settingsView) renameProfile() {
	p := s.m.profile()
	s.m.askText("Rename the profile", "Name", p.Name, "", "Rename", func(text string) {
		n := strings.TrimSpace(text)
		if n == "" || n == p.Name {
			return
		}
		bridge.Work(func() error { return s.m.svc.Prefs.RenameProfile(p.ID, n) }, func(err error) {
			if err != nil {
				s.m.showError("The profile was not renamed", err)
				return
			}
			s.show()
		})
	})
}

// deleteProfile removes the profile and its key, or neither.
func (s *settingsView) deleteProfile() {
	p := s.m.profile()
	if len(s.m.svc.Prefs.Prefs().Profiles) == 1 {
		s.m.showError("The profile was not deleted", errors.New("it is the only one: add another first"))
		return
	}
	s.m.confirm("Delete the profile", fmt.Sprintf("Delete profile “%s” and remove its key from the keychain? Its conversations stay in the history.", p.Name), "Delete profile", true, func() {
		svc := s.m.svc
		s.changeProfiles(func() error { return settings.RemoveProfile(svc.Prefs, svc.Keys, p.ID) }, "The profile was not deleted")
	})
}

func (s *settingsView) saveConnection() {
	baseURL, org, project := s.baseURL.Text, s.org.Text, s.project.Text
	api, store, background := s.chosenAPI(), s.storeResponses.Checked, s.chosenBackground()
	s.updateProfile(func(p *settings.Profile) error {
		if p.API != api {
			p.NoResponses = false // asked again, by the user's choice
		}
		p.API, p.StoreResponses, p.BackgroundFrom = api, store, background
		return p.SetConnection(baseURL, org, project)
	}, "Connection saved")
}

func (s *settingsView) saveDefaults() {
	maxOut, err := settings.ParseMaxOutput(s.maxOutput.Text)
	if err != nil {
		s.m.showError("Not saved", err)
		return
	}
	model, system := s.model, strings.TrimSpace(s.system.Text)
	var temp *float32
	if !s.tempDefault.Checked {
		t := float32(s.temp.Value)
		temp = &t
	}
	s.updateProfile(func(p *settings.Profile) error {
		p.Model, p.SystemPrompt, p.MaxOutput, p.Temperature = model, system, maxOut, temp
		return nil
	}, "Defaults saved; they apply to new chats")
}
