package assets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// DisposalKind is the workflow engine's item kind of a disposal.
const DisposalKind = "asset_disposal"

// The kinds of disposal (处置方式).
var DisposalKinds = []string{"auction", "transfer", "change_use", "suspend", "loss", "scrap"} // 拍卖 转让 转产 报停 报损 报废

// ProceedsAccount is the external account disposal proceeds come from
// (the buyer / 处置收入), opened on first use.
const ProceedsAccount = "ext:asset-proceeds"

// Disposal is a disposal request and its outcome.
type Disposal struct {
	ID         int64
	Asset      int64
	Kind       string
	Reason     string
	Resolution string // the villagers' congress resolution
	Minutes    int64  // volume file id of its minutes
	Proceeds   money.Fen
	Item       int64 // the workflow item
	State      string
	Transfer   int64
	CreatedBy  string
	CreatedAt  time.Time
	DecidedBy  string
	DecidedAt  time.Time
}

// DisposalRequest is what a request takes: the kind, the reason, the
// congress resolution and its minutes (a file), the proceeds if known.
type DisposalRequest struct {
	Kind, Reason, Resolution string
	Minutes                  *Upload
	Proceeds                 money.Fen
}

// RequestDisposal enters a disposal: the village cadre who records the
// villagers' congress resolution, with its minutes attached, takes step 0
// of the county's disposal chain (policy assets.disposal_chain) on the
// workflow engine; its last step needs a public notice first. The asset
// becomes disposing. Errors: Invalid (invalid_disposal, minutes_required,
// invalid_amount), NotFound, RuleBroken (asset_disposed,
// disposal_pending, no_collective), Forbidden (those of the chain's step
// 0: a village cadre of the asset's village).
func (s *Service) RequestDisposal(ctx context.Context, p auth.Principal, id int64, r DisposalRequest) (Disposal, error) {
	if err := mayWrite(p); err != nil {
		return Disposal{}, err
	}
	d := s.deps()
	if d.wf == nil || d.pc == nil || d.vol == nil {
		return Disposal{}, errs.F(errs.Unavailable, "no_workflow", "", "disposals are not available here")
	}
	if !slices.Contains(DisposalKinds, r.Kind) {
		return Disposal{}, errs.F(errs.Invalid, "invalid_disposal", "kind", "the kind of disposal must be one of %s", strings.Join(DisposalKinds, ", "))
	}
	if err := CheckText(&r.Reason, true, "reason"); err != nil {
		return Disposal{}, err
	}
	if err := CheckText(&r.Resolution, true, "resolution"); err != nil {
		return Disposal{}, err
	}
	if r.Minutes == nil || r.Minutes.Body == nil {
		return Disposal{}, errs.F(errs.Invalid, "minutes_required", "minutes", "attach the minutes of the villagers' congress that resolved the disposal")
	}
	if r.Proceeds < 0 {
		return Disposal{}, errs.F(errs.Invalid, "invalid_amount", "proceeds", "the proceeds cannot be negative")
	}
	prof, _, err := d.pc.Current(ctx, p.County)
	if err != nil {
		return Disposal{}, err
	}
	chain := workflow.FromPolicy(prof.DisposalSteps())
	chain[len(chain)-1].NoticeBefore = true
	var out Disposal
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.liveTx(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if a.Status == Disposing {
			return errs.F(errs.RuleBroken, "disposal_pending", "id", "asset %s already has a disposal under review", a.Code)
		}
		if r.Proceeds > 0 {
			if _, _, ok, err := entities.CollectiveOfTx(ctx, tx, p.County, a.Place); err != nil || !ok {
				return errs.F(errs.RuleBroken, "no_collective", "proceeds", "village %s has no village collective economic organization registered: register it among the entities first", a.Place)
			}
		}
		f, err := d.vol.PutTx(ctx, tx, p.Username, p.County, VolumeOwner(id), "minutes", r.Minutes.Name, string(a.Place), r.Minutes.Body)
		if err != nil {
			return err
		}
		var did int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_disposals WHERE county = ?`, p.County).Scan(&did); err != nil {
			return errs.Wrap(err, "assets: disposal id")
		}
		it, err := d.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: DisposalKind, Subject: fmt.Sprint(did),
			Title: fmt.Sprintf("资产处置：%s %s", a.Code, a.Name), Place: a.Place, Amount: r.Proceeds, Chain: chain, Opinion: r.Resolution, Attachments: []int64{f.ID}})
		if err != nil {
			return err
		}
		now := s.now()
		out = Disposal{ID: did, Asset: id, Kind: r.Kind, Reason: r.Reason, Resolution: r.Resolution, Minutes: f.ID, Proceeds: r.Proceeds, Item: it.ID, State: "pending",
			CreatedBy: p.Username, CreatedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_disposals (county, id, asset, kind, reason, resolution, minutes, proceeds, item, state, transfer, created_at, created_by, decided_at, decided_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, 0, '')`, p.County, did, id, r.Kind, r.Reason, r.Resolution, f.ID, r.Proceeds, it.ID, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: disposal")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET status = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, Disposing, now.UnixMicro(), p.Username, p.County, id); err != nil {
			return errs.Wrap(err, "assets: disposing")
		}
		return AddEventTx(ctx, tx, p, a, "disposal_requested", map[string]string{"disposal": fmt.Sprint(did), "kind": r.Kind, "reason": r.Reason,
			"resolution": r.Resolution, "proceeds": r.Proceeds.Plain()}, now)
	})
	return out, err
}

const disposalCols = `id, asset, kind, reason, resolution, minutes, proceeds, item, state, transfer, created_by, created_at, decided_by, decided_at`

func scanDisposal(sc interface{ Scan(...any) error }) (Disposal, error) {
	var d Disposal
	var cr, de int64
	err := sc.Scan(&d.ID, &d.Asset, &d.Kind, &d.Reason, &d.Resolution, &d.Minutes, &d.Proceeds, &d.Item, &d.State, &d.Transfer, &d.CreatedBy, &cr, &d.DecidedBy, &de)
	d.CreatedAt = time.UnixMicro(cr)
	if de != 0 {
		d.DecidedAt = time.UnixMicro(de)
	}
	return d, err
}

// DisposalTx reads a disposal whose asset p sees.
func (s *Service) DisposalTx(ctx context.Context, q store.Querier, p auth.Principal, did int64) (Disposal, Asset, error) {
	d, err := scanDisposal(q.QueryRowContext(ctx, `SELECT `+disposalCols+` FROM as_disposals WHERE county = ? AND id = ?`, p.County, did))
	if errors.Is(err, sql.ErrNoRows) {
		return Disposal{}, Asset{}, errs.F(errs.NotFound, "unknown_disposal", "id", "no such disposal")
	}
	if err != nil {
		return Disposal{}, Asset{}, errs.Wrap(err, "assets: disposal")
	}
	a, err := s.GetTx(ctx, q, p, d.Asset)
	if err != nil {
		return Disposal{}, Asset{}, errs.F(errs.NotFound, "unknown_disposal", "id", "no such disposal")
	}
	return d, a, nil
}

// Disposals lists an asset's disposals, the latest first.
func (s *Service) Disposals(ctx context.Context, p auth.Principal, id int64) ([]Disposal, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+disposalCols+` FROM as_disposals WHERE county = ? AND asset = ? ORDER BY id DESC`, p.County, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: disposals")
	}
	defer rows.Close()
	out := []Disposal{}
	for rows.Next() {
		d, err := scanDisposal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DisposalNotice posts the public notice of a disposal waiting at its
// last step, for at least the profile's review.notice_days. Errors: those
// of workflow.OpenNoticeTx.
func (s *Service) DisposalNotice(ctx context.Context, p auth.Principal, did int64, starts, ends string) (workflow.Notice, error) {
	d := s.deps()
	if d.wf == nil || d.pc == nil {
		return workflow.Notice{}, errs.F(errs.Unavailable, "no_workflow", "", "disposals are not available here")
	}
	prof, _, err := d.pc.Current(ctx, p.County)
	if err != nil {
		return workflow.Notice{}, err
	}
	var n workflow.Notice
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		dp, a, err := s.DisposalTx(ctx, tx, p, did)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("经村民代表大会决议（%s），拟对%s“%s”（资产编号 %s，位于%s，原值 %s 元）进行处置：%s。处置理由：%s。",
			dp.Resolution, typeZh[a.Type], a.Name, a.Code, a.Location, a.Value, kindZh[dp.Kind], dp.Reason)
		if dp.Proceeds > 0 {
			body += fmt.Sprintf("处置收入 %s 元全部归还村集体。", dp.Proceeds)
		}
		body += "公示期间如有异议，请向乡镇或县乡村振兴局反映。"
		n, err = d.wf.OpenNoticeTx(ctx, tx, p, p.County, dp.Item, workflow.NoticeInput{Title: fmt.Sprintf("关于%s处置的公示", a.Name), Body: body,
			Starts: starts, Ends: ends, Shown: disposalShown(dp)}, prof.Review.NoticeDays)
		return err
	})
	return n, err
}

var typeZh = map[string]string{Operating: "经营性资产", PublicWelfare: "公益性资产", Household: "到户类资产"}
var kindZh = map[string]string{"auction": "拍卖", "transfer": "转让", "change_use": "转产", "suspend": "报停", "loss": "报损", "scrap": "报废"}

// disposalShown is the digest a disposal's notice freezes: the kind and
// the proceeds.
func disposalShown(d Disposal) string { return fmt.Sprintf("%s|%d", d.Kind, d.Proceeds) }

// DisposalDecision is a decision on a disposal's current step.
type DisposalDecision struct {
	Action  string // approve, return, reject, submit
	ToStep  int
	Opinion string
}

// DecideDisposal takes the current step of a disposal on the workflow
// engine (the requester never takes a later step: maker–checker). On the
// final approval, in the approving transaction: the asset becomes
// disposed (out of the register, its history kept) and the proceeds, if
// any, are posted from ProceedsAccount to the village collective's
// account (kind asset_proceeds), split over the asset's legs with
// money.Split — the collective and the legs read again then. A rejection
// puts the asset back as it was. Errors: those of workflow.DecideTx,
// NotFound (unknown_disposal), RuleBroken (disposal_decided,
// no_collective).
func (s *Service) DecideDisposal(ctx context.Context, p auth.Principal, did int64, dd DisposalDecision) (Disposal, error) {
	d := s.deps()
	if d.wf == nil {
		return Disposal{}, errs.F(errs.Unavailable, "no_workflow", "", "disposals are not available here")
	}
	if !slices.Contains([]string{workflow.Approve, workflow.Return, workflow.Reject, workflow.Submit}, dd.Action) {
		return Disposal{}, errs.F(errs.Invalid, "invalid_decision", "action", "decision must be approve, return or reject, got %q", dd.Action)
	}
	var out Disposal
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		dp, a, err := s.DisposalTx(ctx, tx, p, did)
		if err != nil {
			return err
		}
		if dp.State != "pending" {
			return errs.F(errs.RuleBroken, "disposal_decided", "id", "disposal %d is %s", dp.ID, dp.State)
		}
		it, err := d.wf.DecideTx(ctx, tx, p, p.County, dp.Item, workflow.Decision{Action: dd.Action, ToStep: dd.ToStep, Opinion: dd.Opinion, Shown: disposalShown(dp)})
		if err != nil {
			return err
		}
		now := s.now()
		switch it.State {
		case workflow.Approved:
			if dp.Proceeds > 0 {
				if dp.Transfer, err = s.postProceedsTx(ctx, tx, p, a, dp); err != nil {
					return err
				}
			}
			dp.State = "approved"
			if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET status = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, Disposed, now.UnixMicro(), p.Username, p.County, a.ID); err != nil {
				return errs.Wrap(err, "assets: disposed")
			}
			if err := AddEventTx(ctx, tx, p, a, "disposed", map[string]string{"disposal": fmt.Sprint(dp.ID), "kind": dp.Kind, "proceeds": dp.Proceeds.Plain(),
				"transfer": fmt.Sprint(dp.Transfer), "maker": dp.CreatedBy}, now); err != nil {
				return err
			}
		case workflow.Rejected:
			dp.State = "rejected"
			back := Registered
			if a.ConfirmDoc != "" {
				back = Confirmed
			}
			if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET status = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, back, now.UnixMicro(), p.Username, p.County, a.ID); err != nil {
				return errs.Wrap(err, "assets: rejected")
			}
			if err := AddEventTx(ctx, tx, p, a, "disposal_rejected", map[string]string{"disposal": fmt.Sprint(dp.ID), "opinion": dd.Opinion}, now); err != nil {
				return err
			}
		default:
			out = dp
			return nil
		}
		dp.DecidedBy, dp.DecidedAt = p.Username, now
		if _, err := tx.ExecContext(ctx, `UPDATE as_disposals SET state = ?, transfer = ?, decided_at = ?, decided_by = ? WHERE county = ? AND id = ?`,
			dp.State, dp.Transfer, now.UnixMicro(), p.Username, p.County, dp.ID); err != nil {
			return errs.Wrap(err, "assets: disposal")
		}
		out = dp
		return nil
	})
	return out, err
}

// postProceedsTx posts a disposal's proceeds to the collective of the
// asset's village, split pro rata over the asset's legs.
func (s *Service) postProceedsTx(ctx context.Context, tx *store.Tx, p auth.Principal, a Asset, dp Disposal) (int64, error) {
	_, acct, ok, err := entities.CollectiveOfTx(ctx, tx, p.County, a.Place)
	if err != nil {
		return 0, errs.Wrap(err, "assets: collective")
	}
	if !ok || acct == "" {
		return 0, errs.F(errs.RuleBroken, "no_collective", "proceeds", "village %s has no village collective economic organization registered: register it among the entities first", a.Place)
	}
	legs, err := legsTx(ctx, tx, p.County, a.ID)
	if err != nil {
		return 0, err
	}
	ws := make([]money.Fen, len(legs))
	for i, l := range legs {
		ws[i] = l.Amount
	}
	parts, err := money.SplitFen(dp.Proceeds, ws)
	if err != nil || len(legs) == 0 {
		return 0, errs.F(errs.RuleBroken, "no_legs", "proceeds", "asset %s has no channel legs to return its proceeds on", a.Code)
	}
	var out []ledger.Leg
	var sum money.Fen
	for i, l := range legs {
		if parts[i] > 0 {
			out = append(out, ledger.Leg{Channel: l.Channel, Amount: parts[i]})
			sum += parts[i]
		}
	}
	if sum != dp.Proceeds {
		return 0, errs.F(errs.Internal, "split_mismatch", "proceeds", "the proceeds' legs sum to %s, not %s", sum, dp.Proceeds)
	}
	if _, err := s.l.AccountTx(ctx, tx, p.County, ProceedsAccount); err != nil {
		if errs.KindOf(err) != errs.NotFound {
			return 0, err
		}
		if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{{Code: ProceedsAccount, Kind: ledger.External, Name: "资产处置收入（买受方）",
			Place: a.Place.County()}}); err != nil {
			return 0, err
		}
	}
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{{Key: fmt.Sprintf("asset-proceeds:%s:%d", p.County, dp.ID), Kind: "asset_proceeds",
		From: ProceedsAccount, To: acct, Legs: out, Memo: fmt.Sprintf("资产 %s %s 处置收入归还村集体（处置 %d，申请 %s，批准 %s）", a.Code, a.Name, dp.ID, dp.CreatedBy, p.Username)}})
	if err != nil {
		return 0, err
	}
	return ts[0].ID, nil
}
