package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"onepool/internal/assets"
)

// The value report page (资产保值增值, issue 14): a year's original,
// book and assessed value and income of the assets in the viewer's area,
// per village, per township and in total, with the return on the fiscal
// money invested; its xlsx goes through the shared export mechanism
// (list "asset_report").

type reportRowView struct {
	assets.ReportRow
	PlaceName string
}

type assetReportView struct {
	Page
	Year      int
	Villages  []reportRowView
	Townships []reportRowView
	Total     reportRowView
	Query     string
}

func (s *Server) assetReport(c *call) (assets.Report, error) {
	y, err := reportYear(c, s.d.Clock())
	if err != nil {
		return assets.Report{}, err
	}
	return s.d.AssetIncome.Report(c.r.Context(), c.p, y)
}

func (s *Server) reportRows(ctx context.Context, rs []assets.ReportRow) []reportRowView {
	out := []reportRowView{}
	for _, r := range rs {
		out = append(out, reportRowView{ReportRow: r, PlaceName: s.d.Auth.PlaceName(ctx, r.Place)})
	}
	return out
}

func (s *Server) assetReportPage(w http.ResponseWriter, c *call) error {
	rep, err := s.assetReport(c)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	v := assetReportView{Page: c.page(fmt.Sprintf("%s · %d", translate(c.lang, "assetrep.title"), rep.Year), "assets"), Year: rep.Year,
		Villages: s.reportRows(ctx, rep.Villages), Townships: s.reportRows(ctx, rep.Townships),
		Total: reportRowView{ReportRow: rep.Total, PlaceName: s.d.Auth.PlaceName(ctx, c.p.Place)}, Query: "year=" + strconv.Itoa(rep.Year)}
	return c.render(w, http.StatusOK, "asset_report", v)
}

// assetReportExport: the report's villages, townships and total.
func (s *Server) assetReportExport(c *call) (exportSpec, error) {
	rep, err := s.assetReport(c)
	if err != nil {
		return exportSpec{}, err
	}
	t := func(k string) string { return translate(c.lang, k) }
	ctx := c.r.Context()
	title := fmt.Sprintf("%s · %s · %d", t("assetrep.title"), s.d.Auth.PlaceName(ctx, c.p.Place), rep.Year)
	head := []any{t("assetrep.level"), t("col.place"), t("assetrep.assets"), t("assets.value"), t("assets.book"), t("assetinc.assessed"), t("assetrep.income"), t("assetrep.return")}
	type levelRow struct {
		level string
		r     assets.ReportRow
	}
	rows := []levelRow{}
	for _, r := range rep.Villages {
		rows = append(rows, levelRow{t("assetrep.village"), r})
	}
	for _, r := range rep.Townships {
		rows = append(rows, levelRow{t("assetrep.township"), r})
	}
	tot := rep.Total
	return exportSpec{Title: title, Header: head, Rows: len(rows), File: fmt.Sprintf("asset-report-%s-%d.xlsx", c.p.County, rep.Year),
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			for i, lr := range rows {
				r := lr.r
				if err := emit([]any{lr.level, s.d.Auth.PlaceName(ctx, r.Place), r.Assets, r.Value, r.BookValue, r.Assessed, r.Income, r.ReturnText()}, i+1); err != nil {
					return err
				}
			}
			return nil
		},
		Totals: func() []any {
			return []any{t("col.total"), s.d.Auth.PlaceName(ctx, c.p.Place), tot.Assets, tot.Value, tot.BookValue, tot.Assessed, tot.Income, tot.ReturnText()}
		},
	}, nil
}
