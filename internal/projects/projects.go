// Package projects is the project library and lifecycle (M-10 … M-16):
// a village proposes, the township checks, the county examines — on the one
// workflow engine — a public notice invites objections, and an approved
// project is funded, built, inspected, accepted and handed over, with its
// performance goals, its farmer links (联农带农) and its volume of documents.
// Money follows the project: only approved projects receive allocations
// (funds.Allocate enforces it), and a violation returns the money to the
// pool keeping every channel leg.
package projects

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// The lifecycle, in order (rejected and reclaimed end it early).
const (
	Reserve      = "reserve"      // 项目库
	Proposed     = "proposed"     // 申报审核中
	Returned     = "returned"     // 退回修改
	Reviewed     = "reviewed"     // 审核通过，待公示
	Noticed      = "noticed"      // 公示中
	Approved     = "approved"     // 已批复（纳入年度计划）
	Funded       = "funded"       // 已安排资金
	Construction = "construction" // 在建
	Completed    = "completed"    // 已完工
	Accepted     = "accepted"     // 已验收
	HandedOver   = "handed_over"  // 资产已移交
	Aftercare    = "aftercare"    // 后续管护
	Rejected     = "rejected"     // 未通过
	Reclaimed    = "reclaimed"    // 资金已收回（违规）
)

// Statuses lists every status in lifecycle order.
var Statuses = []string{Reserve, Proposed, Returned, Reviewed, Noticed, Approved, Funded, Construction, Completed, Accepted, HandedOver, Aftercare, Rejected, Reclaimed}

// Kind is the workflow kind of project reviews.
const Kind = "project"

// Goal is a performance goal (绩效目标) set when the project is proposed
// and fixed when it is approved.
type Goal struct {
	Indicator string `json:"indicator"`
	Target    string `json:"target"`
}

// Project is a library project with its plan, people, budget, goals and
// farmer links.
type Project struct {
	funds.Project
	PlanYear       int
	Unit           string // implementing unit (实施单位)
	Leader         string // responsible leader (责任领导)
	Team           string // the working team (工作专班)
	Budget         money.Fen
	Goals          []Goal
	LinkMode       string // how farmers benefit: 务工, 分红, 产业带动, …
	LinkHouseholds int    // how many households benefit
	LinkDetail     string // which households and how
	AssetState     string // after handover: the asset and who keeps it
	Score          int    // post-evaluation score 0–100; -1 none
	ScoreNote      string
	StatusAt       time.Time
}

// Service is the projects capability.
type Service struct {
	db       *store.DB
	f        *funds.Service
	wf       *workflow.Engine
	vol      *volume.Store
	counties *policy.Counties
	now      clock.Clock
}

// New returns the service.
func New(db *store.DB, f *funds.Service, wf *workflow.Engine, vol *volume.Store, counties *policy.Counties, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, f: f, wf: wf, vol: vol, counties: counties, now: now}
}

// Owner is a project's owner key in the volume store.
func Owner(code string) string { return "project:" + code }

func (s *Service) profile(ctx context.Context, county string) (policy.Profile, error) {
	p, _, err := s.counties.Current(ctx, county)
	return p, err
}

// Chain is the review chain of a project of this amount under the
// profile: its steps, an extra county signer above the profile's
// threshold, and the approval into the annual plan, which needs the public
// notice to have run.
func Chain(prof policy.Profile, amount money.Fen) []workflow.Step {
	steps := workflow.FromPolicy(prof.Review.Steps)
	if t := prof.Review.ExtraSignerAbove; t > 0 && amount > t {
		extra := workflow.FromPolicy([]policy.Step{prof.Review.ExtraSigner})[0]
		extra.Name, extra.Extra = fmt.Sprintf("%s（%s元以上）", extra.Name, t), true
		steps = append(steps, extra)
	}
	approval := workflow.FromPolicy([]policy.Step{prof.Review.Approval})[0]
	approval.NoticeBefore = true
	return append(steps, approval)
}

func (s *Service) check(in *Project) error {
	in.Unit, in.Leader, in.Team = strings.TrimSpace(in.Unit), strings.TrimSpace(in.Leader), strings.TrimSpace(in.Team)
	in.LinkMode, in.LinkDetail = strings.TrimSpace(in.LinkMode), strings.TrimSpace(in.LinkDetail)
	if in.PlanYear < 2000 || in.PlanYear > 2100 {
		return errs.F(errs.Invalid, "invalid_year", "plan_year", "the plan year must be a year like 2027")
	}
	if in.Budget <= 0 {
		return errs.F(errs.Invalid, "invalid_amount", "budget", "the budget must be greater than zero")
	}
	if in.Unit == "" {
		return errs.F(errs.Invalid, "invalid_project", "unit", "name the implementing unit (实施单位)")
	}
	if in.Leader == "" {
		return errs.F(errs.Invalid, "invalid_project", "leader", "name the responsible leader (责任领导)")
	}
	if in.LinkHouseholds < 0 {
		return errs.F(errs.Invalid, "invalid_project", "link_households", "the number of households must not be negative")
	}
	if in.LinkHouseholds > 0 && in.LinkMode == "" {
		return errs.F(errs.Invalid, "invalid_project", "link_mode", "say how the households benefit (联农带农方式)")
	}
	for i, g := range in.Goals {
		in.Goals[i].Indicator, in.Goals[i].Target = strings.TrimSpace(g.Indicator), strings.TrimSpace(g.Target)
		if in.Goals[i].Indicator == "" || in.Goals[i].Target == "" {
			return errs.F(errs.Invalid, "invalid_goal", fmt.Sprintf("goals[%d]", i), "each performance goal needs an indicator and a target")
		}
	}
	for _, f := range []struct{ name, v string }{{"team", in.Team}, {"link_detail", in.LinkDetail}} {
		if utf8.RuneCountInString(f.v) > 2000 {
			return errs.F(errs.Invalid, "invalid_project", f.name, "at most 2000 characters")
		}
	}
	return nil
}

// proposers may add projects to the library and propose them.
func mayPropose(p auth.Principal) error {
	switch p.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleRural:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "projects are entered by village cadres, township officers or the rural-revitalization bureau")
}

// Create adds a project to the library (项目库). Errors: Forbidden,
// NotFound (place outside p's subtree), Invalid, Conflict.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Project) (Project, error) {
	if err := mayPropose(p); err != nil {
		return Project{}, err
	}
	if in.Place != "" && !p.Sees(in.Place) {
		return Project{}, auth.NotFound()
	}
	if err := s.check(&in); err != nil {
		return Project{}, err
	}
	in.Status = Reserve
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		fp, err := s.f.CreateProjectTx(ctx, tx, p.Username, p.County, in.Project)
		if err != nil {
			return err
		}
		in.Project = fp
		return s.saveTx(ctx, tx, p.County, in)
	})
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p.County, in.Code)
}

func (s *Service) saveTx(ctx context.Context, tx *store.Tx, county string, in Project) error {
	if in.Goals == nil {
		in.Goals = []Goal{}
	}
	goals, _ := json.Marshal(in.Goals)
	_, err := tx.ExecContext(ctx, `UPDATE fund_projects SET plan_year = ?, unit = ?, leader = ?, team = ?, budget = ?, goals = ?, link_mode = ?, link_households = ?, link_detail = ? WHERE county = ? AND code = ?`,
		in.PlanYear, in.Unit, in.Leader, in.Team, int64(in.Budget), string(goals), in.LinkMode, in.LinkHouseholds, in.LinkDetail, county, in.Code)
	if err != nil {
		return errs.Wrap(err, "projects: save")
	}
	return nil
}

// Update changes a project while it is in the library or returned for
// changes; once proposed its content (and goals) are fixed. Errors:
// RuleBroken (not_editable), and Create's.
func (s *Service) Update(ctx context.Context, p auth.Principal, in Project) (Project, error) {
	cur, err := s.Get(ctx, p.County, in.Code)
	if err != nil {
		return Project{}, err
	}
	if !p.Sees(cur.Place) {
		return Project{}, auth.NotFound()
	}
	if err := mayPropose(p); err != nil {
		return Project{}, err
	}
	if cur.Status != Reserve && cur.Status != Returned {
		return Project{}, errs.F(errs.RuleBroken, "not_editable", "status", "project %s is %s: only library or returned projects are changed", cur.Code, cur.Status)
	}
	if err := s.check(&in); err != nil {
		return Project{}, err
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// What the rules check is read again inside the transaction.
		cur, err := s.get(ctx, tx, p.County, in.Code)
		if err != nil {
			return err
		}
		if cur.Status != Reserve && cur.Status != Returned {
			return errs.F(errs.RuleBroken, "not_editable", "status", "project %s is %s: only library or returned projects are changed", cur.Code, cur.Status)
		}
		if err := s.saveTx(ctx, tx, p.County, in); err != nil {
			return err
		}
		// Whoever changes a project under review is one of its makers:
		// they take none of its steps; a notice it had no longer holds.
		if it, under, err := s.wf.TouchTx(ctx, tx, p.County, Kind, cur.Code, p.Username); err != nil {
			return err
		} else if under && it.NoticeID != 0 {
			if err := s.wf.VoidNoticeTx(ctx, tx, p.Username, p.County, it.ID, "project changed after its notice"); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.update", Object: "project " + cur.Code, Place: string(cur.Place), Before: cur, After: in})
		return err
	})
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p.County, in.Code)
}

const projectCols = `code, name, place, purpose, department, collective, status, created_at, created_by, plan_year, unit, leader, team, budget, goals, link_mode, link_households, link_detail, asset_state, score, score_note, status_at`

func scanProject(county string, sc interface{ Scan(...any) error }) (Project, error) {
	var p Project
	p.County = county
	var pl, goals string
	var coll int
	var at, budget, statusAt int64
	if err := sc.Scan(&p.Code, &p.Name, &pl, &p.Purpose, &p.Department, &coll, &p.Status, &at, &p.CreatedBy, &p.PlanYear, &p.Unit, &p.Leader, &p.Team, &budget, &goals,
		&p.LinkMode, &p.LinkHouseholds, &p.LinkDetail, &p.AssetState, &p.Score, &p.ScoreNote, &statusAt); err != nil {
		return p, err
	}
	p.Place, p.Collective, p.CreatedAt, p.Budget = place.Code(pl), coll != 0, clock.FromMicros(at), money.Fen(budget)
	if statusAt > 0 {
		p.StatusAt = clock.FromMicros(statusAt)
	}
	_ = json.Unmarshal([]byte(goals), &p.Goals)
	return p, nil
}

// Get returns a project (callers check the place). Errors: NotFound.
func (s *Service) Get(ctx context.Context, county, code string) (Project, error) {
	return s.get(ctx, s.db, county, code)
}

func (s *Service) get(ctx context.Context, q store.Querier, county, code string) (Project, error) {
	p, err := scanProject(county, q.QueryRowContext(ctx, `SELECT `+projectCols+` FROM fund_projects WHERE county = ? AND code = ?`, county, code))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", code)
	}
	if err != nil {
		return p, errs.Wrap(err, "projects: get")
	}
	return p, nil
}

// Filter narrows the library.
type Filter struct {
	Prefix   string // place subtree (a village, a township)
	Status   string
	PlanYear int
	Query    string // in the name or code
	Limit    int
	Offset   int
}

// Library lists projects by filter, newest plan year first then code, and
// how many match in all.
func (s *Service) Library(ctx context.Context, county string, f Filter) ([]Project, int, error) {
	lo, hi := place.Range(f.Prefix)
	where := ` WHERE county = ? AND place BETWEEN ? AND ?`
	args := []any{county, lo, hi}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.PlanYear != 0 {
		where += ` AND plan_year = ?`
		args = append(args, f.PlanYear)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND (name LIKE ? OR code LIKE ?)`
		args = append(args, "%"+q+"%", q+"%")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fund_projects`+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "projects: count")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+projectCols+` FROM fund_projects`+where+` ORDER BY plan_year DESC, code LIMIT ? OFFSET ?`, append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "projects: library")
	}
	defer rows.Close()
	var out []Project
	for rows.Next() {
		p, err := scanProject(county, rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// syncTx sets the project's status from its review item's state.
func (s *Service) syncTx(ctx context.Context, tx *store.Tx, actor, county, code string, it workflow.Item, note string) error {
	want := wantStatus(it)
	p, err := s.get(ctx, tx, county, code)
	if err != nil {
		return err
	}
	if p.Status == want {
		return nil
	}
	return funds.SetStatusTx(ctx, tx, actor, county, code, p.Status, want, note)
}

// wantStatus is the project status that follows its review item's state.
func wantStatus(it workflow.Item) string {
	want := Proposed
	switch it.State {
	case workflow.Approved:
		want = Approved
	case workflow.Rejected:
		want = Rejected
	case workflow.Returned:
		want = Returned
	default:
		if cur, ok := it.Current(); ok && cur.NoticeBefore {
			want = Reviewed
			if it.NoticeID != 0 {
				want = Noticed
			}
		}
	}
	return want
}

// Submit proposes a library project (or resubmits a returned one): its
// maker takes the chain's first step and the project waits for the
// township. Errors: RuleBroken (not_editable), Forbidden, NotFound.
func (s *Service) Submit(ctx context.Context, p auth.Principal, code, opinion string) (workflow.Item, error) {
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return workflow.Item{}, err
	}
	var out workflow.Item
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return err
		}
		if !p.Sees(pr.Place) {
			return auth.NotFound()
		}
		switch pr.Status {
		case Reserve:
			out, err = s.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: Kind, Subject: pr.Code, Title: pr.Name, Place: pr.Place, Amount: pr.Budget,
				Chain: Chain(prof, pr.Budget), Opinion: opinion})
		case Returned:
			var it workflow.Item
			if it, err = s.wf.ItemFor(ctx, tx, p.County, Kind, code); err == nil {
				out, err = s.wf.DecideTx(ctx, tx, p, p.County, it.ID, workflow.Decision{Action: workflow.Submit, Opinion: opinion})
			}
		default:
			return errs.F(errs.RuleBroken, "not_editable", "status", "project %s is %s: only library or returned projects are proposed", code, pr.Status)
		}
		if err != nil {
			return err
		}
		return s.syncTx(ctx, tx, p.Username, p.County, code, out, "提交申报")
	})
	return out, err
}

// Decide takes the current review step of a project; files attached to
// the decision (a review opinion, a site photo) go into the project's
// volume in the same transaction and are named in the step's record.
func (s *Service) Decide(ctx context.Context, p auth.Principal, code string, d workflow.Decision, files ...Upload) (workflow.Item, error) {
	var out workflow.Item
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		it, err := s.itemOf(ctx, tx, p, code)
		if err != nil {
			return err
		}
		d.Attachments = nil
		for _, f := range files {
			kind := f.Kind
			if kind == "" {
				kind = "other"
			}
			vf, err := s.vol.PutTx(ctx, tx, p.Username, p.County, Owner(code), kind, f.Name, string(it.Place), f.R)
			if err != nil {
				return err
			}
			d.Attachments = append(d.Attachments, vf.ID)
		}
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return err
		}
		d.Shown = shownOf(pr)
		if out, err = s.wf.DecideTx(ctx, tx, p, p.County, it.ID, d); err != nil {
			return err
		}
		return s.syncTx(ctx, tx, p.Username, p.County, code, out, d.Opinion)
	})
	return out, err
}

// shownOf is the digest of what a project's notice shows (its name,
// place, budget and plan year): a change after the notice voids it.
func shownOf(p Project) string {
	return fmt.Sprintf("name=%s;place=%s;budget=%d;year=%d", p.Name, p.Place, int64(p.Budget), p.PlanYear)
}

func (s *Service) itemOf(ctx context.Context, tx *store.Tx, p auth.Principal, code string) (workflow.Item, error) {
	pr, err := s.get(ctx, tx, p.County, code)
	if err != nil {
		return workflow.Item{}, err
	}
	if !p.Sees(pr.Place) {
		return workflow.Item{}, auth.NotFound()
	}
	return s.wf.ItemFor(ctx, tx, p.County, Kind, code)
}

// OpenNotice posts the project's public notice (at least the profile's
// review.notice_days days). Errors: RuleBroken (notice_too_short, …).
func (s *Service) OpenNotice(ctx context.Context, p auth.Principal, code string, in workflow.NoticeInput) (workflow.Notice, error) {
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
		in.Shown = shownOf(pr)
		if out, err = s.wf.OpenNoticeTx(ctx, tx, p, p.County, it.ID, in, prof.Review.NoticeDays); err != nil {
			return err
		}
		if it, err = s.wf.ItemFor(ctx, tx, p.County, Kind, code); err != nil {
			return err
		}
		return s.syncTx(ctx, tx, p.Username, p.County, code, it, "公示 "+out.Starts+" 至 "+out.Ends)
	})
	return out, err
}

// Answer answers an objection to a project's notice; upheld, the project
// returns to its proposer.
func (s *Service) Answer(ctx context.Context, p auth.Principal, objection int64, upheld bool, reply string) (workflow.Objection, error) {
	var out workflow.Objection
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		o, it, err := s.wf.AnswerTx(ctx, tx, p, p.County, objection, upheld, reply)
		if err != nil {
			return err
		}
		out = o
		if it.Kind != Kind {
			return nil
		}
		return s.syncTx(ctx, tx, p.Username, p.County, it.Subject, it, "异议处理："+reply)
	})
	return out, err
}

// Freeze freezes or thaws a project's review while it is audited.
func (s *Service) Freeze(ctx context.Context, p auth.Principal, code string, frozen bool, reason string) (workflow.Item, error) {
	var out workflow.Item
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		it, err := s.itemOf(ctx, tx, p, code)
		if err != nil {
			return err
		}
		out, err = s.wf.FreezeTx(ctx, tx, p, p.County, it.ID, frozen, reason)
		return err
	})
	return out, err
}

// Upload is a file handed in with a step.
type Upload struct {
	Kind, Name string
	R          io.Reader
}

// Attach adds documents to a project's volume (一项目一册), in one
// transaction. Staff who see the project and may write (not auditors,
// not the public) attach. Errors: volume's (file_too_large, type_mismatch,
// executable_content, …), Forbidden, NotFound.
func (s *Service) Attach(ctx context.Context, p auth.Principal, code string, files []Upload) ([]volume.File, error) {
	pr, err := s.Get(ctx, p.County, code)
	if err != nil {
		return nil, err
	}
	if !p.Sees(pr.Place) {
		return nil, auth.NotFound()
	}
	if p.Role == auth.RoleAuditor || p.Role == auth.RoleAdmin {
		return nil, errs.F(errs.Forbidden, "forbidden", "", "your role (%s) does not add documents to a project", p.Role)
	}
	var out []volume.File
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		out = out[:0]
		for _, f := range files {
			vf, err := s.vol.PutTx(ctx, tx, p.Username, p.County, Owner(code), f.Kind, f.Name, string(pr.Place), f.R)
			if err != nil {
				return err
			}
			out = append(out, vf)
		}
		return nil
	})
	return out, err
}
