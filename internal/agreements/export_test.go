package agreements

import (
	"context"

	"onepool/internal/auth"
)

// Split and LineLegs expose the dividend split to the tests.
var (
	Split    = split
	LineLegs = lineLegs
)

// PlanRun is what a single run of agreement id's period n would freeze
// now (the tests compare a county run's lines with it).
func (s *Service) PlanRun(ctx context.Context, p auth.Principal, id int64, n int) (RunOrder, error) {
	a, err := s.get(ctx, s.db, p, id)
	if err != nil {
		return RunOrder{}, err
	}
	return planTx(ctx, s.db, a, n)
}
