package web

// Adopting onepool mid-year: the approved annual plan imported as a batch
// a second officer approves (/adopt/plan), and notices already held on
// village boards recorded after the fact (the project page's paper-notice
// form, POST /api/v1/notices/{county}/paper).

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/projects"
	"onepool/internal/tabular"
	"onepool/internal/workflow"
)

type adoptPlanView struct {
	Page
	Error   string
	Batches []adoptBatchView
}

type adoptBatchView struct {
	projects.PlanBatch
	CanDecide bool
	Shown     []planRowView // the first rows, for the reviewer
	More      int
}

type planRowView struct {
	projects.PlanRow
	BudgetFen money.Fen
	Linked    bool // the batch is approved: the project exists
}

func (s *Server) adoptPlanView(c *call) (adoptPlanView, error) {
	v := adoptPlanView{Page: c.page(translate(c.lang, "adopt.title"), "projects")}
	bs, err := s.d.Projects.PlanBatches(c.r.Context(), c.p.County, 50)
	if err != nil {
		return v, err
	}
	for _, b := range bs {
		bv := adoptBatchView{PlanBatch: b, CanDecide: b.State == "pending" && b.Item.CanTake(c.p)}
		for i, r := range b.Rows {
			if i == 200 {
				bv.More = len(b.Rows) - 200
				break
			}
			bv.Shown = append(bv.Shown, planRowView{PlanRow: r, BudgetFen: money.Fen(r.Budget), Linked: b.State == "approved"})
		}
		v.Batches = append(v.Batches, bv)
	}
	return v, nil
}

// adoptPlanPage: GET /adopt/plan — the import form, its template, and the
// imports with their review.
func (s *Server) adoptPlanPage(w http.ResponseWriter, c *call) error {
	if err := projects.MayImportPlan(c.p); err != nil {
		return err
	}
	v, err := s.adoptPlanView(c)
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "adopt_plan", v)
}

func (s *Server) adoptResult(w http.ResponseWriter, c *call, err error) error {
	return afterForm(w, c, err, "/adopt/plan", func(msg string, status int) error {
		v, err := s.adoptPlanView(c)
		if err != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "adopt_plan", v)
	})
}

// importPlan: POST /adopt/plan (multipart: file).
func (s *Server) importPlan(w http.ResponseWriter, c *call) error {
	if err := projects.MayImportPlan(c.p); err != nil {
		return err
	}
	f, fh, err := c.r.FormFile("file")
	if err != nil {
		_, err = formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose the plan's CSV or xlsx file"))
		return s.adoptResult(w, c, err)
	}
	defer f.Close()
	b, err := s.d.Projects.ImportPlan(c.r.Context(), c.p, fh.Filename, f)
	if err == nil {
		c.done = fmt.Sprintf(translate(c.lang, "done.plan_imported"), b.Projects)
	}
	return s.adoptResult(w, c, err)
}

// decidePlan: POST /adopt/plan/{id}/decide (action approve|reject, opinion).
func (s *Server) decidePlan(w http.ResponseWriter, c *call) error {
	if err := projects.MayImportPlan(c.p); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "not_found", "plan", "no such plan import")
	}
	if _, err := s.d.Projects.PlanBatch(c.r.Context(), c.p.County, id); err != nil {
		return err
	}
	d, err := decision(c.r.PostFormValue("action"), "", c.r.PostFormValue("opinion"))
	if err == nil && d.Action == workflow.Return {
		err = errs.F(errs.Invalid, "invalid_decision", "action", "decision must be approve, return or reject")
	}
	if err == nil {
		var b projects.PlanBatch
		if b, err = s.d.Projects.DecidePlan(c.r.Context(), c.p, id, d); err == nil && b.State == "approved" {
			c.done = fmt.Sprintf(translate(c.lang, "done.plan_approved"), b.Projects)
		}
	}
	return s.adoptResult(w, c, err)
}

// planTemplate: GET /adopt/plan/template.xlsx — the plan's columns under
// the county's profile, one example row (approved on paper, every step
// taken) that imports cleanly, and the notes.
func (s *Server) planTemplate(w http.ResponseWriter, c *call) error {
	if err := projects.MayImportPlan(c.p); err != nil {
		return err
	}
	ctx := c.r.Context()
	prof, _, err := s.d.Policy.Current(ctx, c.p.County)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	purpose := "infrastructure"
	if len(prof.Funds.Categories) > 0 && len(prof.Funds.Categories[0].Purposes) > 0 {
		purpose = prof.Funds.Categories[0].Purposes[0]
	}
	budget := money.Fen(30000000)
	if prof.Review.ExtraSignerAbove > 0 && budget > prof.Review.ExtraSignerAbove {
		budget = prof.Review.ExtraSignerAbove
	}
	chain := projects.Chain(prof, budget)
	day := today().AddDate(0, 0, -60)
	cols := []tabular.TemplateColumn{
		tcol("项目编号", true, fmt.Sprintf("JH%d-001", today().Year()), t("adopt.col.code")),
		tcol("项目名称", true, "示例：村组道路硬化", t("adopt.col.name")),
		tcol("实施地点代码", true, string(s.firstVillage(c)), t("adopt.col.place")),
		tcol("用途", true, purpose, t("adopt.col.purpose")),
		tcol("主管部门", false, "交通运输局", t("adopt.col.department")),
		tcol("计划年度", true, strconv.Itoa(today().Year()), t("adopt.col.plan_year")),
		tcol("实施单位", true, "示例镇人民政府", t("adopt.col.unit")),
		tcol("责任领导", true, "示例副镇长", t("adopt.col.leader")),
		tcol("预算", true, float64(budget)/100, t("adopt.col.budget")),
		tcol("联农带农方式", false, "务工", t("adopt.col.link_mode")),
		tcol("带动户数", false, "30", t("adopt.col.link_households")),
		tcol("批复文号", false, fmt.Sprintf("示例乡振发〔%d〕1号", today().Year()), t("adopt.col.approval_doc")),
		tcol("批复日期", false, day.AddDate(0, 0, len(chain)+1), t("adopt.col.approval_day")),
		tcol("批复人", false, "县乡村振兴局", t("adopt.col.approved_by")),
	}
	for i, st := range chain {
		cols = append(cols,
			tcol(fmt.Sprintf("第%d步经办人", i+1), i == 0, fmt.Sprintf("经办人%d", i+1), fmt.Sprintf(t("adopt.col.step_by"), st.Name, t("role."+st.Role), t("level."+st.Level))),
			tcol(fmt.Sprintf("第%d步日期", i+1), i == 0, day.AddDate(0, 0, i), fmt.Sprintf(t("adopt.col.step_day"), st.Name)))
	}
	tp := tabular.Template{Sheet: "年度计划", Columns: cols, Labels: [3]string{t("excel.note_column"), t("excel.note_required"), t("excel.note_explain")}, Yes: t("yes")}
	for _, n := range []string{"adopt.note_steps", "adopt.note_review", "excel.note_dates", "excel.note_amounts", "excel.note_limits", "excel.note_all_or_nothing", "excel.note_example"} {
		tp.Notes = append(tp.Notes, t(n))
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="template-plan.xlsx"`)
	return tp.Write(w)
}

// paperNoticeForm reads the paper-notice form of a project page.
func paperNoticeForm(c *call) (projects.PaperNoticeInput, func(), error) {
	r := c.r
	in := projects.PaperNoticeInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Starts: strings.TrimSpace(r.PostFormValue("starts")), Ends: strings.TrimSpace(r.PostFormValue("ends"))}
	if in.Starts == "" || in.Ends == "" {
		return in, func() {}, errs.F(errs.Invalid, "invalid_date", "ends", "give the notice's first and last day")
	}
	for _, pl := range strings.FieldsFunc(r.PostFormValue("places"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		in.Places = append(in.Places, place.Code(pl))
	}
	for i := 1; i <= 3; i++ {
		body := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("objection%d", i)))
		reply := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("reply%d", i)))
		if body == "" && reply == "" {
			continue
		}
		in.Objections = append(in.Objections, workflow.PaperObjection{Body: body, Reply: reply, Upheld: r.PostFormValue(fmt.Sprintf("upheld%d", i)) == "1"})
	}
	photos, done, err := uploads(r, "photo", "other")
	if err != nil {
		return in, done, err
	}
	if len(photos) == 0 {
		return in, done, errs.F(errs.Invalid, "photo_required", "photo", "a notice held on paper is recorded with a photo of the board")
	}
	in.Photo = photos[0]
	return in, done, nil
}

// recordPaperNotice: POST /projects/{code}/paper-notice (multipart).
func (s *Server) recordPaperNotice(w http.ResponseWriter, c *call) error {
	return s.projectForm(w, c, func(p projects.Project) error {
		in, done, err := paperNoticeForm(c)
		defer done()
		if err != nil {
			return err
		}
		n, err := s.d.Projects.RecordPaperNotice(c.r.Context(), c.p, p.Code, in)
		if err == nil {
			c.done = fmt.Sprintf(translate(c.lang, "done.paper_notice"), n.Starts, n.Ends, n.Days())
		}
		return err
	})
}

// The JSON API.

type planStepJSON struct {
	By  string `json:"by"`
	Day string `json:"day"`
}

type planRowJSON struct {
	Row         int            `json:"row"`
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Place       string         `json:"place"`
	Purpose     string         `json:"purpose"`
	PlanYear    int            `json:"plan_year"`
	Budget      Amount         `json:"budget"`
	ApprovalDoc string         `json:"approval_doc"`
	ApprovalDay string         `json:"approval_day"`
	ApprovedBy  string         `json:"approved_by"`
	Steps       []planStepJSON `json:"steps"`
}

type planBatchJSON struct {
	ID        int64         `json:"id"`
	FileName  string        `json:"file_name"`
	Projects  int           `json:"projects"`
	Total     Amount        `json:"total"`
	State     string        `json:"state"`
	CreatedAt time.Time     `json:"created_at"`
	CreatedBy string        `json:"created_by"`
	Item      int64         `json:"review_item"`
	Rows      []planRowJSON `json:"rows"`
}

func toPlanBatchJSON(b projects.PlanBatch) planBatchJSON {
	out := planBatchJSON{ID: b.ID, FileName: b.FileName, Projects: b.Projects, Total: Amount(b.Total), State: b.State, CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy, Item: b.Item.ID, Rows: []planRowJSON{}}
	for _, r := range b.Rows {
		rj := planRowJSON{Row: r.Row, Code: r.Code, Name: r.Name, Place: r.Place, Purpose: r.Purpose, PlanYear: r.PlanYear, Budget: Amount(r.Budget),
			ApprovalDoc: r.ApprovalDoc, ApprovalDay: r.ApprovalDay, ApprovedBy: r.ApprovedBy, Steps: []planStepJSON{}}
		for _, st := range r.Steps {
			rj.Steps = append(rj.Steps, planStepJSON{By: st.By, Day: st.Day})
		}
		out.Rows = append(out.Rows, rj)
	}
	return out
}

type rowsErrorJSON struct {
	Code    string         `json:"code"`
	Field   string         `json:"field"`
	Message string         `json:"message"`
	Params  []string       `json:"params"`
	Rows    []rowErrorJSON `json:"rows"`
	Omitted int            `json:"omitted"`
}

// writeRows answers a refused import with every bad cell; false when err
// is not one.
func writeRows(w http.ResponseWriter, c *call, err error) bool {
	var ie *tabular.ImportError
	if !errors.As(err, &ie) {
		return false
	}
	lang := apiLang(c.r.Header.Get("Accept-Language"))
	out := rowsErrorJSON{Code: "invalid_rows", Field: "file", Message: "the file was not imported", Params: []string{}, Rows: []rowErrorJSON{}, Omitted: ie.Omitted}
	if lang == "zh" {
		out.Message = "文件未导入，没有写入任何数据"
	}
	for _, r := range ie.Rows {
		why := r.Why
		if lang == "zh" {
			why = rowWhyZh(r)
		}
		out.Rows = append(out.Rows, rowErrorJSON{Row: r.Row, Column: r.Column, Why: why})
	}
	writeJSON(w, http.StatusBadRequest, struct {
		Error rowsErrorJSON `json:"error"`
	}{out})
	return true
}

type planAnswer struct {
	Plan planBatchJSON `json:"plan"`
}

// apiImportPlan: POST /api/v1/adopt/{county}/plan?name= — the body is the
// plan's CSV or xlsx.
func (s *Server) apiImportPlan(w http.ResponseWriter, c *call) error {
	if err := projects.MayImportPlan(c.p); err != nil {
		return err
	}
	body, done := importBody(w, c)
	name := c.r.URL.Query().Get("name")
	if name == "" {
		name = "plan"
	}
	b, err := s.d.Projects.ImportPlan(c.r.Context(), c.p, name, body)
	done()
	if err != nil {
		if writeRows(w, c, err) {
			return nil
		}
		return err
	}
	writeJSON(w, http.StatusCreated, planAnswer{toPlanBatchJSON(b)})
	return nil
}

func (s *Server) apiPlanBatch(c *call) (projects.PlanBatch, error) {
	if err := projects.MayImportPlan(c.p); err != nil {
		return projects.PlanBatch{}, err
	}
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return projects.PlanBatch{}, errs.F(errs.NotFound, "not_found", "plan", "no such plan import")
	}
	return s.d.Projects.PlanBatch(c.r.Context(), c.p.County, id)
}

// apiGetPlan: GET /api/v1/adopt/{county}/plan/{id}.
func (s *Server) apiGetPlan(w http.ResponseWriter, c *call) error {
	b, err := s.apiPlanBatch(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, planAnswer{toPlanBatchJSON(b)})
	return nil
}

// apiDecidePlan: POST /api/v1/adopt/{county}/plan/{id}/decide {"action", "opinion"}.
func (s *Server) apiDecidePlan(w http.ResponseWriter, c *call) error {
	b, err := s.apiPlanBatch(c)
	if err != nil {
		return err
	}
	var in struct {
		Action  string `json:"action"`
		Opinion string `json:"opinion"`
	}
	if err := decodeJSON(c.r, &in); err != nil {
		return err
	}
	if in.Action != workflow.Approve && in.Action != workflow.Reject {
		return errs.F(errs.Invalid, "invalid_decision", "action", "decision must be approve, return or reject")
	}
	if b, err = s.d.Projects.DecidePlan(c.r.Context(), c.p, b.ID, workflow.Decision{Action: in.Action, Opinion: in.Opinion}); err != nil {
		if writeRows(w, c, err) {
			return nil
		}
		return err
	}
	writeJSON(w, http.StatusOK, planAnswer{toPlanBatchJSON(b)})
	return nil
}

type paperNoticeJSON struct {
	ID     int64    `json:"id"`
	Item   int64    `json:"item"`
	Title  string   `json:"title"`
	Places []string `json:"places"`
	Starts string   `json:"starts"`
	Ends   string   `json:"ends"`
	Days   int      `json:"days"`
	State  string   `json:"state"`
	Paper  bool     `json:"paper"`
	Photo  int64    `json:"photo_file"`
}

// apiPaperNotice: POST /api/v1/notices/{county}/paper — a project's
// notice held on paper; the board's photo is a file already attached to
// the project (POST …/projects/{county}/{code}/files?kind=other).
func (s *Server) apiPaperNotice(w http.ResponseWriter, c *call) error {
	var in struct {
		Project    string   `json:"project"`
		Title      string   `json:"title"`
		Body       string   `json:"body"`
		Places     []string `json:"places"`
		Starts     string   `json:"starts"`
		Ends       string   `json:"ends"`
		PhotoFile  int64    `json:"photo_file"`
		Objections []struct {
			Kind   string `json:"kind"`
			Body   string `json:"body"`
			Upheld bool   `json:"upheld"`
			Reply  string `json:"reply"`
		} `json:"objections"`
	}
	if err := decodeJSON(c.r, &in); err != nil {
		return err
	}
	p, err := c.libProject(strings.TrimSpace(in.Project))
	if err != nil {
		return err
	}
	pin := projects.PaperNoticeInput{Title: in.Title, Body: in.Body, Starts: strings.TrimSpace(in.Starts), Ends: strings.TrimSpace(in.Ends), PhotoID: in.PhotoFile}
	for _, pl := range in.Places {
		pin.Places = append(pin.Places, place.Code(pl))
	}
	for _, o := range in.Objections {
		pin.Objections = append(pin.Objections, workflow.PaperObjection{Kind: o.Kind, Body: o.Body, Upheld: o.Upheld, Reply: o.Reply})
	}
	n, err := s.d.Projects.RecordPaperNotice(c.r.Context(), c.p, p.Code, pin)
	if err != nil {
		return err
	}
	out := paperNoticeJSON{ID: n.ID, Item: n.Item, Title: n.Title, Places: []string{}, Starts: n.Starts, Ends: n.Ends, Days: n.Days(), State: n.State, Paper: true}
	for _, pl := range n.Places {
		out.Places = append(out.Places, string(pl))
	}
	if _, photo, err := s.d.Workflow.PaperOf(c.r.Context(), s.d.DB, c.p.County, n.ID); err == nil {
		out.Photo = photo
	}
	writeJSON(w, http.StatusCreated, struct {
		Notice paperNoticeJSON `json:"notice"`
	}{out})
	return nil
}

// CanAdoptPlan reports whether the viewer imports the annual plan (the
// library page links to the import).
func (p Page) CanAdoptPlan() bool {
	return p.User != nil && projects.MayImportPlan(*p.User) == nil
}
