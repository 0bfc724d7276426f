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
