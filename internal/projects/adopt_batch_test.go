package projects_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"onepool/internal/audit"
	"onepool/internal/errs"
	"onepool/internal/projects"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// dump reads every row of a query as text, in order.
func dump(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v|", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlanApprovalBatchEqualsOneByOne: approving a plan of 400 projects
// (more than one statement's worth of every batch: projects, accounts,
// items, steps, events, audit entries) through the batch paths writes
// exactly the rows that writing the projects one by one through the
// one-row paths writes — projects with their plan columns and approval
// documents, ledger accounts, review items, recorded steps, status events
// — and the same audit entries (in another order: grouped by kind), whose
// chain verifies. A code taken meanwhile is refused alike, naming its row,
// and writes nothing.
func TestPlanApprovalBatchEqualsOneByOne(t *testing.T) {
	const n, steps = 400, 6
	var file strings.Builder
	file.WriteString(planHeader(steps))
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			file.WriteString(planRow(fmt.Sprintf("JH-%04d", i), "300000", fmt.Sprintf("南乡振发〔2026〕%d号", i), "2026-01-20", steps, steps))
		case 1:
			file.WriteString(planRow(fmt.Sprintf("JH-%04d", i), "120000", "", "", steps-1, steps))
		default:
			file.WriteString(planRow(fmt.Sprintf("JH-%04d", i), "80000", "", "", 2, steps))
		}
	}
	tables := []string{
		`SELECT * FROM fund_projects ORDER BY county, code`,
		`SELECT * FROM ledger_accounts ORDER BY county, id`,
		`SELECT * FROM wf_items ORDER BY county, id`,
		`SELECT * FROM wf_steps ORDER BY county, item, seq`,
		`SELECT * FROM project_events ORDER BY county, project, seq`,
		`SELECT * FROM prj_plan_imports ORDER BY county, id`,
	}
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			got := map[bool][][]string{}
			refusal := map[bool]string{}
			for _, batch := range []bool{true, false} {
				db := storetest.MustOpen(t, d)
				e := setup(t, db, "nan")
				decide := e.p.DecidePlan
				if !batch {
					decide = e.p.DecidePlanOneByOne
				}
				b, err := e.p.ImportPlan(ctx, rural, "plan.csv", strings.NewReader(file.String()))
				if err != nil {
					t.Fatal(err)
				}
				// Refused: a project of row 302 was created meanwhile.
				taken := newProject("JH-0300", "1000")
				if _, err := e.p.Create(ctx, rural, taken); err != nil {
					t.Fatal(err)
				}
				before := dump(t, db, `SELECT * FROM fund_projects ORDER BY county, code`)
				_, err = decide(ctx, rural2, b.ID, workflow.Decision{Action: workflow.Approve})
				if errs.CodeOf(err) != "invalid_rows" {
					t.Fatalf("batch %v: a code taken meanwhile: %v", batch, err)
				}
				refusal[batch] = err.Error()
				if after := dump(t, db, `SELECT * FROM fund_projects ORDER BY county, code`); len(after) != len(before) {
					t.Fatalf("batch %v: the refused approval wrote %d projects", batch, len(after)-len(before))
				}
				// The same plan again, without the taken code's row, on a
				// fresh database.
				db = storetest.MustOpen(t, d)
				e = setup(t, db, "nan")
				decide = e.p.DecidePlan
				if !batch {
					decide = e.p.DecidePlanOneByOne
				}
				if b, err = e.p.ImportPlan(ctx, rural, "plan.csv", strings.NewReader(file.String())); err != nil {
					t.Fatal(err)
				}
				if b, err = decide(ctx, rural2, b.ID, workflow.Decision{Action: workflow.Approve}); err != nil || b.State != "approved" {
					t.Fatalf("batch %v: %v %s", batch, err, b.State)
				}
				if ps, total, _ := e.p.Library(ctx, county, projects.Filter{Prefix: county, Status: projects.Approved}); total != 134 || len(ps) == 0 {
					t.Fatalf("batch %v: %d approved projects, want 134", batch, total)
				}
				if problems, err := audit.Verify(ctx, db); err != nil || len(problems) != 0 {
					t.Fatalf("batch %v: audit verify: %v %v", batch, problems, err)
				}
				var dumps [][]string
				for _, q := range tables {
					dumps = append(dumps, dump(t, db, q))
				}
				entries := dump(t, db, `SELECT at, actor, action, object, place, outcome, before_json, after_json FROM audit_log ORDER BY county, id`)
				sort.Strings(entries)
				got[batch] = append(dumps, entries)
			}
			if refusal[true] != refusal[false] {
				t.Errorf("refusals differ:\nbatch      %s\none by one %s", refusal[true], refusal[false])
			}
			if !strings.Contains(refusal[true], "302") {
				t.Errorf("the refusal does not name row 302: %s", refusal[true])
			}
			for k := range got[true] {
				a, b := got[true][k], got[false][k]
				if len(a) != len(b) {
					t.Errorf("query %d: %d rows by batch, %d one by one", k, len(a), len(b))
					continue
				}
				for i := range a {
					if a[i] != b[i] {
						t.Errorf("query %d row %d:\nbatch      %s\none by one %s", k, i, a[i], b[i])
						break
					}
				}
			}
			if len(got[true][3]) < 1700 {
				t.Errorf("only %d steps recorded", len(got[true][3]))
			}
		})
	}
}
