package tabular

import (
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
)

// TemplateColumn is one column of an import's template: the header the
// import accepts, the example row's cell and a note for the notes sheet.
// An example that is a time.Time is written as a date cell (yyyy-mm-dd),
// a float64 or an int64 as a number (an amount: #,##0.00), anything else
// as text.
type TemplateColumn struct {
	Header   string
	Required bool
	Example  any
	Note     string
}

// NotesSheet is the name of a template's notes sheet.
const NotesSheet = "说明"

// Template is an import's template: the data sheet (its name), its
// columns, and the notes sheet's labels and general lines.
type Template struct {
	Sheet   string
	Columns []TemplateColumn
	// Labels of the notes sheet's header: column, required, explanation.
	Labels [3]string
	Yes    string // the "required" mark
	Notes  []string
}

// Write writes the template as an xlsx: the data sheet first (what the
// import reads), with the header row and one example row, then the notes
// sheet explaining each column and the general rules (accepted dates and
// amounts, limits).
func (t Template) Write(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName(x.GetSheetName(0), t.Sheet); err != nil {
		return errs.Wrap(err, "template")
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	date, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	amount, _ := x.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	text, _ := x.NewStyle(&excelize.Style{NumFmt: 49})  // @: codes keep their digits
	for j, c := range t.Columns {
		h, _ := excelize.CoordinatesToCellName(j+1, 1)
		e, _ := excelize.CoordinatesToCellName(j+1, 2)
		if err := x.SetCellStr(t.Sheet, h, c.Header); err != nil {
			return errs.Wrap(err, "template")
		}
		x.SetCellStyle(t.Sheet, h, h, bold)
		var err error
		switch v := c.Example.(type) {
		case time.Time:
			err = x.SetCellValue(t.Sheet, e, time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC))
			x.SetCellStyle(t.Sheet, e, e, date)
		case float64, int64:
			err = x.SetCellValue(t.Sheet, e, v)
			x.SetCellStyle(t.Sheet, e, e, amount)
		case nil:
		default:
			err = x.SetCellValue(t.Sheet, e, v)
			x.SetCellStyle(t.Sheet, e, e, text)
		}
		if err != nil {
			return errs.Wrap(err, "template")
		}
		col, _ := excelize.ColumnNumberToName(j + 1)
		x.SetColWidth(t.Sheet, col, col, 18)
	}
	if _, err := x.NewSheet(NotesSheet); err != nil {
		return errs.Wrap(err, "template")
	}
	rows := [][]any{{t.Labels[0], t.Labels[1], t.Labels[2]}}
	for _, c := range t.Columns {
		req := ""
		if c.Required {
			req = t.Yes
		}
		rows = append(rows, []any{c.Header, req, c.Note})
	}
	rows = append(rows, []any{})
	for _, n := range t.Notes {
		rows = append(rows, []any{n})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(NotesSheet, cell, &row); err != nil {
			return errs.Wrap(err, "template")
		}
	}
	x.SetCellStyle(NotesSheet, "A1", "C1", bold)
	x.SetColWidth(NotesSheet, "A", "A", 16)
	x.SetColWidth(NotesSheet, "C", "C", 80)
	x.SetActiveSheet(0)
	return x.Write(w)
}
