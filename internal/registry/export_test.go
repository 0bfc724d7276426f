package registry

import (
	"context"
	"io"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// HouseholdsFrom is the households list's tables and condition, for the plan test.
var HouseholdsFrom = householdsFrom

// SetImportChunk sets how many households one chunk of the import's batch
// path writes, and returns a function that restores it.
func SetImportChunk(n int) (restore func()) {
	old := importChunk
	importChunk = n
	return func() { importChunk = old }
}

// Open opens a sealed value (to compare two databases whose sealed
// columns differ by their random nonces).
func (s *Service) Open(enc string) (string, error) { return s.keys.Open(enc) }

// ImportOneByOne is Import writing household after household through the
// one-row path (loadStored, prepare, writeTx: what Save does), the batch
// path's reference.
func (s *Service) ImportOneByOne(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	return s.importWith(ctx, p, r, ImportOptions{}, s.writeOneByOne)
}

func (s *Service) writeOneByOne(ctx context.Context, tx *store.Tx, actor, county string, order []*importHousehold, progress func(step string, done, total int), members int) ([]int64, error) {
	var leadIDs []int64
	for _, x := range order {
		h := x.h
		if err := check(county, &h); err != nil {
			return nil, x.rowError(err)
		}
		old, err := s.loadStored(ctx, tx, county, h.Code)
		if err != nil && !errs.Is(err, "unknown_household") {
			return nil, err
		}
		r, err := s.prepare(h, old)
		if err != nil {
			return nil, x.rowError(err)
		}
		leads, err := s.writeTx(ctx, tx, actor, county, r, old)
		if err != nil {
			return nil, err
		}
		for _, l := range leads {
			leadIDs = append(leadIDs, l.ID)
		}
	}
	return leadIDs, nil
}
