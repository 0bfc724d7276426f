package web

import (
	"fmt"
	"net/http"

	"onepool/internal/auth"
)

// The county's settings (系统 → 设置): the public address printed notices
// and their QR codes point to.

type settingsView struct {
	Page
	PublicURL string
	Example   string // a notice's address with the setting as it is
	Error     string
	Done      bool
}

func (s *Server) settingsView(c *call) (settingsView, error) {
	v := settingsView{Page: c.page(translate(c.lang, "settings.title"), "settings"), Done: c.r.URL.Query().Get("saved") == "1"}
	var err error
	if v.PublicURL, err = s.d.Auth.Setting(c.r.Context(), c.p.County, auth.SettingPublicURL); err != nil {
		return v, err
	}
	v.Example = s.publicBase(c, c.p.County) + fmt.Sprintf("/public/%s/notices/1", c.p.County)
	return v, nil
}

func (s *Server) settingsPage(w http.ResponseWriter, c *call) error {
	v, err := s.settingsView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "settings", v)
}

func (s *Server) saveSettings(w http.ResponseWriter, c *call) error {
	raw := c.r.PostFormValue("public_url")
	_, err := s.d.Auth.SetPublicURL(c.r.Context(), c.p, raw)
	return afterForm(w, c, err, "/system/settings?saved=1", func(msg string, status int) error {
		v, verr := s.settingsView(c)
		if verr != nil {
			return err
		}
		v.Error, v.PublicURL = msg, raw
		return c.render(w, status, "settings", v)
	})
}

// publicBase is the address the public reaches the county's portal at:
// the county's setting, or else the address this request came to.
func (s *Server) publicBase(c *call, county string) string {
	if u, err := s.d.Auth.Setting(c.r.Context(), county, auth.SettingPublicURL); err == nil && u != "" {
		return u
	}
	scheme := "http"
	if s.secure(c.r) {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}
