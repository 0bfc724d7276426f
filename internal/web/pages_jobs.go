package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/jobs"
	"onepool/internal/registry"
	"onepool/internal/tabular"
)

// Kinds of job the pages start.
const (
	jobRegistryHouseholds = "registry.households"
	jobRegistryYears      = "registry.years"
)

// registerJobs registers the kinds of job with the runner: each is a
// capability's call with a progress callback; its result is rendered here
// in both languages, since the job page is shown later in either.
func (s *Server) registerJobs() {
	s.d.Jobs.Register(jobs.Kind{Name: jobRegistryHouseholds, Action: auth.WriteRegistry, Work: func(ctx context.Context, p auth.Principal, in *os.File, progress jobs.Progress) (any, error) {
		n, err := s.d.Registry.ImportWith(ctx, p, in, registry.ImportOptions{Rows: dataRows(in), Progress: progress})
		return importResult(n, err), err
	}})
	s.d.Jobs.Register(jobs.Kind{Name: jobReliefScreening, Action: auth.ReceiveRelief, Work: s.screeningWork})
	s.d.Jobs.Register(jobs.Kind{Name: jobRegistryYears, Action: auth.WriteRegistry, Work: func(ctx context.Context, p auth.Principal, in *os.File, progress jobs.Progress) (any, error) {
		n, err := s.d.Registry.ImportYears(ctx, p, in)
		return importResult(n, err), err
	}})
	s.registerExports()
	s.registerPayoutJobs()
}

// dataRows estimates a CSV file's rows after the header (its lines; 0 for
// an xlsx, whose rows are not known until read) and rewinds it.
func dataRows(f *os.File) int {
	defer f.Seek(0, io.SeekStart)
	br := bufio.NewReaderSize(f, 64<<10)
	if head, _ := br.Peek(4); string(head) == "PK\x03\x04" {
		return 0
	}
	lines, last := 0, byte('\n')
	buf := make([]byte, 64<<10)
	for {
		n, err := br.Read(buf)
		for _, b := range buf[:n] {
			if b == '\n' {
				lines++
			}
		}
		if n > 0 {
			last = buf[n-1]
		}
		if err != nil {
			break
		}
	}
	if last != '\n' {
		lines++
	}
	return max(lines-1, 0)
}

// jobText is a sentence in both languages.
type jobText struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

func (t jobText) in(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Zh
}

// jobRowError is one bad cell of an import job.
type jobRowError struct {
	Row    int     `json:"row"`
	Column string  `json:"column"`
	Why    jobText `json:"why"`
}

// jobImportResult is what an import job records.
type jobImportResult struct {
	Imported  int           `json:"imported"`
	Error     *jobText      `json:"error,omitempty"`
	RowErrors []jobRowError `json:"row_errors"`
	Omitted   int           `json:"omitted"` // bad cells beyond row_errors
}

func importResult(n int, err error) jobImportResult {
	res := jobImportResult{Imported: n, RowErrors: []jobRowError{}}
	if err == nil {
		return res
	}
	var ie *tabular.ImportError
	if errors.As(err, &ie) {
		for _, r := range ie.Rows {
			col := fieldZh(r.Column)
			if col == "" {
				col = r.Column
			}
			res.RowErrors = append(res.RowErrors, jobRowError{Row: r.Row, Column: r.Column, Why: jobText{Zh: fmt.Sprintf("「%s」列：%s", col, rowWhyZh(r)), En: r.Column + ": " + r.Why}})
		}
		res.Omitted = ie.Omitted
		res.Error = &jobText{Zh: "文件未导入，没有写入任何数据", En: "the file was not imported; nothing was written"}
		return res
	}
	if errs.KindOf(err) == errs.Internal {
		res.Error = &jobText{Zh: translate("zh", "error.internal"), En: translate("en", "error.internal")}
	} else {
		res.Error = &jobText{Zh: formMessage("zh", err), En: formMessage("en", err)}
	}
	return res
}

// registryImportJob starts the registry import as a job and shows its page.
func (s *Server) registryImportJob(w http.ResponseWriter, c *call) error {
	f, err := formFile(c, errs.F(errs.Invalid, "missing_file", "file", "choose a CSV or xlsx file to import"))
	if err != nil {
		return s.registryResult(w, c, err)
	}
	defer f.Close()
	kind := jobRegistryHouseholds
	if c.r.PostFormValue("kind") == "years" {
		kind = jobRegistryYears
	}
	j, err := s.d.Jobs.Start(c.r.Context(), c.p, kind, "/registry", f)
	if err != nil {
		return s.registryResult(w, c, err)
	}
	setFlash(w, translate(c.lang, "job.started"))
	http.Redirect(w, c.r, "/jobs/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	return nil
}

type jobView struct {
	Page
	J       jobs.Job
	Kind    string // the kind's label
	Step    string // the step's label
	Percent int
	Left    string
	Result  *jobImportResult
	// Screening is a screening job's result.
	Screening *jobScreeningResult
	// Export is an export job's result (its file on the page).
	Export *jobExportResult
	// Payout is a payout batch's sending.
	Payout *jobPayoutResult
	// RowsLabel names what Done and Total count (rows, households).
	RowsLabel string
	Failed    string // why, in the page's language
	Rows      []jobRowLine
	More      int
	APIPath   string
}

type jobRowLine struct {
	Row int
	Why string
}

func (s *Server) job(c *call) (jobs.Job, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return jobs.Job{}, errs.F(errs.NotFound, "not_found", "job", "no such job")
	}
	county := c.r.PathValue("county")
	if county == "" {
		county = c.p.County
	}
	return s.d.Jobs.Get(c.r.Context(), c.p, county, id)
}

// jobPage shows a job: its progress while it runs (static/jobs.js polls
// the API; without script the page offers a refresh link), its result and
// row errors when it ends, and the way back to where it began.
func (s *Server) jobPage(w http.ResponseWriter, c *call) error {
	j, err := s.job(c)
	if err != nil {
		return err
	}
	v := jobView{Page: c.page(translate(c.lang, "job.title"), ""), J: j, Kind: translate(c.lang, "job.kind."+j.Kind),
		APIPath: fmt.Sprintf("/api/v1/jobs/%s/%d", j.County, j.ID), RowsLabel: translate(c.lang, "job.rows")}
	if j.Kind == jobReliefScreening {
		v.RowsLabel = translate(c.lang, "job.households")
	}
	if j.Kind == jobPayoutSend {
		v.RowsLabel = translate(c.lang, "job.lines")
	}
	v.Step, v.Percent, v.Left = jobProgress(c.lang, j, s.d.Clock())
	if j.State == jobs.Failed {
		v.Failed = translate(c.lang, "job.reason."+j.Reason)
		if v.Failed == "job.reason."+j.Reason {
			v.Failed = translate(c.lang, "job.reason.other")
		}
	}
	if pr := payoutResult(j); pr != nil {
		v.RowsLabel = translate(c.lang, "job.lines")
		v.Payout = pr
		if pr.Error != nil {
			v.Failed = pr.Error.in(c.lang)
		}
	} else if ex := exportResult(j); ex != nil {
		v.RowsLabel = translate(c.lang, "job.rows")
		if ex.Error != nil {
			v.Failed = ex.Error.in(c.lang)
		} else if j.State == jobs.Done {
			v.Export = &ex.jobExportResult
		}
	} else if len(j.Result) > 0 && j.Kind == jobReliefScreening {
		var res jobScreeningResult
		if json.Unmarshal(j.Result, &res) == nil {
			v.Screening = &res
			if res.Error != nil {
				v.Failed = res.Error.in(c.lang)
			}
		}
	} else if len(j.Result) > 0 {
		var res jobImportResult
		if json.Unmarshal(j.Result, &res) == nil {
			v.Result = &res
			if res.Error != nil {
				v.Failed = res.Error.in(c.lang)
			}
			for _, r := range res.RowErrors {
				v.Rows = append(v.Rows, jobRowLine{Row: r.Row, Why: r.Why.in(c.lang)})
			}
			v.More = res.Omitted
		}
	}
	return c.render(w, http.StatusOK, "job", v)
}

// jobProgress is a job's step label, percent done and time left, in lang.
func jobProgress(lang string, j jobs.Job, now time.Time) (step string, percent int, left string) {
	if j.Step != "" {
		step = translate(lang, "job.step."+j.Step)
	}
	if j.Total > 0 {
		percent = int(j.Done * 100 / j.Total)
	}
	if d := j.Left(now); d > 0 {
		secs := int(d.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		if secs < 60 {
			left = fmt.Sprintf(translate(lang, "job.left_seconds"), secs)
		} else {
			left = fmt.Sprintf(translate(lang, "job.left_minutes"), (secs+59)/60)
		}
	}
	return step, percent, left
}
