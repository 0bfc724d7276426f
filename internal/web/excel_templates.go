package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/place"
	"onepool/internal/tabular"
)

// The import templates: for each import an xlsx with the header row the
// import reads (Chinese headers), one example row that imports cleanly in
// the user's own county, and a 说明 sheet explaining each column and the
// accepted dates, amounts and limits. They hold no personal data.

// tcol is a template column: its header, whether it is required, its
// example and the message key of its note.
func tcol(header string, required bool, example any, note string) tabular.TemplateColumn {
	return tabular.TemplateColumn{Header: header, Required: required, Example: example, Note: note}
}

// sendTemplate renders the notes in the user's language and sends the file.
func sendTemplate(w http.ResponseWriter, c *call, name, sheet string, cols []tabular.TemplateColumn, notes ...string) error {
	t := func(k string) string { return translate(c.lang, k) }
	for i := range cols {
		cols[i].Note = t(cols[i].Note)
	}
	tp := tabular.Template{Sheet: sheet, Columns: cols, Labels: [3]string{t("excel.note_column"), t("excel.note_required"), t("excel.note_explain")}, Yes: t("yes")}
	for _, n := range append(notes, "excel.note_dates", "excel.note_amounts", "excel.note_limits", "excel.note_all_or_nothing", "excel.note_example") {
		tp.Notes = append(tp.Notes, t(n))
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	return tp.Write(w)
}

func today() time.Time { return time.Now().In(clock.Zone) }

// firstVillage is a village in the user's area (for examples).
func (s *Server) firstVillage(c *call) place.Code {
	if c.p.Place.Level() == place.Village {
		return c.p.Place
	}
	if tr, err := s.d.Auth.Places(c.r.Context(), c.p.County); err == nil {
		for _, n := range tr.Descendants(c.p.Place) {
			if n.Code.Level() == place.Village {
				return n.Code
			}
		}
	}
	return place.Code(c.p.County + "001001")
}

// fundsImportTemplate: GET /funds/import/template.xlsx?kind=channels|plans|arrivals|minutes.
func (s *Server) fundsImportTemplate(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	kind := c.r.URL.Query().Get("kind")
	if kind == "" {
		kind = "arrivals"
	}
	year := today().Year()
	channel, category := "", "fiscal"
	if chans, err := s.d.Funds.Channels(ctx, c.p.County); err == nil && len(chans) > 0 {
		channel, category = chans[0].Code, chans[0].Category
	}
	if channel == "" {
		channel = "ZY-SJ-01"
	}
	switch kind {
	case "channels":
		return sendTemplate(w, c, "template-channels.xlsx", "渠道", []tabular.TemplateColumn{
			tcol("代码", true, fmt.Sprintf("SL-%d-01", year), "excel.channels.code"),
			tcol("名称", true, "示例：水利发展资金", "excel.channels.name"),
			tcol("级次", true, "county", "excel.channels.level"),
			tcol("类别", true, category, "excel.channels.category"),
			tcol("主管部门", true, "县水利局", "excel.channels.department"),
			tcol("年度", true, strconv.Itoa(year), "excel.year"),
			tcol("用途", false, "", "excel.channels.purposes"),
			tcol("纳入整合", false, "是", "excel.channels.integrable"),
		})
	case "plans":
		return sendTemplate(w, c, "template-plans.xlsx", "计划", []tabular.TemplateColumn{
			tcol("渠道代码", true, channel, "excel.channel"),
			tcol("年度", true, strconv.Itoa(year), "excel.year"),
			tcol("金额", true, "50万元", "excel.amount"),
		})
	case "arrivals":
		return sendTemplate(w, c, "template-arrivals.xlsx", "到位", []tabular.TemplateColumn{
			tcol("流水号", true, fmt.Sprintf("DW-%d-%s", year, today().Format("0102150405")), "excel.arrivals.key"),
			tcol("渠道代码", true, channel, "excel.channel"),
			tcol("金额", true, 15000.0, "excel.amount"),
			tcol("文件日期", true, today(), "excel.date"),
			tcol("文号", false, fmt.Sprintf("财农〔%d〕1号", year), "excel.arrivals.doc_no"),
			tcol("摘要", false, "示例：省级资金下达", "excel.arrivals.memo"),
		})
	case "minutes":
		return sendTemplate(w, c, "template-minutes.xlsx", "纪要", []tabular.TemplateColumn{
			tcol("村代码", true, string(s.firstVillage(c)), "excel.village"),
			tcol("纪要编号", true, fmt.Sprintf("JY-%s", today().Format("20060102150405")), "excel.minutes.no"),
			tcol("会议日期", true, today(), "excel.date"),
			tcol("部门", true, "县交通运输局", "excel.minutes.department"),
			tcol("承诺金额", true, "12万元", "excel.amount"),
			tcol("完成时限", true, today().AddDate(0, 3, 0), "excel.minutes.deadline"),
		})
	}
	return errs.F(errs.NotFound, "unknown_template", "kind", "no template %q: channels, plans, arrivals or minutes", kind)
}

// registryImportTemplate: GET /registry/import/template.xlsx?kind=households|years.
func (s *Server) registryImportTemplate(w http.ResponseWriter, c *call) error {
	vil := s.firstVillage(c)
	code := string(vil) + "-EX1"
	if c.r.URL.Query().Get("kind") == "years" {
		if hs, _, err := s.d.Registry.Households(c.r.Context(), c.p.County, c.p.Prefix(), 1, 0); err == nil && len(hs) > 0 {
			code = hs[0].Code
		}
		return sendTemplate(w, c, "template-registry-years.xlsx", "年度信息", []tabular.TemplateColumn{
			tcol("户编号", true, code, "excel.registry.household"),
			tcol("年度", true, strconv.Itoa(today().Year()), "excel.year"),
			tcol("状态", true, "脱贫户", "excel.registry.status"),
			tcol("致贫原因", false, "因病、因学", "excel.registry.causes"),
			tcol("家庭纯收入", true, "3.2万元", "excel.amount"),
			tcol("支出", false, 4000.0, "excel.registry.expenses"),
			tcol("稳定脱贫", false, "否", "excel.registry.stable"),
		})
	}
	body := string(vil)[:6] + "19800101" + "001"
	id := body + string(ident.ResidentIDCheckChar(body))
	return sendTemplate(w, c, "template-registry-households.xlsx", "农户", []tabular.TemplateColumn{
		tcol("户编号", true, code, "excel.registry.code"),
		tcol("村代码", true, string(vil), "excel.village"),
		tcol("户主", true, "张示例", "excel.registry.head"),
		tcol("姓名", true, "张示例", "excel.registry.name"),
		tcol("身份证号", true, id, "excel.registry.resident_id"),
		tcol("与户主关系", true, "户主", "excel.registry.relation"),
		tcol("是否健在", false, "是", "excel.registry.alive"),
		tcol("开户人", false, "", "excel.registry.card_holder"),
		tcol("开户行", false, "", "excel.registry.bank"),
		tcol("银行卡号", false, "", "excel.registry.card"),
	}, "excel.registry.merged")
}

// returnTemplate: GET /relief/batches/{id}/return-template.xlsx, the
// bank's return file for a batch, its first line as the example.
func (s *Server) returnTemplate(w http.ResponseWriter, c *call) error {
	return s.payReturnTemplate(w, c, reliefPayer)
}

func (s *Server) payReturnTemplate(w http.ResponseWriter, c *call, py payer) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || c.p.Place.Level() != place.County {
		return errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	v, err := s.payBatchView(c, py)
	if err != nil {
		return err
	}
	line := "1"
	if len(v.Lines) > 0 {
		line = strconv.Itoa(v.Lines[0].Line)
	}
	return sendTemplate(w, c, fmt.Sprintf("template-return-%d.xlsx", id), "回盘", []tabular.TemplateColumn{
		tcol("批次", true, strconv.FormatInt(id, 10), "excel.return.batch"),
		tcol("序号", true, line, "excel.return.line"),
		tcol("结果", true, "成功", "excel.return.result"),
		tcol("原因", false, "", "excel.return.reason"),
	})
}

// placesTemplate: GET /system/places/template.xlsx; the example row is a
// place already recorded (importing it changes nothing).
func (s *Server) placesTemplate(w http.ResponseWriter, c *call) error {
	code, name, parent := c.p.County+"001000", "示例镇", c.p.County+"000000"
	if tr, err := s.d.Auth.Places(c.r.Context(), c.p.County); err == nil {
		if ns := tr.Descendants(place.Code(c.p.County + "000000")); len(ns) > 0 {
			code, name, parent = string(ns[0].Code), ns[0].Name, string(ns[0].Parent)
		}
	}
	return sendTemplate(w, c, "template-places.xlsx", "区划", []tabular.TemplateColumn{
		tcol("代码", true, code, "excel.places.code"),
		tcol("名称", true, name, "excel.places.name"),
		tcol("上级代码", false, parent, "excel.places.parent"),
	})
}
