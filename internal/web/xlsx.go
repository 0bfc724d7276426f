package web

import (
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/money"
)

// writeXLSX sends rows (the first is the header) as an xlsx download.
// Text cells are scrubbed of personal numbers.
func writeXLSX(w http.ResponseWriter, filename string, rows [][]any) error {
	for _, row := range rows {
		for j, v := range row {
			if s, ok := v.(string); ok {
				row[j] = ident.Scrub(s)
			}
		}
	}
	return writeXLSXRaw(w, filename, rows)
}

// writeXLSXRaw sends rows as they are: only for the bank's payout file,
// whose card numbers the bank needs (the relief service audits it). Card
// and ID numbers are written as text so that Excel keeps every digit.
func writeXLSXRaw(w http.ResponseWriter, filename string, rows [][]any) error {
	x := excelize.NewFile()
	defer x.Close()
	es := newExportSheet(x)
	for i, row := range rows {
		if err := es.row(i+1, row); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	w.Header().Set("Cache-Control", "no-store") // exports name people and places: never kept by a cache
	return x.Write(w)
}

// amountFormat is the number format of an amount cell: yuan with
// thousands separators and two decimals.
const amountFormat = 4 // #,##0.00

// exportSheet writes the rows of an export's sheet.
type exportSheet struct {
	x      *excelize.File
	sh     string
	amount int // the style of amount cells, 0 until needed
}

func newExportSheet(x *excelize.File) *exportSheet {
	return &exportSheet{x: x, sh: x.GetSheetName(0)}
}

// row writes one row at row n (1-based). A money.Fen cell is written as a
// number of yuan (fen / 100) drawn as #,##0.00, so that SUM and pivot
// tables work on it; every other cell as it is (text stays text).
func (e *exportSheet) row(n int, row []any) error {
	cells := make([]any, len(row))
	var amounts []int
	for j, v := range row {
		if f, ok := v.(money.Fen); ok {
			cells[j] = float64(f) / 100
			amounts = append(amounts, j+1)
			continue
		}
		cells[j] = v
	}
	cell, _ := excelize.CoordinatesToCellName(1, n)
	if err := e.x.SetSheetRow(e.sh, cell, &cells); err != nil {
		return errs.Wrap(err, "export")
	}
	if len(amounts) > 0 && e.amount == 0 {
		st, err := e.x.NewStyle(&excelize.Style{NumFmt: amountFormat})
		if err != nil {
			return errs.Wrap(err, "export")
		}
		e.amount = st
	}
	for _, col := range amounts {
		c, _ := excelize.CoordinatesToCellName(col, n)
		if err := e.x.SetCellStyle(e.sh, c, c, e.amount); err != nil {
			return errs.Wrap(err, "export")
		}
	}
	return nil
}
