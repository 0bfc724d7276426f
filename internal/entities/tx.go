package entities

import (
	"context"
	"database/sql"
	"errors"

	"onepool/internal/auth"
	"onepool/internal/place"
	"onepool/internal/store"
)

// GetTx is Get read through q (without the households count): for a
// capability that checks an entity inside its write transaction.
// Errors: NotFound (unknown_entity, also for one outside p's area).
func (s *Service) GetTx(ctx context.Context, q store.Querier, p auth.Principal, uscc string) (Entity, error) {
	st, err := s.get(ctx, q, p, uscc)
	if err != nil {
		return Entity{}, err
	}
	return st.Entity, nil
}

// CollectiveOfTx returns the village collective economic organization
// registered at village v, read through q; ok is false when the village
// has none.
func CollectiveOfTx(ctx context.Context, q store.Querier, county string, v place.Code) (uscc, account string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT uscc, account FROM ent_entities WHERE county = ? AND place = ? AND kind = ? ORDER BY uscc LIMIT 1`, county, string(v), Collective).Scan(&uscc, &account)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", false, nil
		}
		return "", "", false, err
	}
	return uscc, account, true, nil
}
