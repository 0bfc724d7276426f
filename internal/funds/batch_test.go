package funds_test

import (
	"testing"
	"time"

	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestProjectBatchRefusals: a batch of projects is refused as one by one
// would refuse it — a code already taken, a code twice in the batch, a
// bad purpose — naming the project's index and field, and writes nothing;
// a batch of status moves refuses a project that is no longer in its
// from, naming it, and moves none.
func TestProjectBatchRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "zigui")
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Code: "P1", Name: "上坝村产业路", Place: "990101001001", Purpose: "infrastructure"}); err != nil {
			t.Fatal(err)
		}
		p := func(code, purpose string) funds.Project {
			return funds.Project{Code: code, Name: "项目 " + code, Place: "990101001002", Purpose: purpose}
		}
		now := time.Now()
		try := func(ps []funds.Project) (int, error) {
			var bad int
			err := db.Write(ctx, now, func(tx *store.Tx) error {
				var err error
				_, bad, err = s.CreateProjectsTx(ctx, tx, "rural", county, ps)
				return err
			})
			return bad, err
		}
		for _, c := range []struct {
			name      string
			ps        []funds.Project
			bad       int
			code, fld string
		}{
			{"a code taken", []funds.Project{p("B1", "industry"), p("P1", "industry")}, 1, "project_exists", "code"},
			{"a code twice", []funds.Project{p("B1", "industry"), p("B2", "industry"), p("B1", "industry")}, 2, "project_exists", "code"},
			{"a bad purpose", []funds.Project{p("B1", "industry"), p("B2", "no-such")}, 1, "unknown_purpose", "purpose"},
		} {
			bad, err := try(c.ps)
			if e, ok := errs.As(err); !ok || e.Code != c.code || e.Field != c.fld || bad != c.bad {
				t.Errorf("%s: index %d, %v; want index %d, %s on %s", c.name, bad, err, c.bad, c.code, c.fld)
			}
			if _, err := s.Project(ctx, county, "B1"); errs.KindOf(err) != errs.NotFound {
				t.Errorf("%s: the refused batch wrote B1: %v", c.name, err)
			}
		}
		if _, err := try([]funds.Project{p("B1", "industry"), p("B2", "industry")}); err != nil {
			t.Fatal(err)
		}
		var bad int
		err := db.Write(ctx, now, func(tx *store.Tx) error {
			var err error
			bad, err = funds.SetStatusesTx(ctx, tx, "rural", county, []funds.StatusChange{
				{Code: "B1", From: funds.StatusReserve, To: funds.StatusApproved}, {Code: "B2", From: funds.StatusApproved, To: funds.StatusFunded}})
			return err
		})
		if errs.CodeOf(err) != "status_changed" || bad != 1 {
			t.Errorf("B2 is not approved: index %d, %v", bad, err)
		}
		if pr, _ := s.Project(ctx, county, "B1"); pr.Status != funds.StatusReserve {
			t.Errorf("the refused batch moved B1 to %s", pr.Status)
		}
		err = db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := funds.SetStatusesTx(ctx, tx, "rural", county, []funds.StatusChange{
				{Code: "B1", From: funds.StatusReserve, To: funds.StatusApproved}, {Code: "B2", From: funds.StatusReserve, To: funds.StatusApproved}})
			return err
		})
		for _, code := range []string{"B1", "B2"} {
			if pr, _ := s.Project(ctx, county, code); err != nil || pr.Status != funds.StatusApproved {
				t.Errorf("%s: %s, %v", code, pr.Status, err)
			}
		}
	})
}
