package store

import (
	"context"
	"database/sql"
	"strings"
)

// Bulk writes for the capabilities' batch paths (a plan of 2,000
// projects, an opening set): on PostgreSQL every statement is a round
// trip, so thousands of one-row statements cost seconds where one
// multi-row statement per few hundred rows costs milliseconds.

// bulkParams bounds the parameters of one statement (SQLite allows
// 32,766, PostgreSQL 65,535; long statements cost parsing on SQLite).
const bulkParams = 4000

// InsertRows writes rows (each of cols values) with multi-row INSERTs:
// head is "INSERT INTO t (a, b, …) VALUES ", suffix what follows the
// rows (an ON CONFLICT clause, or ""). Rows are written in order.
func InsertRows(ctx context.Context, tx *Tx, head string, cols int, rows [][]any, suffix string) error {
	per := max(1, bulkParams/cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	args := make([]any, 0, min(per, len(rows))*cols)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.Grow(len(head) + (end-start)*(len(one)+2) + len(suffix))
		b.WriteString(head)
		args = args[:0]
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		b.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// ValuesRows is the text of a VALUES list of n rows whose first row casts
// its columns to types (PostgreSQL types a VALUES list by its first row;
// SQLite ignores the casts' effect on text and integers): "(CAST(? AS
// TEXT), CAST(? AS BIGINT)), (?, ?), …". Its columns are column1, column2,
// … on both engines.
func ValuesRows(types []string, n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("CAST(? AS " + t + ")")
	}
	b.WriteByte(')')
	rest := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ") + ")"
	for i := 1; i < n; i++ {
		b.WriteString(", ")
		b.WriteString(rest)
	}
	return b.String()
}

// Chunks calls fn with consecutive [start, end) ranges of n items, each
// small enough that cols parameters per item stay within one statement's
// bound.
func Chunks(n, cols int, fn func(start, end int) error) error {
	per := max(1, bulkParams/max(cols, 1))
	for start := 0; start < n; start += per {
		if err := fn(start, min(start+per, n)); err != nil {
			return err
		}
	}
	return nil
}

// FreshPlans makes PostgreSQL plan every statement of the rest of the
// transaction afresh (plan_cache_mode = force_custom_plan; SQLite has no
// such cache). pgx prepares each statement text once per connection, and
// after five runs PostgreSQL may keep a generic plan made while a table
// was small — a scan — however much the table grows since, inside this
// transaction or before it. Bulk loads that look up what they (or an
// earlier load) just wrote call it: the cost is a plan per statement.
func (tx *Tx) FreshPlans(ctx context.Context) error {
	if tx.Dialect() != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`)
	return err
}

// InsertMany writes n rows of cols values (row appends row i's, called
// for i = 0, 1, … in order) with multi-row INSERTs (head: "INSERT INTO t
// (a, b, …) VALUES "; one: a row's values, "(?, 'x', ?)", "" = cols
// placeholders): chunks of at most 8,000 values, the full chunk's
// statement prepared once in the transaction when it runs more than once
// (SQLite parses a long statement as slowly as it runs it), the rest in
// one statement.
func InsertMany(ctx context.Context, tx *Tx, head, one string, cols, n int, row func(args []any, i int) []any) error {
	per := max(1, 8000/cols)
	if one == "" {
		one = "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	}
	text := func(rows int) string { return head + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ") }
	args := make([]any, 0, min(per, n)*cols)
	var st *sql.Stmt
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	for start := 0; start < n; start += per {
		rows := min(per, n-start)
		args = args[:0]
		for i := start; i < start+rows; i++ {
			args = row(args, i)
		}
		var err error
		switch {
		case rows == per && (st != nil || n-start >= 2*per):
			if st == nil {
				if st, err = tx.PrepareContext(ctx, text(per)); err != nil {
					return err
				}
			}
			_, err = tx.ExecPrepared(ctx, st, args...)
		default:
			_, err = tx.ExecContext(ctx, text(rows), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// InsertArrays writes n rows on PostgreSQL, at most chunk a statement
// (≤ 0: 10,000): into is "table (columns…)", the constants' columns first;
// consts are the values every row takes (string or int64), cols the
// other columns' values ([]string or []int64 of n each), sent as arrays
// and unnested. One statement text however many rows: pgx prepares it
// once on the connection.
func InsertArrays(ctx context.Context, tx *Tx, chunk int, into string, consts, cols []any, n int) error {
	if chunk <= 0 {
		chunk = 10000
	}
	if n == 0 {
		return nil
	}
	typ := func(v any) string {
		switch v.(type) {
		case string, []string:
			return "TEXT"
		case int64, []int64:
			return "BIGINT"
		}
		panic("store: InsertArrays: a column of neither strings nor int64")
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + into + " SELECT ")
	for _, c := range consts {
		b.WriteString("CAST(? AS " + typ(c) + "), ")
	}
	b.WriteString("u.* FROM unnest(")
	for j, c := range cols {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString("CAST(? AS " + typ(c) + "[])")
	}
	b.WriteString(") AS u")
	q := b.String()
	args := make([]any, len(consts)+len(cols))
	copy(args, consts)
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		for j, c := range cols {
			switch v := c.(type) {
			case []string:
				args[len(consts)+j] = v[start:end]
			case []int64:
				args[len(consts)+j] = v[start:end]
			}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
