package web

import (
	"net/http"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/place"
)

// Personal data on pages and in exports: who sees the sensitive causes
// (illness, disability) and the audit of every view and export that
// carries personal data.

// seesSensitive reports whether p may see the sensitive causes of a
// household at pl: the roles that handle the household (village cadre,
// township officer, rural-revitalization bureau — those granted
// RevealPersonal) within their subtree. Sector bureaus, finance and the
// auditor see that a cause is recorded, never which.
func seesSensitive(p auth.Principal, pl place.Code) bool {
	return auth.Allowed(p.Role, auth.RevealPersonal) && p.Sees(pl)
}

// auditView writes the audit entry of one page view or export that shows
// personal data: action "personal.view" or "personal.export", the object
// (e.g. "household 990101001001-001"), its place and what was shown. A
// view that cannot be audited is not shown.
func (s *Server) auditView(c *call, action, object string, pl place.Code, after any) error {
	return audit.Write(c.r.Context(), s.d.DB, s.d.Clock(), audit.Entry{County: c.p.County, Actor: c.p.Username, Action: action, Object: object, Place: string(pl), After: after})
}

// personalExport marks a download that carries personal data: never
// cached (by the browser or a proxy), and audited with what it held.
func (s *Server) personalExport(w http.ResponseWriter, c *call, object string, rows int) error {
	w.Header().Set("Cache-Control", "no-store")
	pl := c.p.Place
	return s.auditView(c, "personal.export", object, pl, map[string]any{"rows": rows, "path": c.r.URL.Path})
}

// renderHousehold renders a household page; when it shows the sensitive
// causes of the household's years, the view is audited first (one entry
// per view).
func (s *Server) renderHousehold(w http.ResponseWriter, c *call, status int, v householdView) error {
	if !v.CausesHidden {
		var years []int
		for _, y := range v.Years {
			if len(y.Causes) > 0 {
				years = append(years, y.Year)
			}
		}
		if len(years) > 0 {
			if err := s.auditView(c, "personal.view", "household "+v.H.Code, v.H.Village, map[string]any{"field": "causes", "years": years}); err != nil {
				return err
			}
		}
	}
	return c.render(w, status, "household", v)
}

// renderApplication renders a relief application page; its cause is shown
// only to the staff who handle the household, and each such view is
// audited.
func (s *Server) renderApplication(w http.ResponseWriter, c *call, status int, v applicationView) error {
	if !v.CauseHidden && v.A.Cause != "" {
		if err := s.auditView(c, "personal.view", "household "+v.A.Household, v.A.Village, map[string]any{"field": "cause", "application": v.A.ID}); err != nil {
			return err
		}
	}
	return c.render(w, status, "application", v)
}
