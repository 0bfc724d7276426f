package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// ProjectsOptions size the projects benchmark.
type ProjectsOptions struct {
	DB                    string // empty: a fresh SQLite file
	Projects, Steps, Runs int
}

// projectsCounty is the synthetic county of the projects benchmark.
const projectsCounty = "990104"

// Projects builds a county of 20 townships × 10 villages with projects in
// every lifecycle status and their review histories (bulk-inserted rows
// of the shapes the services write: generating 200,000 decisions one
// transaction at a time would take most of an hour), then measures the
// township officer's review queue and the library filtered by status and
// village, through the same service calls the pages make.
func Projects(ctx context.Context, o ProjectsOptions, w io.Writer) error {
	if o.Projects <= 0 {
		o.Projects = 20_000
	}
	if o.Steps <= 0 {
		o.Steps = 10 * o.Projects
	}
	if o.Runs <= 0 {
		o.Runs = 200
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	pc := policy.NewCounties(db, clock.System)
	l := ledger.New(db, clock.System)
	fs := funds.New(db, l, pc, clock.System)
	wf := workflow.New(db, clock.System)
	ps := projects.New(db, fs, wf, volume.New(db, clock.System), pc, clock.System)
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fund_projects WHERE county = ?`, projectsCounty).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		t0 := time.Now()
		if err := buildProjectsCounty(ctx, db, pc, o); err != nil {
			return err
		}
		fmt.Fprintf(w, "generated %d projects and %d review steps in %v\n", o.Projects, o.Steps, time.Since(t0).Round(time.Millisecond))
		if err := db.Optimize(ctx); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "synthetic county %s already in %s (%d projects)\n", projectsCounty, db.Source, have)
	}
	township := auth.Principal{Username: "bench.township", Role: auth.RoleTownship, Place: place.Code(projectsCounty + "007000"), County: projectsCounty}
	rural := auth.Principal{Username: "bench.rural", Role: auth.RoleRural, Place: place.Code(projectsCounty + "000000"), County: projectsCounty}
	measure := func(name string, f func(i int) (int, error)) error {
		var n int
		for i := 0; i < 3; i++ {
			if _, err := f(i); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		lat := make([]time.Duration, 0, o.Runs)
		for i := 0; i < o.Runs; i++ {
			t := time.Now()
			k, err := f(i)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			lat = append(lat, time.Since(t))
			n = k
		}
		fmt.Fprintf(w, "  %-52s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d rows)\n", name, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)), n)
		return nil
	}
	fmt.Fprintf(w, "projects bench on %s: %d projects, %d steps; %d runs each\n", db.Dialect, o.Projects, o.Steps, o.Runs)
	if err := measure("township review queue (清溪镇-like township)", func(int) (int, error) {
		q, err := wf.Queue(ctx, township, "", 200)
		return len(q), err
	}); err != nil {
		return err
	}
	if err := measure("county bureau review queue", func(int) (int, error) {
		q, err := wf.Queue(ctx, rural, "", 200)
		return len(q), err
	}); err != nil {
		return err
	}
	// Villages of even number hold the statuses of even index in the mix.
	statuses := []string{projects.Proposed, projects.Construction, projects.Reserve, projects.Funded}
	if err := measure("library: status × village, first page", func(i int) (int, error) {
		v := benchProjectVillage(2 * i)
		rows, _, err := ps.Library(ctx, projectsCounty, projects.Filter{Prefix: v.Prefix(), Status: statuses[i%len(statuses)], Limit: 50})
		return len(rows), err
	}); err != nil {
		return err
	}
	if err := measure("library: status × township, first page with count", func(i int) (int, error) {
		tw := place.Code(fmt.Sprintf("%s%03d000", projectsCounty, i%20+1))
		rows, _, err := ps.Library(ctx, projectsCounty, projects.Filter{Prefix: tw.Prefix(), Status: statuses[i%len(statuses)], Limit: 50})
		return len(rows), err
	}); err != nil {
		return err
	}
	return measure("review status per township (county)", func(int) (int, error) {
		rows, err := ps.ByTownship(ctx, projectsCounty, projectsCounty, 0)
		return len(rows), err
	})
}

// benchProjectVillage is village i of 20 townships × 10 villages.
func benchProjectVillage(i int) place.Code {
	i %= 200
	return place.Code(fmt.Sprintf("%s%03d%03d", projectsCounty, i/10+1, i%10+1))
}

func buildProjectsCounty(ctx context.Context, db *store.DB, pc *policy.Counties, o ProjectsOptions) error {
	if _, err := pc.Choose(ctx, "bench", projectsCounty, "nan", ""); err != nil {
		return err
	}
	prof, _, err := pc.Current(ctx, projectsCounty)
	if err != nil {
		return err
	}
	chain := projects.Chain(prof, 1)
	chainJSON, _ := json.Marshal(chain)
	now := time.Now()
	us := clock.Micros(now)
	// Statuses in proportion: most projects are past review.
	mix := []string{projects.Reserve, projects.Proposed, projects.Proposed, projects.Reviewed, projects.Noticed, projects.Approved, projects.Funded,
		projects.Construction, projects.Construction, projects.Completed, projects.Accepted, projects.HandedOver, projects.Aftercare, projects.Returned}
	stepsPer := max(1, o.Steps/o.Projects)
	const batch = 500
	for b := 0; b < o.Projects; b += batch {
		err := db.Write(ctx, now, func(tx *store.Tx) error {
			for i := b; i < min(b+batch, o.Projects); i++ {
				code := fmt.Sprintf("B%05d", i+1)
				v := benchProjectVillage(i)
				status := mix[i%len(mix)]
				if _, err := tx.ExecContext(ctx, `INSERT INTO fund_projects (county, code, name, place, purpose, department, collective, status, status_at, created_at, created_by, plan_year, unit, leader, budget, goals)
					VALUES (?, ?, ?, ?, 'infrastructure', '交通', 0, ?, ?, ?, 'bench', ?, '镇人民政府', '镇长', 50000000, '[{"indicator":"里程","target":"3公里"}]')`,
					projectsCounty, code, fmt.Sprintf("项目%d", i+1), string(v), status, us, us, 2026+i%2); err != nil {
					return err
				}
				if status == projects.Reserve {
					continue
				}
				// The item: where a project of this status waits.
				step, state := len(chain), workflow.Approved
				switch status {
				case projects.Proposed:
					step, state = 1+i%4, workflow.Pending
				case projects.Reviewed, projects.Noticed:
					step, state = len(chain)-1, workflow.Pending
				case projects.Returned:
					step, state = 0, workflow.Returned
				}
				role, level := "", ""
				if step < len(chain) {
					role, level = chain[step].Role, chain[step].Level
				}
				due := int64(0)
				if state == workflow.Pending {
					due = us + int64((i%30)-10)*86_400_000_000
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO wf_items (county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at)
					VALUES (?, ?, 'project', ?, ?, ?, 50000000, ?, ?, ?, ?, ?, 'bench.village', ?, ?, ?, ?)`,
					projectsCounty, i+1, code, fmt.Sprintf("项目%d", i+1), string(v), string(chainJSON), step, state, role, level, us, due, us, us); err != nil {
					return err
				}
				for s := 0; s < stepsPer; s++ {
					st := s % len(chain)
					if _, err := tx.ExecContext(ctx, `INSERT INTO wf_steps (county, item, seq, step, step_name, role, actor, actor_name, decision, to_step, opinion, attachments, at)
						VALUES (?, ?, ?, ?, ?, ?, 'bench', 'bench', 'approve', ?, '同意', '[]', ?)`,
						projectsCounty, i+1, s+1, st, chain[st].Name, chain[st].Role, st+1, us); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
