package web

// Big exports run as a job: one mechanism for every list that offers an
// xlsx (households, transfers, a channel's recipients). A list describes
// its export (exportSpec: the title naming its filters, the header, the
// rows streamed one at a time, the totals); a small list is sent at once,
// a list over the threshold (Deps.ExportJobRows, 5,000 rows by default)
// asks the user to start the job, which streams the xlsx into the
// runner's files and offers it on the job page (GET /jobs/{id}/file).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/jobs"
	"onepool/internal/money"
	"onepool/internal/registry"
)

// exportJobRows is the default threshold over which an export runs as a job.
const exportJobRows = 5000

// exportSpec is one export of a list with its filters.
type exportSpec struct {
	Title  string // the title row: the list and its filters
	Header []any
	// Rows is how many rows the export holds (for the threshold and the
	// progress; 0 when not known).
	Rows int
	// Personal names the personal data for the audit ("" none).
	Personal string
	File     string // the download's name
	// Each streams the rows: emit each, and the rows done so far.
	Each func(ctx context.Context, emit func(row []any, done int) error) error
	// Totals is the totals row, called after Each (nil: the list has no amounts).
	Totals func() []any
}

// exportList is a list that exports through the mechanism.
type exportList struct {
	Name   string      // households, transfers, recipients
	Kind   string      // its job's kind
	Path   string      // the list's page
	File   string      // the export's path (GET)
	Action auth.Action // what the list needs
	Spec   func(c *call) (exportSpec, error)
}

func (s *Server) exportLists() []exportList {
	return []exportList{
		{Name: "households", Kind: "export.households", Path: "/registry", File: "/registry.xlsx", Action: auth.ViewRegistry, Spec: s.householdsExport},
		{Name: "transfers", Kind: "export.transfers", Path: "/ledger/transfers", File: "/ledger/transfers.xlsx", Action: auth.ViewLedger, Spec: s.transfersExport},
		{Name: "recipients", Kind: "export.recipients", Path: "/ledger/recipients", File: "/ledger/recipients.xlsx", Action: auth.ViewLedger, Spec: s.recipientsExportSpec},
		{Name: "assets", Kind: "export.assets", Path: "/assets", File: "/assets.xlsx", Action: auth.ViewAssets, Spec: s.assetsExport},
		{Name: "asset_report", Kind: "export.asset_report", Path: "/assets/report", File: "/assets/report.xlsx", Action: auth.ViewAssets, Spec: s.assetReportExport},
		{Name: "linkage", Kind: "export.linkage", Path: "/entities/linkage", File: "/entities/linkage.xlsx", Action: auth.ViewEntities, Spec: s.linkageExport},
	}
}

func (s *Server) exportListNamed(name string) (exportList, bool) {
	for _, l := range s.exportLists() {
		if l.Name == name || l.Kind == name {
			return l, true
		}
	}
	return exportList{}, false
}

// exportInput is an export job's input: the list, its filters (the
// query string as the list page had it) and the language of the file.
type exportInput struct {
	List  string `json:"list"`
	Query string `json:"query"`
	Lang  string `json:"lang"`
}

// jobExportResult is what an export job records.
type jobExportResult struct {
	List  string   `json:"list"`
	Title string   `json:"title"`
	Rows  int      `json:"rows"`
	Bytes int64    `json:"bytes"`
	Name  string   `json:"name"` // the download's name
	File  string   `json:"-"`    // the file in the runner's files (kept in the row, not answered)
	Error *jobText `json:"error,omitempty"`
}

// exportRecord is jobExportResult as the job row keeps it (with the file).
type exportRecord struct {
	jobExportResult
	Stored string `json:"file"`
}

func (s *Server) registerExports() {
	for _, l := range s.exportLists() {
		s.d.Jobs.Register(jobs.Kind{Name: l.Kind, Action: l.Action, Work: s.exportWork})
	}
}

func (s *Server) exportThreshold() int {
	if s.d.ExportJobRows > 0 {
		return s.d.ExportJobRows
	}
	return exportJobRows
}

// exportHandler is a list's GET …xlsx: the file at once when the list is
// small; else a page that says so and starts the job (a POST).
func (s *Server) exportHandler(name string) pageFunc {
	return func(w http.ResponseWriter, c *call) error {
		l, _ := s.exportListNamed(name)
		spec, err := l.Spec(c)
		if err != nil {
			return err
		}
		if spec.Rows > s.exportThreshold() {
			return c.render(w, http.StatusOK, "export_job", exportJobView{Page: c.page(translate(c.lang, "export.job_title"), ""), List: l.Name,
				Query: c.r.URL.RawQuery, Title: spec.Title, Rows: spec.Rows, Threshold: s.exportThreshold(), Back: l.Path + queryOf(c.r.URL.RawQuery)})
		}
		var buf bytes.Buffer
		n, err := writeExport(c.r.Context(), &buf, spec, nil)
		if err != nil {
			return err
		}
		if spec.Personal != "" {
			if err := s.personalExport(w, c, spec.Personal, n); err != nil {
				return err
			}
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, spec.File))
		w.Header().Set("Cache-Control", "no-store")
		_, err = buf.WriteTo(w)
		return err
	}
}

func queryOf(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}

type exportJobView struct {
	Page
	List, Query, Title, Back string
	Rows, Threshold          int
}

// startExport starts an export job for c.p of the list named by list
// with the filters of query; the list's action is checked at the
// viewer's place and the filters are checked before the job is recorded.
func (s *Server) startExport(c *call, list, query string) (jobs.Job, error) {
	l, ok := s.exportListNamed(list)
	if !ok || list != l.Name {
		return jobs.Job{}, errs.F(errs.Invalid, "unknown_export", "list", "no list %q to export: households, transfers or recipients", list)
	}
	if err := auth.Authorize(c.p, l.Action, c.p.Place); err != nil {
		return jobs.Job{}, err
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return jobs.Job{}, errs.F(errs.Invalid, "invalid_query", "query", "the filters are not a query string")
	}
	q.Del("list")
	q.Del("page")
	sc, err := s.exportCall(c.r.Context(), c.p, c.lang, l, q.Encode())
	if err != nil {
		return jobs.Job{}, err
	}
	if _, err := l.Spec(sc); err != nil { // refuse bad filters now, not in the job
		return jobs.Job{}, err
	}
	in, _ := json.Marshal(exportInput{List: l.Name, Query: q.Encode(), Lang: c.lang})
	return s.d.Jobs.Start(c.r.Context(), c.p, l.Kind, l.Path+queryOf(q.Encode()), bytes.NewReader(in))
}

// exportCall is a call as the list's page would have it, for p in lang
// with the filters of query: the export job rebuilds the list with it.
func (s *Server) exportCall(ctx context.Context, p auth.Principal, lang string, l exportList, query string) (*call, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, l.File+queryOf(query), nil)
	if err != nil {
		return nil, errs.F(errs.Invalid, "invalid_query", "query", "the filters are not a query string")
	}
	return &call{s: s, r: r, p: p, lang: lang}, nil
}

// exportJobStart: POST /jobs/export (list, query) from the page that said
// the list is big.
func (s *Server) exportJobStart(w http.ResponseWriter, c *call) error {
	j, err := s.startExport(c, c.r.PostFormValue("list"), c.r.PostFormValue("query"))
	if err != nil {
		return err
	}
	setFlash(w, translate(c.lang, "export.job_started"))
	http.Redirect(w, c.r, "/jobs/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	return nil
}

// apiStartExport: POST /api/v1/jobs/{county}/export?list=households&…filters
// — an export as a job whatever its size: 202 with the job to follow; the
// file is GET /jobs/{id}/file once it is done.
func (s *Server) apiStartExport(w http.ResponseWriter, c *call) error {
	if c.r.PathValue("county") != c.p.County {
		return errs.F(errs.NotFound, "not_found", "county", "no such county")
	}
	q := c.r.URL.Query()
	list := q.Get("list")
	j, err := s.startExport(c, list, q.Encode())
	if err != nil {
		return err
	}
	writeJobStarted(w, j)
	return nil
}

// exportWork is every export job's work: it rebuilds the list's export
// from the input, streams the xlsx into the runner's files reporting rows
// done of rows, audits a personal export once the file is written, and
// records the file.
func (s *Server) exportWork(ctx context.Context, p auth.Principal, in *os.File, progress jobs.Progress) (any, error) {
	var inp exportInput
	if err := json.NewDecoder(in).Decode(&inp); err != nil {
		return nil, errs.Wrap(err, "export: input")
	}
	l, ok := s.exportListNamed(inp.List)
	if !ok {
		return nil, errs.F(errs.Invalid, "unknown_export", "list", "no list %q to export: households, transfers or recipients", inp.List)
	}
	fail := func(err error) (any, error) {
		t := jobText{Zh: formMessage("zh", err), En: formMessage("en", err)}
		if errs.KindOf(err) == errs.Internal {
			t = jobText{Zh: translate("zh", "error.internal"), En: translate("en", "error.internal")}
		}
		return exportRecord{jobExportResult: jobExportResult{List: l.Name, Error: &t}}, err
	}
	c, err := s.exportCall(ctx, p, inp.Lang, l, inp.Query)
	if err != nil {
		return fail(err)
	}
	spec, err := l.Spec(c)
	if err != nil {
		return fail(err)
	}
	dir, err := s.d.Jobs.Files()
	if err != nil {
		return fail(err)
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	name := fmt.Sprintf("export-%s-%d-%s.xlsx", p.County, jobs.IDOf(ctx), hex.EncodeToString(rnd[:]))
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fail(errs.Wrap(err, "export: file"))
	}
	progress("export", 0, spec.Rows)
	n, err := writeExport(ctx, f, spec, func(done int) { progress("export", done, max(spec.Rows, done)) })
	if cerr := f.Close(); err == nil && cerr != nil {
		err = errs.Wrap(cerr, "export: file")
	}
	if err == nil && spec.Personal != "" {
		err = audit.Write(ctx, s.d.DB, s.d.Clock(), audit.Entry{County: p.County, Actor: p.Username, Action: "personal.export", Object: spec.Personal, Place: string(p.Place),
			After: map[string]any{"rows": n, "path": l.File, "query": inp.Query, "job": jobs.IDOf(ctx)}})
	}
	if err != nil {
		os.Remove(path)
		return fail(err)
	}
	st, _ := os.Stat(path)
	res := exportRecord{jobExportResult: jobExportResult{List: l.Name, Title: spec.Title, Rows: n, Name: spec.File}, Stored: name}
	if st != nil {
		res.Bytes = st.Size()
	}
	return res, nil
}

// exportResult reads an export job's result (nil for other kinds).
func exportResult(j jobs.Job) *exportRecord {
	if !strings.HasPrefix(j.Kind, "export.") || len(j.Result) == 0 {
		return nil
	}
	var r exportRecord
	if json.Unmarshal(j.Result, &r) != nil {
		return nil
	}
	r.File = r.Stored
	return &r
}

// jobFile: GET /jobs/{id}/file — a done export job's file, to whoever may
// see the job (else not found) and take the list's action; a personal
// export's every download is audited.
func (s *Server) jobFile(w http.ResponseWriter, c *call) error {
	j, err := s.job(c)
	if err != nil {
		return err
	}
	gone := errs.F(errs.NotFound, "export_gone", "job", "the job has no file to download (export files are kept for a day)")
	res := exportResult(j)
	l, ok := s.exportListNamed(j.Kind)
	if res == nil || !ok || j.State != jobs.Done || res.File == "" || res.File != filepath.Base(res.File) {
		return gone
	}
	if err := auth.Authorize(c.p, l.Action, c.p.Place); err != nil {
		return err
	}
	dir, err := s.d.Jobs.Files()
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(dir, res.File))
	if err != nil {
		return gone
	}
	defer f.Close()
	if l.Name == "households" || l.Name == "recipients" {
		if err := s.auditView(c, "personal.download", fmt.Sprintf("export job %d", j.ID), c.p.Place, map[string]any{"rows": res.Rows, "job": j.ID, "list": l.Name}); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, res.Name))
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, f)
	return err
}

// writeExport streams spec as an xlsx to w with excelize's StreamWriter
// (memory bounded whatever the rows): the title row, the header, the rows
// (text scrubbed of personal numbers, money.Fen as number cells of yuan
// drawn #,##0.00) and the totals row; it calls done with the rows done
// as the list counts them (households for the registry) every 256 rows
// and at the end, and returns the rows written (title, header and totals
// not counted).
func writeExport(ctx context.Context, w io.Writer, spec exportSpec, done func(int)) (int, error) {
	x := excelize.NewFile()
	defer x.Close()
	sh := x.GetSheetName(0)
	sw, err := x.NewStreamWriter(sh)
	if err != nil {
		return 0, errs.Wrap(err, "export")
	}
	amount, err := x.NewStyle(&excelize.Style{NumFmt: amountFormat})
	if err != nil {
		return 0, errs.Wrap(err, "export")
	}
	at := 0
	put := func(row []any) error {
		at++
		cells := make([]any, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case money.Fen:
				cells[i] = excelize.Cell{StyleID: amount, Value: float64(v) / 100}
			case string:
				cells[i] = ident.Scrub(v)
			default:
				cells[i] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, at)
		if err := sw.SetRow(cell, cells); err != nil {
			return errs.Wrap(err, "export")
		}
		return nil
	}
	if err := put([]any{spec.Title}); err != nil {
		return 0, err
	}
	if err := put(spec.Header); err != nil {
		return 0, err
	}
	n, last := 0, 0
	err = spec.Each(ctx, func(row []any, d int) error {
		if err := put(row); err != nil {
			return err
		}
		n, last = n+1, d
		if done != nil && n%256 == 0 {
			done(d)
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if spec.Totals != nil {
		if err := put(spec.Totals()); err != nil {
			return 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return 0, errs.Wrap(err, "export")
	}
	if err := x.Write(w); err != nil {
		return 0, errs.Wrap(err, "export")
	}
	if done != nil {
		done(last)
	}
	return n, nil
}

// filterTitle is a list's title with the filters applied: "名册（村：…；年份：…）".
func filterTitle(lang, list string, filters [][2]string) string {
	var parts []string
	for _, f := range filters {
		if f[1] != "" {
			parts = append(parts, translate(lang, f[0])+"："+f[1])
		}
	}
	if len(parts) == 0 {
		return list + translate(lang, "export.no_filter")
	}
	return list + "（" + strings.Join(parts, "；") + "）"
}

// householdsExport is the households list's export: its q, village, year
// and status filters, one row per member as the import reads them.
func (s *Server) householdsExport(c *call) (exportSpec, error) {
	f, err := s.householdFilter(c)
	if err != nil {
		return exportSpec{}, err
	}
	ctx := c.r.Context()
	f.Limit = 1
	_, total, err := s.d.Registry.List(ctx, c.p.County, f)
	if err != nil {
		return exportSpec{}, err
	}
	f.Limit = 0
	village, status, year := "", "", ""
	if f.Village != "" {
		village = s.d.Auth.PlaceName(ctx, f.Village) + " " + string(f.Village)
	}
	if f.Status != "" {
		status = translate(c.lang, "hstatus."+f.Status)
	}
	if f.Year != 0 {
		year = strconv.Itoa(f.Year)
	}
	title := filterTitle(c.lang, translate(c.lang, "registry.title")+" · "+s.d.Auth.PlaceName(ctx, c.p.Place),
		[][2]string{{"list.search", f.Q}, {"list.village", village}, {"list.status_year", year}, {"list.status", status}})
	head := make([]any, len(registry.ExportHeader))
	for i, h := range registry.ExportHeader {
		head[i] = h
	}
	return exportSpec{Title: title, Header: head, Rows: total, Personal: "registry export " + c.p.Prefix(), File: fmt.Sprintf("households-%s.xlsx", c.p.County),
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			return s.d.Registry.ExportEach(ctx, c.p.County, f, func(n int, row []string) error {
				cells := make([]any, len(row))
				for i, v := range row {
					cells[i] = v
				}
				return emit(cells, n)
			})
		}}, nil
}

// transfersMax bounds one transfers export's rows.
const transfersMax = 1_000_000

// transfersExport is the transfers list's export: its kind, channel,
// from/to and doc_no filters, newest first, with the totals.
func (s *Server) transfersExport(c *call) (exportSpec, error) {
	ctx := c.r.Context()
	channels, err := s.d.Ledger.Channels(ctx, c.p.County)
	if err != nil {
		return exportSpec{}, err
	}
	f, err := c.transferFilter(channels)
	if err != nil {
		return exportSpec{}, err
	}
	f.Limit = 1
	_, total, err := s.d.Ledger.ListTransfers(ctx, c.p.County, f)
	if err != nil {
		return exportSpec{}, err
	}
	q := c.r.URL.Query()
	kind, channel := "", ""
	if f.Kind != "" {
		kind = translate(c.lang, "tkind."+f.Kind)
	}
	for _, ch := range channels {
		if ch.Code == q.Get("channel") {
			channel = ch.Name + " " + ch.Code
		}
	}
	title := filterTitle(c.lang, translate(c.lang, "ledger.transfers")+" · "+s.d.Auth.PlaceName(ctx, c.p.Place),
		[][2]string{{"list.kind", kind}, {"list.channel", channel}, {"list.from", q.Get("from")}, {"list.to", q.Get("to")}, {"list.q_doc", f.DocNo}})
	head := []any{"#", translate(c.lang, "col.date"), translate(c.lang, "list.kind"), translate(c.lang, "export.from"), translate(c.lang, "export.to"),
		translate(c.lang, "col.amount"), translate(c.lang, "list.q_doc"), translate(c.lang, "export.memo")}
	var sum money.Fen
	count := 0
	// Rows is the capped count (CountCap+1: more than CountCap): enough
	// for the threshold; the progress grows past it when there are more.
	return exportSpec{Title: title, Header: head, Rows: total, File: "transfers-" + c.p.County + ".xlsx",
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			pf := f
			pf.Limit = 500
			for count < transfersMax {
				ts, _, err := s.d.Ledger.ListTransfers(ctx, c.p.County, pf)
				if err != nil {
					return err
				}
				tr, err := c.transferRows(c.p.County, ts)
				if err != nil {
					return err
				}
				for _, t := range tr {
					sum += t.Total
					count++
					if err := emit([]any{t.ID, t.PostedAt.In(clock.Zone).Format("2006-01-02 15:04"), translate(c.lang, "tkind."+t.Kind), t.FromName, t.ToName, t.Total, t.DocNo, t.Memo}, count); err != nil {
						return err
					}
				}
				if len(ts) < pf.Limit {
					return nil
				}
				pf.Before = ts[len(ts)-1].ID
			}
			return nil
		},
		Totals: func() []any {
			return []any{fmt.Sprintf(translate(c.lang, "export.total_row"), count), "", "", "", "", sum, "", ""}
		}}, nil
}

// recipientsExportSpec is a channel's recipients table: a title naming
// the channel and the place, every row with number cells, the totals.
func (s *Server) recipientsExportSpec(c *call) (exportSpec, error) {
	_, ch, pl, err := c.recipientsQuery()
	if err != nil {
		return exportSpec{}, err
	}
	ctx := c.r.Context()
	where := pl
	if where == "" {
		where = c.p.Place
	}
	f := c.recipientFilter(ch, pl)
	f.Limit = 1
	first, err := s.d.Ledger.ChannelRecipients(ctx, c.p.County, f)
	if err != nil {
		return exportSpec{}, err
	}
	title := fmt.Sprintf(translate(c.lang, "recipients.export_title"), ch.Name, ch.Code, s.d.Auth.PlaceName(ctx, where))
	head := []any{translate(c.lang, "col.code"), translate(c.lang, "col.name"), translate(c.lang, "col.kind"), translate(c.lang, "col.place"),
		translate(c.lang, "recipients.received"), translate(c.lang, "recipients.paid_out"), translate(c.lang, "recipients.holds"), translate(c.lang, "col.count")}
	return exportSpec{Title: title, Header: head, Rows: min(first.Total, recipientsMax), Personal: "recipients " + ch.Code, File: "recipients-" + ch.Code + ".xlsx",
		Each: func(ctx context.Context, emit func([]any, int) error) error {
			pf := f
			pf.Limit = 1000
			n := 0
			for pf.Offset = 0; pf.Offset < recipientsMax; pf.Offset += pf.Limit {
				p, err := s.d.Ledger.ChannelRecipients(ctx, c.p.County, pf)
				if err != nil {
					return err
				}
				for _, r := range p.Rows {
					x := c.recipientRowOf(r)
					n++
					if err := emit([]any{x.Code, x.Name, x.Kind, x.PlaceName, x.Received, x.PaidOut, x.Holds, x.Transfers}, n); err != nil {
						return err
					}
				}
				if len(p.Rows) < pf.Limit {
					break
				}
			}
			return nil
		},
		Totals: func() []any {
			return []any{fmt.Sprintf(translate(c.lang, "recipients.total_row"), first.Total), "", "", "", first.Received, first.PaidOut, first.Received - first.PaidOut, ""}
		}}, nil
}
