package web

import (
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
	"onepool/internal/ident"
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
	sh := x.GetSheetName(0)
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sh, cell, &row); err != nil {
			return errs.Wrap(err, "export")
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	w.Header().Set("Cache-Control", "no-store") // exports name people and places: never kept by a cache
	return x.Write(w)
}
