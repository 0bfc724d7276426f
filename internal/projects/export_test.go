package projects

import (
	"context"
	"fmt"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// DecidePlanOneByOne is DecidePlan writing the projects one after the
// other through the capabilities' one-row paths, as it did before the
// batch paths: the reference the batch must equal.
func (s *Service) DecidePlanOneByOne(ctx context.Context, p auth.Principal, id int64, d workflow.Decision) (PlanBatch, error) {
	return s.decidePlan(ctx, p, id, d, s.applyPlanOneByOneTx)
}

func (s *Service) applyPlanOneByOneTx(ctx context.Context, tx *store.Tx, approver auth.Principal, prof policy.Profile, b PlanBatch) error {
	recorder := auth.Principal{Username: b.CreatedBy, DisplayName: b.CreatedBy, Role: auth.RoleRural, Place: place.Code(b.County + "000000"), County: b.County}
	for _, row := range b.Rows {
		var in Project
		in.Code, in.Name, in.Place, in.Purpose, in.Department, in.Collective = row.Code, row.Name, place.Code(row.Place), row.Purpose, row.Department, row.Collective
		in.PlanYear, in.Unit, in.Leader, in.Team, in.Budget = row.PlanYear, row.Unit, row.Leader, row.Team, money.Fen(row.Budget)
		in.LinkMode, in.LinkHouseholds, in.Status = row.LinkMode, row.LinkHouseholds, Reserve
		if err := s.check(&in); err != nil {
			return rowErr(row.Row, err)
		}
		fp, err := s.f.CreateProjectTx(ctx, tx, b.CreatedBy, b.County, in.Project)
		if err != nil {
			return rowErr(row.Row, err)
		}
		in.Project = fp
		if err := s.saveTx(ctx, tx, b.County, in); err != nil {
			return err
		}
		taken := make([]workflow.Taken, len(row.Steps))
		for i, st := range row.Steps {
			at, _ := time.ParseInLocation("2006-01-02", st.Day, clock.Zone)
			taken[i] = workflow.Taken{By: st.By, At: at.Add(12 * time.Hour)}
		}
		it, err := s.wf.RecordTakenTx(ctx, tx, recorder, b.County, workflow.NewItem{Kind: Kind, Subject: in.Code, Title: in.Name, Place: in.Place, Amount: in.Budget,
			Chain: Chain(prof, in.Budget)}, taken)
		if err != nil {
			return rowErr(row.Row, err)
		}
		note := fmt.Sprintf("年度计划导入（第 %d 批，%s 审核通过），已办 %d 步为纸质补录", b.ID, approver.Username, len(taken))
		if row.ApprovalDoc != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE fund_projects SET approval_doc = ?, approval_day = ?, approved_by = ? WHERE county = ? AND code = ?`,
				row.ApprovalDoc, row.ApprovalDay, row.ApprovedBy, b.County, in.Code); err != nil {
				return errs.Wrap(err, "projects: approval document")
			}
			note = fmt.Sprintf("%s；批复文号 %s（%s，%s）", note, row.ApprovalDoc, row.ApprovalDay, row.ApprovedBy)
		}
		if err := s.syncTx(ctx, tx, approver.Username, b.County, in.Code, it, note); err != nil {
			return err
		}
	}
	return nil
}
