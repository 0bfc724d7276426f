package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/place"
	"onepool/internal/projects"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// The project library (项目库), a project's page with its review, notice,
// lifecycle, inspections and volume, and the review queue.

type libraryRow struct {
	projects.Project
	PlaceName string
}

type townshipRow struct {
	Name   string
	Counts map[string]int
	Total  int
}

type libraryView struct {
	Page
	Status, Village, Q string
	Year               int
	Rows               []libraryRow
	Total              int
	PrevURL, NextURL   string
	Statuses           []string
	Villages           []placeOption
	Places             []placeOption
	Purposes           []string
	Townships          []townshipRow
	Reminder           *projects.Reminder
	Error              string
}

const libraryPage = 50

// libraryFilter reads the library's filter from the query, inside the
// caller's subtree.
func (c *call) libraryFilter() (projects.Filter, libraryView, error) {
	q := c.r.URL.Query()
	f := projects.Filter{Prefix: c.p.Prefix(), Status: q.Get("status"), Query: q.Get("q"), Limit: libraryPage}
	v := libraryView{Status: f.Status, Q: f.Query, Village: q.Get("village")}
	if f.Status != "" && !contains(projects.Statuses, f.Status) {
		return f, v, errs.F(errs.Invalid, "invalid_status", "status", "unknown status %q", f.Status)
	}
	if v.Village != "" {
		pl := place.Code(v.Village)
		if !pl.Valid() || !c.p.Sees(pl) {
			return f, v, errs.F(errs.Invalid, "invalid_place", "village", "choose a place in your area")
		}
		f.Prefix = pl.Prefix()
	}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return f, v, errs.F(errs.Invalid, "invalid_year", "year", "year must be a year like 2027")
		}
		f.PlanYear, v.Year = n, n
	}
	if o := q.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 {
			return f, v, errs.F(errs.Invalid, "invalid_offset", "offset", "offset must be a number ≥ 0")
		}
		f.Offset = n
	}
	return f, v, nil
}

func (s *Server) libraryView(c *call) (libraryView, error) {
	ctx := c.r.Context()
	f, v, err := c.libraryFilter()
	if err != nil {
		return v, err
	}
	v.Page = c.page(translate(c.lang, "library.title"), "projects")
	v.Statuses = projects.Statuses
	rows, total, err := s.d.Projects.Library(ctx, c.p.County, f)
	if err != nil {
		return v, err
	}
	for _, p := range rows {
		v.Rows = append(v.Rows, libraryRow{Project: p, PlaceName: s.d.Auth.PlaceName(ctx, p.Place)})
	}
	v.Total = total
	page := func(off int) string {
		q := c.r.URL.Query()
		q.Set("offset", strconv.Itoa(off))
		return "/projects?" + q.Encode()
	}
	if f.Offset > 0 {
		v.PrevURL = page(max(f.Offset-libraryPage, 0))
	}
	if f.Offset+libraryPage < total {
		v.NextURL = page(f.Offset + libraryPage)
	}
	for _, o := range s.subtreePlaces(c, place.Township) {
		o.Selected = o.Code == v.Village
		v.Villages = append(v.Villages, o)
	}
	v.Places = s.subtreePlaces(c, place.Village)
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
		var villages []place.Code
		for _, o := range v.Places {
			if place.Code(o.Code).Level() == place.Village {
				villages = append(villages, place.Code(o.Code))
			}
		}
		if r, ok, err := s.d.Projects.Calendar(ctx, c.p.County, c.p.Prefix(), villages); err == nil && ok && r.DaysLeft <= 90 {
			v.Reminder = &r
		}
	}
	counts, err := s.d.Projects.ByTownship(ctx, c.p.County, c.p.Prefix(), f.PlanYear)
	if err != nil {
		return v, err
	}
	for _, t := range counts {
		v.Townships = append(v.Townships, townshipRow{Name: s.d.Auth.PlaceName(ctx, t.Township), Counts: t.Counts, Total: t.Total})
	}
	return v, nil
}

func (s *Server) libraryPage(w http.ResponseWriter, c *call) error {
	v, err := s.libraryView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "library", v)
}

// libraryExport writes the filtered library as xlsx.
func (s *Server) libraryExport(w http.ResponseWriter, c *call) error {
	f, _, err := c.libraryFilter()
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 1000, 0
	t := func(k string) string { return translate(c.lang, k) }
	rows := [][]any{{t("col.code"), t("col.name"), t("col.place"), t("library.plan_year"), t("projects.purpose"), t("library.status"), t("library.budget"),
		t("library.unit"), t("library.leader"), t("library.link_mode"), t("library.link_households")}}
	for {
		ps, total, err := s.d.Projects.Library(c.r.Context(), c.p.County, f)
		if err != nil {
			return err
		}
		for _, p := range ps {
			rows = append(rows, []any{p.Code, p.Name, s.d.Auth.PlaceName(c.r.Context(), p.Place), p.PlanYear, p.Purpose, t("status." + p.Status), p.Budget,
				p.Unit, p.Leader, p.LinkMode, p.LinkHouseholds})
		}
		f.Offset += f.Limit
		if f.Offset >= total || len(ps) == 0 {
			break
		}
	}
	return writeXLSX(w, fmt.Sprintf("projects-%s.xlsx", c.p.County), rows)
}

// townshipsExport writes the review status per township as xlsx.
func (s *Server) townshipsExport(w http.ResponseWriter, c *call) error {
	f, _, err := c.libraryFilter()
	if err != nil {
		return err
	}
	counts, err := s.d.Projects.ByTownship(c.r.Context(), c.p.County, c.p.Prefix(), f.PlanYear)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	head := []any{t("level.township")}
	for _, st := range projects.Statuses {
		head = append(head, t("status."+st))
	}
	rows := [][]any{append(head, t("col.total"))}
	for _, tc := range counts {
		row := []any{s.d.Auth.PlaceName(c.r.Context(), tc.Township)}
		for _, st := range projects.Statuses {
			row = append(row, tc.Counts[st])
		}
		rows = append(rows, append(row, tc.Total))
	}
	return writeXLSX(w, fmt.Sprintf("project-review-%s.xlsx", c.p.County), rows)
}

// projectFromForm reads a project's fields from a form.
func projectFromForm(r *http.Request) (projects.Project, error) {
	var p projects.Project
	p.Code, p.Name, p.Place = strings.TrimSpace(r.PostFormValue("code")), r.PostFormValue("name"), place.Code(r.PostFormValue("place"))
	p.Purpose, p.Department, p.Collective = r.PostFormValue("purpose"), r.PostFormValue("department"), r.PostFormValue("collective") == "1"
	p.Unit, p.Leader, p.Team = r.PostFormValue("unit"), r.PostFormValue("leader"), r.PostFormValue("team")
	p.LinkMode, p.LinkDetail = r.PostFormValue("link_mode"), r.PostFormValue("link_detail")
	if y := r.PostFormValue("plan_year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return p, errs.F(errs.Invalid, "invalid_year", "plan_year", "the plan year must be a year like 2027")
		}
		p.PlanYear = n
	}
	if b := r.PostFormValue("budget"); b != "" {
		v, err := parseAmount("budget", b)
		if err != nil {
			return p, err
		}
		p.Budget = v
	}
	if h := r.PostFormValue("link_households"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			return p, errs.F(errs.Invalid, "invalid_project", "link_households", "the number of households must be a whole number")
		}
		p.LinkHouseholds = n
	}
	// Goals: one per line, "indicator：target" (or "indicator: target").
	for i, line := range strings.Split(r.PostFormValue("goals"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.Replace(line, "：", ":", 1), ":")
		if !ok {
			return p, errs.F(errs.Invalid, "invalid_goal", fmt.Sprintf("goals[%d]", i), "write each goal as “指标：目标值”")
		}
		p.Goals = append(p.Goals, projects.Goal{Indicator: k, Target: v})
	}
	return p, nil
}

func (s *Server) createProject(w http.ResponseWriter, c *call) error {
	p, err := projectFromForm(c.r)
	if err == nil {
		err = auth.CheckNewCode(c.p, strings.TrimSpace(p.Code), p.Place)
	}
	if err == nil {
		p, err = s.d.Projects.Create(c.r.Context(), c.p, p)
	}
	return afterForm(w, c, err, "/projects/"+url.PathEscape(p.Code), func(msg string, status int) error {
		v, err := s.libraryView(c)
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "library", v)
	})
}

// libProject returns a library project the caller may see (another
// place's is not found, exactly like a missing one).
func (c *call) libProject(code string) (projects.Project, error) {
	p, err := c.s.d.Projects.Get(c.r.Context(), c.p.County, code)
	if err != nil {
		return p, err
	}
	if !c.p.Sees(p.Place) {
		c.s.denied(c.r.Context(), c.p, c.r, auth.ViewProjects, auth.NotFound())
		return projects.Project{}, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", code)
	}
	return p, nil
}

type chainRow struct {
	workflow.Step
	Index   int
	State   string // done, current, todo
	Records []workflow.Record
}

// chainRows lays an item's chain out with each step's state and records.
func chainRows(it workflow.Item, hist []workflow.Record) []chainRow {
	rows := make([]chainRow, 0, len(it.Chain))
	for i, st := range it.Chain {
		row := chainRow{Step: st, Index: i, State: "todo"}
		switch {
		case it.State == workflow.Approved || i < it.Step:
			row.State = "done"
		case i == it.Step && (it.State == workflow.Pending || it.State == workflow.Returned):
			row.State = "current"
		}
		for _, h := range hist {
			if h.Step == i {
				row.Records = append(row.Records, h)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

type projectView struct {
	Page
	P             projects.Project
	PlaceName     string
	Item          *workflow.Item
	Chain         []chainRow
	History       []workflow.Record
	Overdue       bool
	MyStep        bool
	CanResubmit   bool
	Notice        *workflow.Notice
	Objections    []workflow.Objection
	NoticeRunning bool
	NoticeOver    bool
	CanNotice     bool
	NoticeDays    int
	NoticeStarts  string
	NoticeEnds    string
	NoticeBody    string
	NoticePaper   bool  // the notice was held on paper and recorded after the fact
	NoticePhoto   int64 // its board photo (a volume file)
	Approval      projects.Approval
	Events        []projects.Event
	Tracking      []projects.Tracking
	Inspections   []projects.Inspection
	Violations    []projects.Violation
	Files         []volume.File
	Kinds         []string
	Phases        []string
	Money         funds.ProjectReport
	Next          []string
	AddAssets     bool // the project is accepted or later: 登记资产
	Editable      bool
	GoalsText     string
	Error         string
}

func (s *Server) projectView(c *call, code string) (projectView, error) {
	ctx := c.r.Context()
	p, err := c.libProject(code)
	if err != nil {
		return projectView{}, err
	}
	v := projectView{Page: c.page(p.Name, "projects"), P: p, PlaceName: s.d.Auth.PlaceName(ctx, p.Place), Kinds: volume.Kinds, Phases: projects.Phases}
	now := s.d.Clock()
	today := clock.Day(now)
	var goals []string
	for _, g := range p.Goals {
		goals = append(goals, g.Indicator+"："+g.Target)
	}
	v.GoalsText = strings.Join(goals, "\n")
	v.Editable = (p.Status == projects.Reserve || p.Status == projects.Returned) && auth.Allowed(c.p.Role, auth.ProposeProjects)
	if it, err := s.d.Projects.ItemOf(ctx, c.p.County, code); err == nil {
		v.Item = &it
		v.Overdue = it.Overdue(now)
		if v.History, err = s.d.Workflow.History(ctx, c.p.County, it.ID); err != nil {
			return v, err
		}
		v.Chain = chainRows(it, v.History)
		if cur, ok := it.Current(); ok && !it.Frozen {
			v.MyStep = it.State == workflow.Pending && it.CanTake(c.p)
			v.CanResubmit = it.State == workflow.Returned && it.CanTake(c.p)
			if cur.NoticeBefore && it.NoticeID == 0 && it.State == workflow.Pending && (c.p.Role == auth.RoleTownship || c.p.Role == auth.RoleRural) {
				v.CanNotice = true
			}
		}
		if it.NoticeID != 0 {
			n, err := s.d.Workflow.Notice(ctx, c.p.County, it.NoticeID)
			if err != nil {
				return v, err
			}
			v.Notice, v.NoticeRunning, v.NoticeOver = &n, n.Running(today), n.Over(today)
			if v.NoticePaper, v.NoticePhoto, err = s.d.Workflow.PaperOf(ctx, s.d.DB, c.p.County, n.ID); err != nil {
				return v, err
			}
			if v.Objections, err = s.d.Workflow.Objections(ctx, c.p.County, n.ID); err != nil {
				return v, err
			}
		}
	}
	if prof, _, err := s.d.Policy.Current(ctx, c.p.County); err == nil {
		v.NoticeDays = prof.Review.NoticeDays
		v.NoticeStarts = today
		v.NoticeEnds = clock.Day(now.AddDate(0, 0, prof.Review.NoticeDays-1))
	}
	v.NoticeBody = fmt.Sprintf("项目名称：%s\n实施地点：%s\n项目类别：%s\n投资估算：%s 元\n实施单位：%s\n责任人：%s\n联农带农：%s，受益农户 %d 户\n绩效目标：%s",
		p.Name, v.PlaceName, label("zh", "purpose.", p.Purpose), p.Budget, p.Unit, p.Leader, p.LinkMode, p.LinkHouseholds, strings.Join(goals, "；"))
	if v.Approval, err = s.d.Projects.ApprovalOf(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Events, err = s.d.Projects.Events(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Tracking, err = s.d.Projects.TrackingOf(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Inspections, err = s.d.Projects.Inspections(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Violations, err = s.d.Projects.Violations(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Files, err = s.d.Projects.Volume(ctx, c.p.County, code); err != nil {
		return v, err
	}
	if v.Money, err = s.d.Funds.ProjectReport(ctx, c.p.County, code); err != nil {
		return v, err
	}
	v.AddAssets = mayRegisterFrom(c.p, p.Status)
	for _, to := range []string{projects.Construction, projects.Completed, projects.Accepted, projects.HandedOver, projects.Aftercare} {
		if projects.MayAdvance(c.p, p.Status, to) {
			v.Next = append(v.Next, to)
		}
	}
	return v, nil
}

func (s *Server) projectPage(w http.ResponseWriter, c *call) error {
	v, err := s.projectView(c, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "project", v)
}

// projectResult ends a project form: back to the project, or the project
// page again with the error.
func (s *Server) projectResult(w http.ResponseWriter, c *call, code string, err error) error {
	return afterForm(w, c, err, "/projects/"+url.PathEscape(code), func(msg string, status int) error {
		v, verr := s.projectView(c, code)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "project", v)
	})
}

// projectForm runs a form on a project: the project must be visible
// first (another place's is not found, whatever the form says).
func (s *Server) projectForm(w http.ResponseWriter, c *call, do func(p projects.Project) error) error {
	code := c.r.PathValue("code")
	p, err := c.libProject(code)
	if err != nil {
		return err
	}
	return s.projectResult(w, c, code, do(p))
}

func (s *Server) updateProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(cur projects.Project) error {
		p, err := projectFromForm(c.r)
		if err != nil {
			return err
		}
		p.Code, p.Place, p.Name, p.Purpose, p.Department, p.Collective = cur.Code, cur.Place, cur.Name, cur.Purpose, cur.Department, cur.Collective
		_, err = s.d.Projects.Update(c.r.Context(), c.p, p)
		return err
	})
}

func (s *Server) submitProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		_, err := s.d.Projects.Submit(c.r.Context(), c.p, p.Code, c.r.PostFormValue("opinion"))
		return err
	})
}

func (s *Server) decideProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		files, done, err := uploads(c.r, "attachments", "other")
		defer done()
		if err != nil {
			return err
		}
		d, err := decision(c.r.PostFormValue("action"), c.r.PostFormValue("to_step"), c.r.PostFormValue("opinion"))
		if err != nil {
			return err
		}
		_, err = s.d.Projects.Decide(c.r.Context(), c.p, p.Code, d, files...)
		return err
	})
}

func (s *Server) openNotice(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		r := c.r
		in, err := noticeInput(r.PostFormValue("title"), r.PostFormValue("body"), r.PostFormValue("starts"), r.PostFormValue("ends"), r.PostFormValue("places"))
		if err != nil {
			return err
		}
		_, err = s.d.Projects.OpenNotice(r.Context(), c.p, p.Code, in)
		return err
	})
}

func (s *Server) freezeProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		act := c.r.PostFormValue("action")
		if act != "freeze" && act != "thaw" {
			return errs.F(errs.Invalid, "invalid_decision", "action", "freeze or thaw")
		}
		_, err := s.d.Projects.Freeze(c.r.Context(), c.p, p.Code, act == "freeze", c.r.PostFormValue("reason"))
		return err
	})
}

func (s *Server) advanceProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		_, err := s.d.Projects.Advance(c.r.Context(), c.p, p.Code, c.r.PostFormValue("to"), c.r.PostFormValue("note"))
		return err
	})
}

func (s *Server) trackProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		return s.d.Projects.Track(c.r.Context(), c.p, p.Code, projects.Tracking{Indicator: c.r.PostFormValue("indicator"), Value: c.r.PostFormValue("value"), Note: c.r.PostFormValue("note")})
	})
}

func (s *Server) inspectProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		photos, done, err := uploads(c.r, "photos", "inspection")
		defer done()
		if err != nil {
			return err
		}
		_, err = s.d.Projects.Inspect(c.r.Context(), c.p, p.Code, projects.Inspection{Phase: c.r.PostFormValue("phase"), Inspector: c.r.PostFormValue("inspector"), Findings: c.r.PostFormValue("findings")}, photos)
		return err
	})
}

func (s *Server) attachFiles(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		files, done, err := uploads(c.r, "file", c.r.PostFormValue("kind"))
		defer done()
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return errs.F(errs.Invalid, "missing_file", "file", "choose a file to upload")
		}
		_, err = s.d.Projects.Attach(c.r.Context(), c.p, p.Code, files)
		return err
	})
}

func (s *Server) evaluateProject(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		n, err := strconv.Atoi(strings.TrimSpace(c.r.PostFormValue("score")))
		if err != nil {
			return errs.F(errs.Invalid, "invalid_score", "score", "the score is a whole number 0 to 100")
		}
		return s.d.Projects.Evaluate(c.r.Context(), c.p, p.Code, n, c.r.PostFormValue("note"))
	})
}

func (s *Server) reclaimProject(w http.ResponseWriter, c *call) error {
	code := c.r.PathValue("code")
	p, err := c.libProject(code)
	if err != nil {
		return err
	}
	in, err := s.d.Projects.Reclaim(c.r.Context(), c.p, p.Code, strings.TrimSpace(c.r.PostFormValue("to")), c.r.PostFormValue("reason"))
	if err == nil {
		return afterForm(w, c, nil, instructionPath(in), nil)
	}
	return s.projectResult(w, c, code, err)
}

// answerObjection answers an objection; back to its project.
func (s *Server) answerObjection(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "objection", "no such objection")
	}
	_, _, it, err := s.objectionFor(c, id)
	if err != nil {
		return err
	}
	upheld := c.r.PostFormValue("decision") == "uphold"
	if d := c.r.PostFormValue("decision"); d != "uphold" && d != "dismiss" {
		return s.projectResult(w, c, it.Subject, errs.F(errs.Invalid, "invalid_decision", "decision", "uphold or dismiss"))
	}
	_, err = s.d.Projects.Answer(c.r.Context(), c.p, id, upheld, c.r.PostFormValue("reply"))
	return s.projectResult(w, c, it.Subject, err)
}

// objectionFor finds an objection, its notice and item, visible to the
// caller (else not found).
func (s *Server) objectionFor(c *call, id int64) (workflow.Objection, workflow.Notice, workflow.Item, error) {
	ctx := c.r.Context()
	notFound := errs.F(errs.NotFound, "not_found", "objection", "no objection %d", id)
	o, err := s.d.Workflow.Objection(ctx, c.p.County, id)
	if err != nil {
		return o, workflow.Notice{}, workflow.Item{}, notFound
	}
	n, err := s.d.Workflow.Notice(ctx, c.p.County, o.Notice)
	if err != nil {
		return o, n, workflow.Item{}, err
	}
	it, err := s.d.Workflow.Item(ctx, c.p.County, n.Item)
	if err != nil {
		return o, n, it, err
	}
	if !c.p.Sees(it.Place) || it.Kind != projects.Kind {
		return o, n, it, notFound
	}
	return o, n, it, nil
}

// fileDownload sends one document of a project's volume, as an
// attachment of its detected type.
func (s *Server) fileDownload(w http.ResponseWriter, c *call) error {
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_file", "file", "no such file")
	}
	f, data, err := s.d.Volume.Content(c.r.Context(), c.p.County, id)
	if err != nil {
		return err
	}
	if f.Owner != projects.Owner(p.Code) {
		return errs.F(errs.NotFound, "unknown_file", "file", "no such file")
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

// volumeZip sends the project's whole volume as one zip with its index.
func (s *Server) volumeZip(w http.ResponseWriter, c *call) error {
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="volume-%s.zip"`, p.Code))
	return s.d.Volume.WriteZip(c.r.Context(), w, c.p.County, projects.Owner(p.Code), fmt.Sprintf("%s %s 一项目一册", p.Code, p.Name))
}

type volumeView struct {
	Page
	P         projects.Project
	PlaceName string
	Files     []volume.File
	Generated string
	Print     printFrame
}

// volumeIndex is the printable index of a project's volume.
func (s *Server) volumeIndex(w http.ResponseWriter, c *call) error {
	p, err := c.libProject(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	files, err := s.d.Projects.Volume(c.r.Context(), c.p.County, p.Code)
	if err != nil {
		return err
	}
	v := volumeView{Page: c.page(p.Name, "projects"), P: p, PlaceName: s.d.Auth.PlaceName(c.r.Context(), p.Place), Files: files,
		Generated: s.d.Clock().In(clock.Zone).Format("2006-01-02 15:04")}
	v.Print = s.staffPrintFrame(c, p.Name)
	return c.render(w, http.StatusOK, "volume", v)
}
