package assets

import (
	"context"
	"database/sql"
	"errors"

	"onepool/internal/auth"
	"onepool/internal/errs"
)

// LineRun says which run and asset a run line belongs to (a payout
// line's source is a run line: its page is the run's). Errors: NotFound
// (unknown_run) for a line of none or outside p's area.
func (s *IncomeService) LineRun(ctx context.Context, p auth.Principal, line int64) (run, asset int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT run FROM as_dist_lines WHERE county = ? AND id = ?`, p.County, line).Scan(&run)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	if err != nil {
		return 0, 0, errs.Wrap(err, "assets: line run")
	}
	r, err := s.Run(ctx, p, run)
	if err != nil {
		return 0, 0, err
	}
	return r.ID, r.Asset, nil
}
