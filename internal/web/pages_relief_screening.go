package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/jobs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/relief"
)

// The county-wide relief screening runs as a job: a county's 200,000
// households take longer than a request should, and the bureau may leave
// the page. The job's input is the year ({"year":2026}); its result is
// jobScreeningResult, shown on the job page and on the relief page the
// job began from (/relief?screening=ID).

const jobReliefScreening = "relief.screening"

// jobScreeningInput is the job's input.
type jobScreeningInput struct {
	Year int `json:"year"`
}

// jobRefusedCount is how many households one condition kept out.
type jobRefusedCount struct {
	Condition  string `json:"condition"` // status, cause, income, member
	Households int    `json:"households"`
}

// jobScreeningResult is what a screening job records.
type jobScreeningResult struct {
	Year       int               `json:"year"`
	Households int               `json:"households"`
	Eligible   int               `json:"eligible"`
	Total      Amount            `json:"total"` // the eligible households' top-ups
	Refused    []jobRefusedCount `json:"refused"`
	Error      *jobText          `json:"error,omitempty"`
}

func screeningResult(year int, sc relief.Screening, err error) jobScreeningResult {
	res := jobScreeningResult{Year: year, Households: sc.Households, Eligible: sc.Eligible, Total: Amount(sc.Total), Refused: []jobRefusedCount{}}
	for k, n := range sc.Refused {
		res.Refused = append(res.Refused, jobRefusedCount{Condition: k, Households: n})
	}
	sort.Slice(res.Refused, func(i, j int) bool { return res.Refused[i].Condition < res.Refused[j].Condition })
	if err != nil {
		if errs.KindOf(err) == errs.Internal {
			res.Error = &jobText{Zh: translate("zh", "error.internal"), En: translate("en", "error.internal")}
		} else {
			res.Error = &jobText{Zh: formMessage("zh", err), En: formMessage("en", err)}
		}
	}
	return res
}

// screening is the relief.Screening a result stands for (the relief page
// shows it as it showed the screening done in the request).
func (r jobScreeningResult) screening() *relief.Screening {
	sc := &relief.Screening{Households: r.Households, Eligible: r.Eligible, Total: money.Fen(r.Total), Refused: map[string]int{}}
	for _, c := range r.Refused {
		sc.Refused[c.Condition] = c.Households
	}
	return sc
}

// screeningWork is the job's work.
func (s *Server) screeningWork(ctx context.Context, p auth.Principal, in *os.File, progress jobs.Progress) (any, error) {
	var input jobScreeningInput
	b, err := io.ReadAll(io.LimitReader(in, 1<<10))
	if err == nil {
		err = json.Unmarshal(b, &input)
	}
	if err != nil {
		return nil, errs.Wrap(err, "relief screening: read the job's input")
	}
	sc, err := s.d.Relief.ScreenWith(ctx, p.County, input.Year, func(done, total int) { progress("screen", done, total) })
	return screeningResult(input.Year, sc, err), err
}

// startScreening starts the county's screening of year for c's user.
func (s *Server) startScreening(c *call, year int) (jobs.Job, error) {
	if c.p.Place.Level() != place.County {
		return jobs.Job{}, errs.F(errs.Forbidden, "forbidden", "", "the county-wide screening is done at the county")
	}
	if year < 2000 || year > 2100 {
		return jobs.Job{}, errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026")
	}
	in, _ := json.Marshal(jobScreeningInput{Year: year})
	// The job ends where it began: the relief page, with its result.
	return s.d.Jobs.Start(c.r.Context(), c.p, jobReliefScreening, "/relief?screening={id}", bytes.NewReader(in))
}

// reliefScreen: POST /relief/screen — the county-wide screening of this
// year, as a job; the user is sent to its page.
func (s *Server) reliefScreen(w http.ResponseWriter, c *call) error {
	j, err := s.startScreening(c, s.d.Clock().In(clock.Zone).Year())
	if err != nil {
		return s.reliefResult(w, c, err, "")
	}
	setFlash(w, translate(c.lang, "job.started_screening"))
	http.Redirect(w, c.r, "/jobs/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	return nil
}

// screeningOfJob fills the relief page's screening from the job named by
// ?screening=: its result when it has ended, else the running job.
func (s *Server) screeningOfJob(c *call, v *reliefView) error {
	id, err := strconv.ParseInt(c.r.URL.Query().Get("screening"), 10, 64)
	if err != nil || id <= 0 {
		return errs.F(errs.NotFound, "not_found", "job", "no such job")
	}
	j, err := s.d.Jobs.Get(c.r.Context(), c.p, c.p.County, id)
	if err != nil {
		return err
	}
	if j.Kind != jobReliefScreening {
		return errs.F(errs.NotFound, "not_found", "job", "no such job")
	}
	v.ScreeningJob = &j
	var res jobScreeningResult
	if len(j.Result) > 0 && json.Unmarshal(j.Result, &res) == nil {
		v.ScreeningYear = res.Year
		if j.State == jobs.Done {
			v.Screening = res.screening()
		}
	}
	return nil
}
