// Package tabulartest builds hostile spreadsheets for the import tests.
package tabulartest

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// ColumnBomb is an xlsx of rows rows, each with one cell at column XFD
// (the last, 16,384th): a file of some 200 KB that GetRows turns into
// rows × 16,384 strings (the out-of-memory of issue 11).
func ColumnBomb(rows int) []byte {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetName(0))
	if err != nil {
		panic(err)
	}
	for i := 1; i <= rows; i++ {
		if err := sw.SetRow(fmt.Sprintf("XFD%d", i), []any{"x"}); err != nil {
			panic(err)
		}
	}
	if err := sw.Flush(); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// XLSX is a workbook of rows (cells any value excelize writes).
func XLSX(rows [][]any) []byte {
	x := excelize.NewFile()
	defer x.Close()
	sh := x.GetSheetName(0)
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sh, cell, &row); err != nil {
			panic(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FormulaBomb is ColumnBomb with an empty formula ("") in each cell: a
// value-less cell that excelize's row iterator still pads to.
func FormulaBomb(rows int) []byte {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetName(0))
	if err != nil {
		panic(err)
	}
	sw.SetRow("A1", []any{"header"})
	for i := 2; i <= rows; i++ {
		if err := sw.SetRow(fmt.Sprintf("XFD%d", i), []any{excelize.Cell{Formula: `""`}}); err != nil {
			panic(err)
		}
	}
	if err := sw.Flush(); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Styled is a cell of Sheet drawn with a number format: a built-in one
// (NumFmt) or a custom code (Custom).
type Styled struct {
	V      any
	NumFmt int
	Custom string
}

// Sheet is an xlsx of rows as staff make them: a cell is a string, a
// number, a time.Time (a date cell, drawn as Excel's default short date,
// built-in format 14) or a Styled value.
func Sheet(rows [][]any) []byte {
	x := excelize.NewFile()
	defer x.Close()
	sh := x.GetSheetName(0)
	styles := map[Styled]int{}
	style := func(s Styled) int {
		k := Styled{NumFmt: s.NumFmt, Custom: s.Custom}
		if id, ok := styles[k]; ok {
			return id
		}
		st := &excelize.Style{NumFmt: s.NumFmt}
		if s.Custom != "" {
			c := s.Custom
			st.CustomNumFmt = &c
		}
		id, err := x.NewStyle(st)
		if err != nil {
			panic(err)
		}
		styles[k] = id
		return id
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			st, ok := v.(Styled)
			if !ok {
				if _, isTime := v.(interface{ YearDay() int }); isTime {
					st, ok = Styled{V: v, NumFmt: 14}, true
				}
			}
			if ok {
				v = st.V
			}
			if err := x.SetCellValue(sh, cell, v); err != nil {
				panic(err)
			}
			if ok {
				if err := x.SetCellStyle(sh, cell, cell, style(st)); err != nil {
					panic(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}
