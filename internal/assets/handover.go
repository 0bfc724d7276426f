package assets

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// Upload is a document given with a record: its name and its content
// (already received: a parsed form's file).
type Upload struct {
	Name string
	Body io.Reader
}

// Handover is one handover of an asset (资产移交): the implementing unit
// that handed it over, who received it, when, the documents.
type Handover struct {
	Seq       int
	From, To  string
	Day       string // YYYY-MM-DD
	DocNo     string // 移交文件 文号
	Note      string
	Files     []int64 // volume file ids
	CreatedBy string
	CreatedAt time.Time
	// ProjectHandedOver: the project was accepted and is now handed_over.
	ProjectHandedOver bool
}

// VolumeOwner is the volume owner of an asset's documents.
func VolumeOwner(id int64) string { return fmt.Sprintf("asset:%d", id) }

func checkDay(v *string, field string, required bool) error {
	*v = strings.TrimSpace(*v)
	if *v == "" && !required {
		return nil
	}
	if _, err := time.ParseInLocation("2006-01-02", *v, clock.Zone); err != nil {
		return errs.F(errs.Invalid, "invalid_date", field, "%s %q is not a date YYYY-MM-DD", field, *v)
	}
	return nil
}

// RecordHandover records a handover with its documents (a 文号, uploaded
// files, or both), in one transaction with its event. When the asset's
// project is accepted, the project is then marked handed_over through the
// projects capability (after this transaction commits: the handover stands
// even if the project's transition is refused, and the answer says
// whether it moved). Errors: Invalid (invalid_asset, invalid_date,
// handover_doc_required), NotFound, RuleBroken (asset_disposed),
// Forbidden.
func (s *Service) RecordHandover(ctx context.Context, p auth.Principal, id int64, h Handover, files []Upload) (Handover, error) {
	if err := mayWrite(p); err != nil {
		return Handover{}, err
	}
	for _, f := range []struct {
		v     *string
		field string
		req   bool
	}{{&h.From, "from_unit", true}, {&h.To, "to_unit", true}, {&h.DocNo, "doc_no", false}, {&h.Note, "note", false}} {
		if err := CheckText(f.v, f.req, f.field); err != nil {
			return Handover{}, err
		}
	}
	if err := checkDay(&h.Day, "day", true); err != nil {
		return Handover{}, err
	}
	if h.DocNo == "" && len(files) == 0 {
		return Handover{}, errs.F(errs.Invalid, "handover_doc_required", "doc_no", "a handover names its document (文号) or attaches it")
	}
	if len(files) > 0 && s.deps().vol == nil {
		return Handover{}, errs.F(errs.Unavailable, "no_volume", "files", "documents cannot be stored here")
	}
	var a Asset
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		if a, err = s.liveTx(ctx, tx, p, id); err != nil {
			return err
		}
		h.Files = nil
		for _, f := range files {
			vf, err := s.deps().vol.PutTx(ctx, tx, p.Username, p.County, VolumeOwner(id), "acceptance", f.Name, string(a.Place), f.Body)
			if err != nil {
				return err
			}
			h.Files = append(h.Files, vf.ID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM as_handovers WHERE county = ? AND asset = ?`, p.County, id).Scan(&h.Seq); err != nil {
			return errs.Wrap(err, "assets: handover seq")
		}
		now := s.now()
		h.CreatedBy, h.CreatedAt = p.Username, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_handovers (county, asset, seq, from_unit, to_unit, on_day, doc_no, files, note, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.County, id, h.Seq, h.From, h.To, h.Day, h.DocNo, joinIDs(h.Files), h.Note, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: handover")
		}
		return AddEventTx(ctx, tx, p, a, "handed_over", map[string]string{"from": h.From, "to": h.To, "day": h.Day, "doc": h.DocNo, "files": joinIDs(h.Files)}, now)
	})
	if err != nil {
		return Handover{}, err
	}
	if a.Project != "" && s.deps().handOver != nil {
		var st string
		_ = s.db.QueryRowContext(ctx, `SELECT status FROM fund_projects WHERE county = ? AND code = ?`, p.County, a.Project).Scan(&st)
		if st == "accepted" {
			note := fmt.Sprintf("资产 %s %s 已由%s移交%s（%s）", a.Code, a.Name, h.From, h.To, h.Day)
			if h.DocNo != "" {
				note += "，文号 " + h.DocNo
			}
			h.ProjectHandedOver = s.deps().handOver(ctx, p, a.Project, note) == nil
		}
	}
	return h, nil
}

// Handovers lists an asset's handovers in order.
func (s *Service) Handovers(ctx context.Context, p auth.Principal, id int64) ([]Handover, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, from_unit, to_unit, on_day, doc_no, files, note, created_by, created_at FROM as_handovers WHERE county = ? AND asset = ? ORDER BY seq`, p.County, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: handovers")
	}
	defer rows.Close()
	out := []Handover{}
	for rows.Next() {
		var h Handover
		var files string
		var at int64
		if err := rows.Scan(&h.Seq, &h.From, &h.To, &h.Day, &h.DocNo, &files, &h.Note, &h.CreatedBy, &at); err != nil {
			return nil, err
		}
		h.Files, h.CreatedAt = splitIDs(files), time.UnixMicro(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

func joinIDs(ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, ",")
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
