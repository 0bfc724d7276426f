package projects

// Adopting onepool mid-year: the county's approved annual plan (项目计划),
// held on paper until now, is imported from a table. The import is a batch
// that waits, frozen, for a second person's approval on the workflow
// engine (kind plan_import); only then are its projects written, each with
// the review steps already taken recorded after the fact
// (workflow.RecordTakenTx) and, when every step was taken, its approval
// document. Until then nothing of it exists: no project can be allocated.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/tabular"
	"onepool/internal/workflow"
)

// PlanKind is the workflow kind of a plan import's review.
const PlanKind = "plan_import"

// MaxPlanSteps is how many review steps a plan row may record.
const MaxPlanSteps = 8

// PlanStep is a step taken on paper.
type PlanStep struct {
	By  string `json:"by"`
	Day string `json:"day"` // YYYY-MM-DD
}

// PlanRow is one checked project of a plan import: exactly what is
// written when the batch is approved.
type PlanRow struct {
	Row            int        `json:"row"`
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	Place          string     `json:"place"`
	Purpose        string     `json:"purpose"`
	Department     string     `json:"department"`
	Collective     bool       `json:"collective"`
	PlanYear       int        `json:"plan_year"`
	Unit           string     `json:"unit"`
	Leader         string     `json:"leader"`
	Team           string     `json:"team"`
	Budget         int64      `json:"budget"`
	LinkMode       string     `json:"link_mode"`
	LinkHouseholds int        `json:"link_households"`
	ApprovalDoc    string     `json:"approval_doc"`
	ApprovalDay    string     `json:"approval_day"`
	ApprovedBy     string     `json:"approved_by"`
	Steps          []PlanStep `json:"steps"`
}

// PlanBatch is an imported plan waiting for (or past) its approval.
type PlanBatch struct {
	County    string
	ID        int64
	FileName  string
	Projects  int
	Total     money.Fen
	State     string // pending, approved, rejected
	CreatedAt time.Time
	CreatedBy string
	Rows      []PlanRow
	Item      workflow.Item
}

// PlanColumns are the columns the plan import reads.
func PlanColumns() []tabular.Column {
	cols := []tabular.Column{
		{Key: "code", Names: []string{"code", "项目编号"}, Required: true},
		{Key: "name", Names: []string{"name", "项目名称"}, Required: true},
		{Key: "place", Names: []string{"place", "实施地点代码"}, Required: true},
		{Key: "purpose", Names: []string{"purpose", "用途"}, Required: true},
		{Key: "department", Names: []string{"department", "主管部门"}},
		{Key: "collective", Names: []string{"collective", "村集体经营"}},
		{Key: "plan_year", Names: []string{"plan_year", "计划年度"}, Required: true},
		{Key: "unit", Names: []string{"unit", "实施单位"}, Required: true},
		{Key: "leader", Names: []string{"leader", "责任领导"}, Required: true},
		{Key: "team", Names: []string{"team", "工作专班"}},
		{Key: "budget", Names: []string{"budget", "预算"}, Required: true},
		{Key: "link_mode", Names: []string{"link_mode", "联农带农方式"}},
		{Key: "link_households", Names: []string{"link_households", "带动户数"}},
		{Key: "approval_doc", Names: []string{"approval_doc", "批复文号"}},
		{Key: "approval_day", Names: []string{"approval_day", "批复日期"}},
		{Key: "approved_by", Names: []string{"approved_by", "批复人"}},
	}
	for i := 1; i <= MaxPlanSteps; i++ {
		cols = append(cols,
			tabular.Column{Key: fmt.Sprintf("step%d_by", i), Names: []string{fmt.Sprintf("step%d_by", i), fmt.Sprintf("第%d步经办人", i)}, Required: i == 1},
			tabular.Column{Key: fmt.Sprintf("step%d_day", i), Names: []string{fmt.Sprintf("step%d_day", i), fmt.Sprintf("第%d步日期", i)}, Required: i == 1})
	}
	return cols
}

var planCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// planChain is the review of a plan import: the importer (the
// rural-revitalization bureau at the county) and the profile's approval
// into the annual plan, taken by another person.
func planChain(prof policy.Profile) []workflow.Step {
	approval := workflow.FromPolicy([]policy.Step{prof.Review.Approval})[0]
	approval.Name = "审核导入的年度计划"
	return []workflow.Step{{Name: "导入年度计划", Role: string(auth.RoleRural), Level: "county"}, approval}
}

// ImportPlan reads the approved annual plan from a CSV or xlsx file,
// checks every row's every cell, and — when all are right — enters the
// batch for review by a second person; nothing is written to the library
// until it is approved. When any cell is wrong nothing is written and
// every bad cell is returned. Only the county's rural-revitalization
// bureau imports. Errors: *tabular.ImportError (Invalid invalid_rows),
// Forbidden, Invalid.
func (s *Service) ImportPlan(ctx context.Context, p auth.Principal, fileName string, r io.Reader) (PlanBatch, error) {
	if err := MayImportPlan(p); err != nil {
		return PlanBatch{}, err
	}
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return PlanBatch{}, err
	}
	rows, err := s.readPlan(ctx, p, prof, r)
	if err != nil {
		return PlanBatch{}, err
	}
	fileName = strings.TrimSpace(fileName)
	if fileName == "" {
		fileName = "plan"
	}
	if r := []rune(fileName); len(r) > 100 {
		fileName = string(r[:100])
	}
	var total money.Fen
	for _, row := range rows {
		total += money.Fen(row.Budget)
	}
	payload, err := json.Marshal(rows)
	if err != nil {
		return PlanBatch{}, errs.Wrap(err, "projects: plan payload")
	}
	var id int64
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM prj_plan_imports WHERE county = ?`, p.County).Scan(&id); err != nil {
			return errs.Wrap(err, "projects: plan id")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO prj_plan_imports (county, id, file_name, projects, total, payload, state, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
			p.County, id, fileName, len(rows), int64(total), string(payload), clock.Micros(tx.Now), p.Username); err != nil {
			return errs.Wrap(err, "projects: plan import")
		}
		if _, err := s.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: PlanKind, Subject: strconv.FormatInt(id, 10),
			Title: fmt.Sprintf("年度计划导入 %s（%d 个项目）", fileName, len(rows)), Place: place.Code(p.County + "000000"), Amount: total,
			Chain: planChain(prof), Opinion: fmt.Sprintf("导入 %d 个已批复项目，预算合计 %s 元", len(rows), total)}); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.plan_import", Object: fmt.Sprintf("plan import %d", id),
			Place: p.County + "000000", After: map[string]any{"file": fileName, "projects": len(rows), "total": total, "state": "pending"}})
		return err
	})
	if err != nil {
		return PlanBatch{}, err
	}
	return s.PlanBatch(ctx, p.County, id)
}

// MayImportPlan reports whether p imports (and reviews imports of) the
// annual plan: the rural-revitalization bureau of the county.
func MayImportPlan(p auth.Principal) error {
	if p.Role != auth.RoleRural || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "the annual plan is imported by the rural-revitalization bureau of the county")
	}
	return nil
}

// readPlan checks every row of a plan file.
func (s *Service) readPlan(ctx context.Context, p auth.Principal, prof policy.Profile, r io.Reader) ([]PlanRow, error) {
	t, err := tabular.NewTable(r, PlanColumns())
	if err != nil {
		return nil, err
	}
	defer t.Close()
	purposes := map[string]bool{}
	for _, c := range prof.Funds.Categories {
		for _, pu := range c.Purposes {
			purposes[pu] = true
		}
	}
	existing := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT code FROM fund_projects WHERE county = ?`, p.County)
	if err != nil {
		return nil, errs.Wrap(err, "projects: codes")
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "projects: codes")
		}
		existing[c] = true
	}
	rows.Close()
	today := clock.Day(s.now())
	firstRow := map[string]int{}
	var out []PlanRow
	for t.Next() {
		if t.Empty() {
			continue
		}
		row := PlanRow{Row: t.Row()}
		row.Code = t.Required("code")
		if row.Code != "" {
			switch {
			case !planCodeRe.MatchString(row.Code):
				t.Fail("code", "code %q must be 1–32 letters, digits, - or _", row.Code)
			case firstRow[row.Code] != 0:
				t.Fail("code", "project %s is on row %d already", row.Code, firstRow[row.Code])
			case existing[row.Code]:
				t.Fail("code", "project %s exists already", row.Code)
			default:
				firstRow[row.Code] = row.Row
			}
		}
		row.Name = t.Required("name")
		if len([]rune(row.Name)) > 200 {
			t.Fail("name", "at most %d characters", 200)
		}
		row.Place = t.Required("place")
		if pl := place.Code(row.Place); row.Place != "" && (!pl.Valid() || !place.Code(p.County+"000000").Contains(pl) || !p.Sees(pl)) {
			t.Fail("place", "place %q is not in county %s", row.Place, p.County)
		}
		row.Purpose = t.Required("purpose")
		if row.Purpose != "" && !purposes[row.Purpose] {
			t.Fail("purpose", "purpose %q is not one of the %s profile's purposes", row.Purpose, prof.ID)
		}
		row.Department = t.Cell("department")
		switch v := t.Cell("collective"); v {
		case "", "否", "no", "false", "0":
		case "是", "yes", "true", "1":
			row.Collective = true
		default:
			t.Fail("collective", "%q is not 是 or 否", v)
		}
		if v := t.Required("plan_year"); v != "" {
			y, err := strconv.Atoi(v)
			if err != nil || y < 2000 || y > 2100 {
				t.Fail("plan_year", "%q is not a year", v)
			}
			row.PlanYear = y
		}
		row.Unit, row.Leader, row.Team = t.Required("unit"), t.Required("leader"), t.Cell("team")
		if v := t.Required("budget"); v != "" {
			f, err := money.ParseWritten(v)
			if err != nil || f <= 0 {
				t.Fail("budget", "%q is not a positive amount in yuan with at most two decimals (write it as %s)", v, money.WrittenForms)
			}
			row.Budget = int64(f)
		}
		row.LinkMode = t.Cell("link_mode")
		if v := t.Cell("link_households"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				t.Fail("link_households", "%q is not a number of households", v)
			}
			row.LinkHouseholds = n
		}
		if row.LinkHouseholds > 0 && row.LinkMode == "" {
			t.Fail("link_mode", "say how the households benefit (联农带农方式)")
		}
		for _, f := range []struct{ key, v string }{{"team", row.Team}, {"unit", row.Unit}, {"leader", row.Leader}, {"link_mode", row.LinkMode}, {"department", row.Department}} {
			if len([]rune(f.v)) > 2000 {
				t.Fail(f.key, "at most %d characters", 2000)
			}
		}
		// The steps taken on paper: the chain's first steps, in order,
		// each with who and when; no gap.
		chain := Chain(prof, money.Fen(row.Budget))
		gap, last := 0, ""
		for i := 1; i <= MaxPlanSteps; i++ {
			byKey, dayKey := fmt.Sprintf("step%d_by", i), fmt.Sprintf("step%d_day", i)
			by, dayCell := t.Cell(byKey), t.Cell(dayKey)
			if by == "" && dayCell == "" {
				if gap == 0 {
					gap = i
				}
				continue
			}
			if i > len(chain) {
				t.Fail(byKey, "the review of this project has %d steps: step %d does not exist", len(chain), i)
				continue
			}
			if gap != 0 {
				t.Fail(byKey, "step %d is recorded but step %d before it is not", i, gap)
				continue
			}
			if by == "" {
				t.Fail(byKey, "is empty")
			} else if len([]rune(by)) > 50 {
				t.Fail(byKey, "at most %d characters", 50)
			}
			d := t.Date(dayKey, true)
			day := ""
			if !d.IsZero() {
				day = clock.Day(d)
				switch {
				case day > today:
					t.Fail(dayKey, "%s is in the future", day)
				case day < last:
					t.Fail(dayKey, "%s is before the step before it (%s)", day, last)
				}
				last = day
			}
			row.Steps = append(row.Steps, PlanStep{By: by, Day: day})
		}
		row.ApprovalDoc, row.ApprovedBy = t.Cell("approval_doc"), t.Cell("approved_by")
		if len([]rune(row.ApprovalDoc)) > 100 || len([]rune(row.ApprovedBy)) > 50 {
			t.Fail("approval_doc", "at most %d characters", 100)
		}
		approvalDay := t.Date("approval_day", false)
		if !approvalDay.IsZero() {
			row.ApprovalDay = clock.Day(approvalDay)
		}
		if len(row.Steps) == len(chain) && len(chain) > 0 {
			// Approved on paper: the approval document is required.
			if row.ApprovalDoc == "" {
				t.Fail("approval_doc", "every step was taken: give the approval document (批复文号)")
			}
			if row.ApprovalDay == "" && t.Cell("approval_day") == "" {
				t.Fail("approval_day", "every step was taken: give the approval date (批复日期)")
			} else if row.ApprovalDay != "" && row.ApprovalDay > today {
				t.Fail("approval_day", "%s is in the future", row.ApprovalDay)
			}
			if row.ApprovedBy == "" {
				row.ApprovedBy = row.Steps[len(row.Steps)-1].By
			}
		} else if row.ApprovalDoc != "" || row.ApprovalDay != "" {
			t.Fail("approval_doc", "only a project whose every step (%d) was taken has an approval document; %d recorded", len(chain), len(row.Steps))
		}
		out = append(out, row)
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	if t.Failed() {
		return nil, t.Invalid()
	}
	return out, nil
}

// DecidePlan takes the review of a plan import: another person than its
// importer approves (or rejects, with reasons) it; the approval writes
// every project of the batch, its steps taken recorded after the fact, in
// the approving transaction — all or nothing (a code taken meanwhile
// refuses the approval and writes nothing). Errors: the workflow's
// (maker_checker, wrong_step_role, …), Conflict (project_exists),
// NotFound.
func (s *Service) DecidePlan(ctx context.Context, p auth.Principal, id int64, d workflow.Decision) (PlanBatch, error) {
	return s.decidePlan(ctx, p, id, d, s.applyPlanTx)
}

type applyFunc func(ctx context.Context, tx *store.Tx, approver auth.Principal, prof policy.Profile, b PlanBatch) error

func (s *Service) decidePlan(ctx context.Context, p auth.Principal, id int64, d workflow.Decision, apply applyFunc) (PlanBatch, error) {
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return PlanBatch{}, err
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		b, err := s.planBatch(ctx, tx, p.County, id)
		if err != nil {
			return err
		}
		it, err := s.wf.DecideTx(ctx, tx, p, p.County, b.Item.ID, d)
		if err != nil {
			return err
		}
		state := ""
		switch it.State {
		case workflow.Approved:
			state = "approved"
			if err := apply(ctx, tx, p, prof, b); err != nil {
				return err
			}
		case workflow.Rejected:
			state = "rejected"
		default:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE prj_plan_imports SET state = ? WHERE county = ? AND id = ?`, state, p.County, id); err != nil {
			return errs.Wrap(err, "projects: plan state")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.plan_" + state, Object: fmt.Sprintf("plan import %d", id),
			Place: p.County + "000000", After: map[string]any{"projects": b.Projects, "total": b.Total, "imported_by": b.CreatedBy, "decided_by": p.Username}})
		return err
	})
	if err != nil {
		return PlanBatch{}, err
	}
	return s.PlanBatch(ctx, p.County, id)
}

// applyPlanTx writes the projects of an approved batch, each through the
// capabilities' own batch paths — funds.CreateProjectsTx (projects,
// accounts, their audit entries), workflow.RecordTakenManyTx (items,
// steps, theirs), funds.SetStatusesTx (statuses, events) — so that the
// rows and audit entries are those of writing the projects one by one
// (the audit entries grouped by kind rather than by project), in a few
// hundred statements instead of about twenty a project.
func (s *Service) applyPlanTx(ctx context.Context, tx *store.Tx, approver auth.Principal, prof policy.Profile, b PlanBatch) error {
	recorder := auth.Principal{Username: b.CreatedBy, DisplayName: b.CreatedBy, Role: auth.RoleRural, Place: place.Code(b.County + "000000"), County: b.County}
	ins := make([]Project, len(b.Rows))
	fps := make([]funds.Project, len(b.Rows))
	for i, row := range b.Rows {
		in := &ins[i]
		in.Code, in.Name, in.Place, in.Purpose, in.Department, in.Collective = row.Code, row.Name, place.Code(row.Place), row.Purpose, row.Department, row.Collective
		in.PlanYear, in.Unit, in.Leader, in.Team, in.Budget = row.PlanYear, row.Unit, row.Leader, row.Team, money.Fen(row.Budget)
		in.LinkMode, in.LinkHouseholds, in.Status = row.LinkMode, row.LinkHouseholds, Reserve
		if err := s.check(in); err != nil {
			return rowErr(row.Row, err)
		}
		fps[i] = in.Project
	}
	created, bad, err := s.f.CreateProjectsTx(ctx, tx, b.CreatedBy, b.County, fps)
	if err != nil {
		return batchErr(b.Rows, bad, err)
	}
	items := make([]workflow.NewItem, len(b.Rows))
	taken := make([][]workflow.Taken, len(b.Rows))
	for i, row := range b.Rows {
		ins[i].Project = created[i]
		taken[i] = make([]workflow.Taken, len(row.Steps))
		for k, st := range row.Steps {
			at, _ := time.ParseInLocation("2006-01-02", st.Day, clock.Zone)
			taken[i][k] = workflow.Taken{By: st.By, At: at.Add(12 * time.Hour)}
		}
		items[i] = workflow.NewItem{Kind: Kind, Subject: ins[i].Code, Title: ins[i].Name, Place: ins[i].Place, Amount: ins[i].Budget, Chain: Chain(prof, ins[i].Budget)}
	}
	if err := s.savePlanTx(ctx, tx, b.County, ins, b.Rows); err != nil {
		return err
	}
	its, bad, err := s.wf.RecordTakenManyTx(ctx, tx, recorder, b.County, items, taken)
	if err != nil {
		return batchErr(b.Rows, bad, err)
	}
	var moves []funds.StatusChange
	for i, row := range b.Rows {
		note := fmt.Sprintf("年度计划导入（第 %d 批，%s 审核通过），已办 %d 步为纸质补录", b.ID, approver.Username, len(taken[i]))
		if row.ApprovalDoc != "" {
			note = fmt.Sprintf("%s；批复文号 %s（%s，%s）", note, row.ApprovalDoc, row.ApprovalDay, row.ApprovedBy)
		}
		if want := wantStatus(its[i]); want != ins[i].Status {
			moves = append(moves, funds.StatusChange{Code: ins[i].Code, From: ins[i].Status, To: want, Note: note})
		}
	}
	if _, err := funds.SetStatusesTx(ctx, tx, approver.Username, b.County, moves); err != nil {
		return err
	}
	return nil
}

// savePlanTx writes what the library adds to the funds' project rows —
// saveTx's columns and the approval document of a project approved on
// paper — for a whole plan, a statement per few hundred projects.
func (s *Service) savePlanTx(ctx context.Context, tx *store.Tx, county string, ins []Project, rows []PlanRow) error {
	types := []string{"TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT"}
	return store.Chunks(len(ins), len(types), func(start, end int) error {
		args := make([]any, 0, len(types)*(end-start)+1)
		for i := start; i < end; i++ {
			in, row := ins[i], rows[i]
			if in.Goals == nil {
				in.Goals = []Goal{}
			}
			goals, _ := json.Marshal(in.Goals)
			doc, day, by := "", "", ""
			if row.ApprovalDoc != "" {
				doc, day, by = row.ApprovalDoc, row.ApprovalDay, row.ApprovedBy
			}
			args = append(args, in.Code, in.PlanYear, in.Unit, in.Leader, in.Team, int64(in.Budget), string(goals), in.LinkMode, in.LinkHouseholds, in.LinkDetail, doc, day, by)
		}
		args = append(args, county)
		res, err := tx.ExecContext(ctx, `UPDATE fund_projects SET plan_year = v.column2, unit = v.column3, leader = v.column4, team = v.column5, budget = v.column6, goals = v.column7,
			link_mode = v.column8, link_households = v.column9, link_detail = v.column10, approval_doc = v.column11, approval_day = v.column12, approved_by = v.column13
			FROM (VALUES `+store.ValuesRows(types, end-start)+`) AS v WHERE fund_projects.county = ? AND fund_projects.code = v.column1`, args...)
		if err != nil {
			return errs.Wrap(err, "projects: save plan")
		}
		if n, _ := res.RowsAffected(); n != int64(end-start) {
			return errs.Wrap(fmt.Errorf("%d of %d projects saved", n, end-start), "projects: save plan")
		}
		return nil
	})
}

// batchErr is the row error of the plan row at index bad (or err itself
// when the refusal is not one row's).
func batchErr(rows []PlanRow, bad int, err error) error {
	if bad < 0 || bad >= len(rows) {
		return err
	}
	return rowErr(rows[bad].Row, err)
}

// rowErr turns a service error into the row error of the plan file.
func rowErr(row int, err error) error {
	e, ok := errs.As(err)
	if !ok || e.Kind == errs.Internal {
		return err
	}
	return tabular.Invalid([]tabular.RowError{{Row: row, Column: e.Field, Why: e.Message, Format: e.Format, Args: e.Args}})
}

// PlanBatch returns a plan import with its rows and review. Errors: NotFound.
func (s *Service) PlanBatch(ctx context.Context, county string, id int64) (PlanBatch, error) {
	return s.planBatch(ctx, s.db, county, id)
}

func (s *Service) planBatch(ctx context.Context, q store.Querier, county string, id int64) (PlanBatch, error) {
	b := PlanBatch{County: county}
	var payload string
	var total, at int64
	err := q.QueryRowContext(ctx, `SELECT id, file_name, projects, total, payload, state, created_at, created_by FROM prj_plan_imports WHERE county = ? AND id = ?`, county, id).
		Scan(&b.ID, &b.FileName, &b.Projects, &total, &payload, &b.State, &at, &b.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return b, errs.F(errs.NotFound, "not_found", "plan", "no plan import %d", id)
	}
	if err != nil {
		return b, errs.Wrap(err, "projects: plan import")
	}
	b.Total, b.CreatedAt = money.Fen(total), clock.FromMicros(at)
	if err := json.Unmarshal([]byte(payload), &b.Rows); err != nil {
		return b, errs.Wrap(err, "projects: plan payload")
	}
	if b.Item, err = s.wf.ItemFor(ctx, q, county, PlanKind, strconv.FormatInt(id, 10)); err != nil {
		return b, err
	}
	return b, nil
}

// PlanBatches lists the county's plan imports, newest first.
func (s *Service) PlanBatches(ctx context.Context, county string, limit int) ([]PlanBatch, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM prj_plan_imports WHERE county = ? ORDER BY id DESC LIMIT ?`, county, limit)
	if err != nil {
		return nil, errs.Wrap(err, "projects: plan imports")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []PlanBatch{}
	for _, id := range ids {
		b, err := s.PlanBatch(ctx, county, id)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Approval is a project's approval document when it was approved on paper.
type Approval struct{ Doc, Day, By string }

// ApprovalOf returns the approval document of a project approved on
// paper (zero when it was approved in onepool).
func (s *Service) ApprovalOf(ctx context.Context, county, code string) (Approval, error) {
	var a Approval
	err := s.db.QueryRowContext(ctx, `SELECT approval_doc, approval_day, approved_by FROM fund_projects WHERE county = ? AND code = ?`, county, code).Scan(&a.Doc, &a.Day, &a.By)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", code)
	}
	if err != nil {
		return a, errs.Wrap(err, "projects: approval")
	}
	return a, nil
}

// PaperNoticeInput is a project notice held on paper.
type PaperNoticeInput struct {
	Title, Body  string
	Places       []place.Code
	Starts, Ends string
	Objections   []workflow.PaperObjection
	// Photo is the board's photo: an upload (checked by content) or,
	// when R is nil, PhotoID, a file already in the project's volume.
	Photo   Upload
	PhotoID int64
}

// RecordPaperNotice records the project's notice that was held on paper:
// the photo goes into the project's volume (it must be an image), and the
// notice satisfies the approval step as an online one that ran its days
// (at least the profile's review.notice_days). Errors: workflow's
// (notice_too_short, notice_not_over, …), Invalid (photo_not_image), and
// volume's.
func (s *Service) RecordPaperNotice(ctx context.Context, p auth.Principal, code string, in PaperNoticeInput) (workflow.Notice, error) {
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return workflow.Notice{}, err
	}
	var out workflow.Notice
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		it, err := s.itemOf(ctx, tx, p, code)
		if err != nil {
			return err
		}
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return err
		}
		photo := in.PhotoID
		if in.Photo.R != nil {
			name := in.Photo.Name
			if name == "" {
				name = "公示照片"
			}
			vf, err := s.vol.PutTx(ctx, tx, p.Username, p.County, Owner(code), "other", name, string(pr.Place), in.Photo.R)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(vf.ContentType, "image/") {
				return errs.F(errs.Invalid, "photo_not_image", "photo", "the photo of the board must be an image (JPEG, PNG, GIF or WebP), not %s", vf.ContentType)
			}
			photo = vf.ID
		} else if photo > 0 {
			vf, err := s.vol.File(ctx, p.County, photo)
			if err != nil || vf.Owner != Owner(code) {
				return errs.F(errs.NotFound, "unknown_file", "photo", "no such file in the project's volume")
			}
			if !strings.HasPrefix(vf.ContentType, "image/") {
				return errs.F(errs.Invalid, "photo_not_image", "photo", "the photo of the board must be an image (JPEG, PNG, GIF or WebP), not %s", vf.ContentType)
			}
		}
		n, it2, err := s.wf.RecordPaperNoticeTx(ctx, tx, p, p.County, it.ID, workflow.PaperNotice{Title: in.Title, Body: in.Body, Places: in.Places,
			Starts: in.Starts, Ends: in.Ends, Photo: photo, Objections: in.Objections, Shown: shownOf(pr)}, prof.Review.NoticeDays)
		if err != nil {
			return err
		}
		out = n
		return s.syncTx(ctx, tx, p.Username, p.County, code, it2, "纸质公示补录 "+n.Starts+" 至 "+n.Ends)
	})
	return out, err
}
