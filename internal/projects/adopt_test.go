package projects_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/projects"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular"
	"onepool/internal/workflow"
)

// planHeader is the plan file's header with n steps.
func planHeader(n int) string {
	h := "项目编号,项目名称,实施地点代码,用途,主管部门,计划年度,实施单位,责任领导,预算,联农带农方式,带动户数,批复文号,批复日期,批复人"
	for i := 1; i <= n; i++ {
		h += fmt.Sprintf(",第%d步经办人,第%d步日期", i, i)
	}
	return h + "\n"
}

// planRow is a row with steps taken by people named p1… on days in January.
func planRow(code, budget, doc, day string, steps int, total int) string {
	r := fmt.Sprintf("%s,%s产业路,990101001001,infrastructure,交通,2026,青禾镇人民政府,王副镇长,%s,务工,30,%s,%s,", code, code, budget, doc, day)
	if doc != "" {
		r += "县乡村振兴局"
	}
	for i := 1; i <= total; i++ {
		if i <= steps {
			r += fmt.Sprintf(",经办人%d,2026-01-%02d", i, i+5)
		} else {
			r += ",,"
		}
	}
	return r + "\n"
}

func rowErrors(t *testing.T, err error) []tabular.RowError {
	t.Helper()
	var ie *tabular.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want every bad cell, got %v", err)
	}
	return ie.Rows
}

// TestPlanImport: the approved annual plan held on paper is imported by
// the bureau, approved by another officer, and only then exists: one
// project approved on paper (with its document, every step recorded as
// taken), one waiting for its notice, which was held on paper and is
// recorded after the fact; a bad file writes nothing and lists every bad
// cell; the importer cannot approve; a short paper notice is refused with
// its numbers.
func TestPlanImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, "nan")
		const n = 6 // nan: five steps and the approval, for budgets up to 1,000,000
		bad := planHeader(n) +
			planRow("A1", "500000", "", "", n, n) + // every step but no approval document
			"A2,,990102001001,roads,交通,20x6,青禾镇人民政府,王副镇长,-5,,,,,,经办人1,2026-01-06,,,经办人3,2026-01-08,,,,,,\n" +
			planRow("A1", "500000", "南乡振发〔2026〕3号", "2026-01-20", n, n) + // code repeated
			planRow("A4", "500000", "", "", n-1, n)
		_, err := e.p.ImportPlan(ctx, rural, "plan.csv", strings.NewReader(bad))
		rows := rowErrors(t, err)
		want := map[string]bool{"2/approval_doc": true, "2/approval_day": true, "3/name": true, "3/place": true, "3/purpose": true, "3/plan_year": true, "3/budget": true, "3/step3_by": true, "4/code": true}
		got := map[string]bool{}
		for _, r := range rows {
			got[fmt.Sprintf("%d/%s", r.Row, r.Column)] = true
		}
		for k := range want {
			if !got[k] {
				t.Errorf("bad cell %s not listed; got %v", k, rows)
			}
		}
		if got["5/code"] || len(rows) != len(want) {
			t.Errorf("listed %d bad cells, want %d: %v", len(rows), len(want), rows)
		}
		if bs, _ := e.p.PlanBatches(ctx, county, 10); len(bs) != 0 {
			t.Errorf("a bad file left %d batches", len(bs))
		}
		if _, err := e.p.Get(ctx, county, "A4"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a bad file wrote project A4: %v", err)
		}

		good := planHeader(n) + planRow("A1", "500000", "南乡振发〔2026〕3号", "2026-01-20", n, n) + planRow("A2", "300000", "", "", n-1, n)
		if _, err := e.p.ImportPlan(ctx, township, "plan.csv", strings.NewReader(good)); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a township imports the county's plan: %v", err)
		}
		b, err := e.p.ImportPlan(ctx, rural, "plan.csv", strings.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if b.State != "pending" || b.Projects != 2 || b.Total != yuan("800,000") {
			t.Errorf("batch %+v", b)
		}
		if _, err := e.p.Get(ctx, county, "A1"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("before approval project A1 exists: %v", err)
		}
		if _, err := e.f.Allocate(ctx, "fin", county, funds.Allocation{Key: "x", Project: "A1", Amount: yuan("1")}); err == nil {
			t.Error("an unapproved import's project received money")
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "与纸质批复一致"}
		_, err = e.p.DecidePlan(ctx, rural, b.ID, approve)
		wantCode(t, "the importer approves the import", err, "maker_checker")
		if b, err = e.p.DecidePlan(ctx, rural2, b.ID, approve); err != nil {
			t.Fatal(err)
		}
		if b.State != "approved" {
			t.Errorf("batch after approval: %s", b.State)
		}
		if s := status(t, e, "A1"); s != projects.Approved {
			t.Errorf("A1 approved on paper: %s", s)
		}
		it, err := e.p.ItemOf(ctx, county, "A1")
		if err != nil {
			t.Fatal(err)
		}
		hist, err := e.wf.History(ctx, county, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != n {
			t.Fatalf("A1 history %d records, want %d", len(hist), n)
		}
		for i, h := range hist {
			if h.Decision != workflow.Recorded || h.Actor != fmt.Sprintf("经办人%d", i+1) || h.At.Format("2006-01-02") != fmt.Sprintf("2026-01-%02d", i+6) || h.StepName != it.Chain[i].Name {
				t.Errorf("A1 step %d: %+v", i, h)
			}
		}
		if a, _ := e.p.ApprovalOf(ctx, county, "A1"); a.Doc != "南乡振发〔2026〕3号" || a.Day != "2026-01-20" {
			t.Errorf("A1 approval %+v", a)
		}
		if _, err := e.f.Allocate(ctx, "fin", county, funds.Allocation{Key: "a1", Project: "A1", Amount: yuan("100,000")}); err != nil {
			t.Errorf("allocating to an approved imported project: %v", err)
		}
		// A2 waits for the approval after its notice, held on paper.
		if s := status(t, e, "A2"); s != projects.Reviewed {
			t.Errorf("A2: %s", s)
		}
		_, err = e.p.Decide(ctx, rural2, "A2", approve)
		wantCode(t, "approving A2 before its notice", err, "notice_required")
		short := projects.PaperNoticeInput{Starts: "2026-02-10", Ends: "2026-02-18", Photo: projects.Upload{Name: "公示栏.png", R: bytes.NewReader(png())}}
		_, err = e.p.RecordPaperNotice(ctx, township, "A2", short)
		wantCode(t, "a 9-day paper notice", err, "notice_too_short")
		if ee, ok := errs.As(err); !ok || !strings.Contains(ee.Message, "9 days") || !strings.Contains(ee.Message, "at least 10") {
			t.Errorf("the refusal names the numbers: %v", err)
		}
		good2 := projects.PaperNoticeInput{Starts: "2026-02-10", Ends: "2026-02-19", Photo: projects.Upload{Name: "公示栏.txt", R: strings.NewReader("not a photo")},
			Objections: []workflow.PaperObjection{{Body: "路线经过我家承包地", Reply: "已调整线路并征得同意"}}}
		_, err = e.p.RecordPaperNotice(ctx, township, "A2", good2)
		wantCode(t, "a text file as the board's photo", err, "photo_not_image")
		good2.Photo = projects.Upload{Name: "公示栏.png", R: bytes.NewReader(png())}
		nt, err := e.p.RecordPaperNotice(ctx, township, "A2", good2)
		if err != nil {
			t.Fatal(err)
		}
		if paper, photo, _ := e.wf.PaperOf(ctx, db, county, nt.ID); !paper || photo == 0 {
			t.Errorf("notice %d: paper %v photo %d", nt.ID, paper, photo)
		}
		if s := status(t, e, "A2"); s != projects.Noticed {
			t.Errorf("A2 after its paper notice: %s", s)
		}
		_, err = e.p.Decide(ctx, rural, "A2", approve)
		wantCode(t, "the importer approves an imported project", err, "maker_checker")
		if _, err := e.p.Decide(ctx, rural2, "A2", approve); err != nil {
			t.Fatalf("approving after the paper notice: %v", err)
		}
		if s := status(t, e, "A2"); s != projects.Approved {
			t.Errorf("A2 after approval: %s", s)
		}
	})
}
