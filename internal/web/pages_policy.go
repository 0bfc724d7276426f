package web

import (
	"net/http"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/policy"
)

type policyView struct {
	Page
	Chosen    bool
	Profile   policy.Profile
	Choice    policy.Choice
	Builtin   []string
	Error     string
	FormID    string
	Overrides string
}

func (s *Server) policyView(c *call) (policyView, error) {
	v := policyView{Page: c.page(translate(c.lang, "policy.title"), "settings"), Builtin: policy.Builtin()}
	p, ch, err := s.d.Policy.Current(c.r.Context(), c.p.County)
	switch {
	case err == nil:
		v.Chosen, v.Profile, v.Choice = true, p, ch
		v.FormID, v.Overrides = ch.Profile, ch.Overrides
	case errs.CodeOf(err) == "no_profile":
	case errs.KindOf(err) == errs.Invalid:
		v.Choice, v.Error = ch, formMessage(c.lang, err)
	default:
		return v, err
	}
	return v, nil
}

// policyPage shows the county's profile read-only, with its source and the
// keys the county overrode; an administrator may choose another.
func (s *Server) policyPage(w http.ResponseWriter, c *call) error {
	v, err := s.policyView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "policy", v)
}

func (s *Server) choosePolicy(w http.ResponseWriter, c *call) error {
	id, overrides := c.r.PostFormValue("profile"), strings.ReplaceAll(c.r.PostFormValue("overrides"), "\r\n", "\n")
	if _, err := s.d.Policy.Choose(c.r.Context(), c.p.Username, c.p.County, id, overrides); err != nil {
		msg, status, ferr := formError(c, err)
		if ferr != nil && errs.KindOf(err) != errs.NotFound {
			return ferr
		}
		if ferr != nil {
			msg, status = formMessage(c.lang, err), http.StatusBadRequest
		}
		v, verr := s.policyView(c)
		if verr != nil {
			return verr
		}
		v.Error, v.FormID, v.Overrides = msg, id, overrides
		return c.render(w, status, "policy", v)
	}
	c.done = translate(c.lang, "done.policy")
	return afterForm(w, c, nil, "/system/policy", nil)
}

// apiPolicy answers the county's resolved profile.
func (s *Server) apiPolicy(w http.ResponseWriter, c *call) error {
	p, ch, err := s.d.Policy.Current(c.r.Context(), c.r.PathValue("county"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, policyAnswer{County: ch.County, Profile: ch.Profile, Overrides: ch.Overrides, Overridden: p.Overridden,
		UpdatedAt: ch.UpdatedAt, UpdatedBy: ch.UpdatedBy, Resolved: p})
	return nil
}
