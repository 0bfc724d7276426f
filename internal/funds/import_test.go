package funds_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestImport: channels from an xlsx, plans and arrivals from CSV; a file
// with bad rows names every bad cell and writes nothing.
func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "zigui")
		x := excelize.NewFile()
		sh := x.GetSheetName(0)
		for i, row := range [][]any{
			{"代码", "名称", "级次", "类别", "主管部门", "年度", "纳入整合"},
			{"ZX", "中央财政专项扶贫资金", "central", "fiscal", "扶贫", 2026, "是"},
			{"JT", "农村公路资金", "province", "sector", "交通", 2026, ""},
			{"KEEP", "留用资金", "county", "fiscal", "财政", 2026, "否"},
		} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			x.SetSheetRow(sh, cell, &row)
		}
		var buf bytes.Buffer
		x.Write(&buf)
		if n, err := s.Import(ctx, "fin", county, "channels", &buf); err != nil || n != 3 {
			t.Fatalf("channels xlsx: %d %v", n, err)
		}
		if c, _ := s.Channel(ctx, county, "KEEP"); c.Integrable {
			t.Error("a channel imported as 否 is integrable")
		}
		if n, err := s.Import(ctx, "fin", county, "plans", strings.NewReader("\xEF\xBB\xBFchannel,year,amount\nZX,2026,\"1,000,000\"\nJT,2026,500000.5\n")); err != nil || n != 2 {
			t.Fatalf("plans csv: %d %v", n, err)
		}
		bad := "key,channel,amount,day,doc_no\n" +
			"k1,ZX,100.00,2026-03-01,财1\n" +
			"k2,NOPE,100.00,2026-03-01,财2\n" +
			"k3,ZX,12.345,2026-03-01,财3\n" +
			"k4,JT,-5,2026-13-01,财4\n" +
			",ZX,1,2026-03-01,\n"
		_, err := s.Import(ctx, "fin", county, "arrivals", strings.NewReader(bad))
		var ie *funds.ImportError
		if !errors.As(err, &ie) || errs.KindOf(err) != errs.Invalid {
			t.Fatalf("bad arrivals: %v", err)
		}
		got := map[string]bool{}
		for _, r := range ie.Rows {
			got[r.String()[:strings.Index(r.String(), ":")]] = true
		}
		for _, want := range []string{"row 4, column amount", "row 5, column amount", "row 5, column day", "row 6, column key"} {
			if !got[want] {
				t.Errorf("bad arrivals: no %q in %v", want, ie.Rows)
			}
		}
		// The unknown channel is found once the cells are well-formed; still nothing written.
		_, err = s.Import(ctx, "fin", county, "arrivals", strings.NewReader("key,channel,amount,day\nk1,ZX,100,2026-03-01\nk2,NOPE,100,2026-03-01\n"))
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "row 3") || !strings.Contains(err.Error(), "NOPE") {
			t.Errorf("unknown channel: %v", err)
		}
		rep, _ := s.YearReport(ctx, county, 2026)
		if rep.Total.Arrived != 0 {
			t.Errorf("a failed import wrote %s of arrivals", rep.Total.Arrived)
		}
		if n, err := s.Import(ctx, "fin", county, "arrivals", strings.NewReader("流水号,渠道代码,金额,文件日期,文号\nk1,ZX,\"1,000\",2026-03-01,财1\n")); err != nil || n != 1 {
			t.Fatalf("arrivals with Chinese headers: %d %v", n, err)
		}
		for _, c := range []struct{ kind, body, code string }{
			{"arrivals", "channel,amount\nZX,1\n", "missing_column"},
			{"arrivals", "key,channel,amount,day\n", "empty_import"},
			{"widgets", "a\nb\n", "invalid_import"},
			{"plans", "PK\x03\x04junk", "invalid_file"},
			{"plans", "channel,year,amount\n\"unterminated", "invalid_file"},
		} {
			if _, err := s.Import(ctx, "fin", county, c.kind, strings.NewReader(c.body)); errs.CodeOf(err) != c.code {
				t.Errorf("%s %q: %v, want %s", c.kind, c.body, err, c.code)
			}
		}
	})
}

// TestImportMinutes: commitments of one village's minutes from a CSV,
// one department per row; a bad row names its cell and nothing is written.
func TestImportMinutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "zigui")
		bad := "村代码,纪要编号,会议日期,部门,承诺金额,完成时限\n" +
			"990101001001,JY-01,2026-03-01,交通,\"1,500,000\",2026-09-30\n" +
			"990101001,JY-01,2026-03-01,水利,100000,2026-09-30\n" +
			"990101001001,JY-01,2026-03-01,发改,400000.001,2026-02-01\n" +
			"990101001001,JY-01,2026-03-01,交通,1,2026-09-30\n"
		_, err := s.Import(ctx, "fin", county, "minutes", strings.NewReader(bad))
		var ie *funds.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("bad minutes: %v", err)
		}
		for _, want := range []string{"row 3, column village", "row 4, column amount", "row 4, column deadline", "row 5, column department"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("bad minutes: no %q in %v", want, err)
			}
		}
		if cs, _ := s.Commitments(ctx, county, county); len(cs) != 0 {
			t.Fatalf("a failed import wrote %d commitments", len(cs))
		}
		good := "village,minutes_no,day,department,amount,deadline\n" +
			"990101001001,JY-01,2026-03-01,交通,\"1,500,000\",2026-09-30\n" +
			"990101001001,JY-01,2026-03-01,发改,400000,2026-06-30\n" +
			"990101001002,JY-02,2026-03-02,水利,100000,2026-10-31\n"
		if n, err := s.Import(ctx, "fin", county, "minutes", strings.NewReader(good)); err != nil || n != 3 {
			t.Fatalf("minutes: %d %v", n, err)
		}
		cs, err := s.Commitments(ctx, county, county)
		if err != nil || len(cs) != 3 {
			t.Fatalf("commitments %d %v", len(cs), err)
		}
		if _, err := s.Import(ctx, "fin", county, "minutes", strings.NewReader(good)); errs.CodeOf(err) != "minutes_exists" {
			t.Errorf("the same minutes again: %v", err)
		}
		if cs, _ := s.Commitments(ctx, county, county); len(cs) != 3 {
			t.Errorf("a repeated import changed the commitments: %d", len(cs))
		}
	})
}
