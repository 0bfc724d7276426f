package web

import (
	"net/http"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
)

type projectRow struct {
	funds.Project
	PlaceName string
}

type fundProjectsView struct {
	Page
	Projects    []projectRow
	Allocatable []projectRow // approved projects: only they receive money
	Places      []placeOption
	Purposes    []string
	Rules       []string
	Crossed     map[string]money.Fen
	Pooled      bool
	Error       string
}

// project returns a project the caller may see (another place's is not found).
func (c *call) project(code string) (funds.Project, error) {
	if strings.TrimSpace(code) == "" {
		return funds.Project{}, errs.F(errs.Invalid, "invalid_project", "project", "choose a project")
	}
	p, err := c.s.d.Funds.Project(c.r.Context(), c.p.County, code)
	if err != nil {
		return p, err
	}
	if err := c.authorize(auth.ViewFunds, p.Place); err != nil {
		return funds.Project{}, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", code)
	}
	return p, nil
}

func (s *Server) fundProjectsView(c *call) (fundProjectsView, error) {
	ctx := c.r.Context()
	v := fundProjectsView{Page: c.page(translate(c.lang, "projects.title"), "funds"), Rules: []string{policy.OldestFirst, policy.ProRata}}
	ps, err := s.d.Funds.Projects(ctx, c.p.County, c.p.Prefix())
	if err != nil {
		return v, err
	}
	for _, p := range ps {
		row := projectRow{Project: p, PlaceName: s.d.Auth.PlaceName(ctx, p.Place)}
		v.Projects = append(v.Projects, row)
		if contains(funds.Allocatable, p.Status) {
			v.Allocatable = append(v.Allocatable, row)
		}
	}
	if t, err := s.d.Auth.Places(ctx, c.p.County); err == nil {
		for _, n := range auth.Subtree(t, c.p.Place) {
			if n.Code.Level() >= place.Township {
				v.Places = append(v.Places, placeOption{Code: string(n.Code), Label: n.Name})
			}
		}
	}
	if prof, _, err := s.d.Policy.Current(ctx, c.p.County); err == nil {
		seen := map[string]bool{}
		for _, cat := range prof.Funds.Categories {
			for _, p := range cat.Purposes {
				if !seen[p] {
					seen[p] = true
					v.Purposes = append(v.Purposes, p)
				}
			}
		}
		if prof.Funds.Integration == policy.Pooled {
			v.Pooled = true
			if v.Crossed, err = s.d.Funds.CrossedCategories(ctx, c.p.County); err != nil {
				return v, err
			}
		}
	}
	return v, nil
}

func (s *Server) fundProjectsPage(w http.ResponseWriter, c *call) error {
	v, err := s.fundProjectsView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "fund_projects", v)
}

// projectsResult ends a project form (see afterForm).
func (s *Server) projectsResult(w http.ResponseWriter, c *call, err error, next string) error {
	return afterForm(w, c, err, next, func(msg string, status int) error {
		v, err := s.fundProjectsView(c)
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "fund_projects", v)
	})
}

func (s *Server) allocateForm(w http.ResponseWriter, c *call) error {
	r := c.r
	p, err := c.project(r.PostFormValue("project"))
	if err == nil {
		var amt money.Fen
		var day time.Time
		if amt, err = formAmount(r); err == nil {
			day, err = formDay(r.PostFormValue("day"))
		}
		if err == nil {
			var in instruct.Instruction
			in, err = s.d.Funds.ProposeAllocation(r.Context(), c.p, funds.Allocation{Key: r.PostFormValue("key"), Project: p.Code, Amount: amt,
				Rule: r.PostFormValue("rule"), DocNo: strings.TrimSpace(r.PostFormValue("doc_no")), Day: day})
			if err == nil {
				return s.projectsResult(w, c, nil, instructionPath(in))
			}
		}
	}
	return s.projectsResult(w, c, err, "/funds/projects/"+pathEscape(r.PostFormValue("project")))
}

type fundProjectView struct {
	Page
	Report    funds.ProjectReport
	PlaceName string
	Error     string
}

func (s *Server) fundProjectPage(w http.ResponseWriter, c *call) error {
	p, err := c.project(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	rep, err := s.d.Funds.ProjectReport(c.r.Context(), c.p.County, p.Code)
	if err != nil {
		return err
	}
	v := fundProjectView{Page: c.page(p.Name, "funds"), Report: rep, PlaceName: s.d.Auth.PlaceName(c.r.Context(), p.Place)}
	return c.render(w, http.StatusOK, "fund_project", v)
}

func (s *Server) payForm(w http.ResponseWriter, c *call) error {
	r := c.r
	p, err := c.project(r.PostFormValue("project"))
	if err == nil {
		var amt money.Fen
		if amt, err = formAmount(r); err == nil {
			var in instruct.Instruction
			in, err = s.d.Funds.ProposePayment(r.Context(), c.p, funds.Payment{Key: r.PostFormValue("key"), Project: p.Code, To: strings.TrimSpace(r.PostFormValue("to")),
				Amount: amt, DocNo: strings.TrimSpace(r.PostFormValue("doc_no")), Memo: strings.TrimSpace(r.PostFormValue("memo"))})
			if err == nil {
				return afterForm(w, c, nil, instructionPath(in), nil)
			}
		}
	}
	if p.Code == "" {
		return err
	}
	// Refused: the project's page again, with what was typed.
	return afterForm(w, c, err, "", func(msg string, status int) error {
		rep, rerr := s.d.Funds.ProjectReport(r.Context(), c.p.County, p.Code)
		if rerr != nil {
			return rerr
		}
		v := fundProjectView{Page: c.page(p.Name, "funds"), Report: rep, PlaceName: s.d.Auth.PlaceName(r.Context(), p.Place), Error: msg}
		return c.render(w, status, "fund_project", v)
	})
}

// --- JSON API ---
