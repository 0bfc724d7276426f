package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/jobs"
	"onepool/internal/tabular"
)

// jobJSON is a job as GET /api/v1/jobs/{county}/{id} answers it.
type jobJSON struct {
	ID          int64            `json:"id"`
	Kind        string           `json:"kind"`
	State       string           `json:"state"`
	Step        string           `json:"step"`
	StepLabel   string           `json:"step_label"`
	Done        int64            `json:"done"`
	Total       int64            `json:"total"`
	Percent     int              `json:"percent"`
	LeftSeconds int64            `json:"left_seconds"`
	Left        string           `json:"left"`
	Created     string           `json:"created"`
	Started     string           `json:"started"`
	Finished    string           `json:"finished"`
	Reason      string           `json:"reason"`
	Back        string           `json:"back"`
	Result      *jobImportResult `json:"result"`
	// Screening is a relief screening job's result (null for the other kinds).
	Screening *jobScreeningResult `json:"screening"`
	// Export is an export job's result (null for the other kinds); File
	// is where to download it once done.
	Export *jobExportResult `json:"export"`
	File   string           `json:"file"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Zone).Format(time.RFC3339)
}

// apiJob answers one job's state and progress (the job page polls it).
func (s *Server) apiJob(w http.ResponseWriter, c *call) error {
	j, err := s.job(c)
	if err != nil {
		return err
	}
	now := s.d.Clock()
	out := jobJSON{ID: j.ID, Kind: j.Kind, State: j.State, Step: j.Step, Done: j.Done, Total: j.Total, Created: stamp(j.Created), Started: stamp(j.Started),
		Finished: stamp(j.Finished), Reason: j.Reason, Back: j.Back, LeftSeconds: int64(j.Left(now) / time.Second)}
	out.StepLabel, out.Percent, out.Left = jobProgress(c.lang, j, now)
	if j.State == jobs.Done {
		out.Percent = 100
	}
	if ex := exportResult(j); ex != nil {
		out.Export = &ex.jobExportResult
		if j.State == jobs.Done && ex.Error == nil {
			out.File = fmt.Sprintf("/jobs/%d/file", j.ID)
		}
	} else if len(j.Result) > 0 && j.Kind == jobReliefScreening {
		var res jobScreeningResult
		if json.Unmarshal(j.Result, &res) == nil {
			out.Screening = &res
		}
	} else if len(j.Result) > 0 {
		var res jobImportResult
		if json.Unmarshal(j.Result, &res) == nil {
			out.Result = &res
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// jobStartedAnswer is a started job: where to follow it.
type jobStartedAnswer struct {
	Job jobStartedJSON `json:"job"`
}

type jobStartedJSON struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	State string `json:"state"`
	API   string `json:"api"`  // GET it for the progress and the result
	Page  string `json:"page"` // the job's page
}

func writeJobStarted(w http.ResponseWriter, j jobs.Job) {
	id := strconv.FormatInt(j.ID, 10)
	writeJSON(w, http.StatusAccepted, jobStartedAnswer{Job: jobStartedJSON{ID: j.ID, Kind: j.Kind, State: j.State, API: "/api/v1/jobs/" + j.County + "/" + id, Page: "/jobs/" + id}})
}

// apiStartScreening: POST /api/v1/jobs/{county}/relief-screening
// {"year":2026} (the current year when empty) — the county-wide relief
// screening as a job: 202 with the job to follow.
func (s *Server) apiStartScreening(w http.ResponseWriter, c *call) error {
	var b jobScreeningInput
	if c.r.ContentLength != 0 {
		if err := decodeJSON(c.r, &b); err != nil {
			return err
		}
	}
	if b.Year == 0 {
		b.Year = s.d.Clock().In(clock.Zone).Year()
	}
	j, err := s.startScreening(c, b.Year)
	if err != nil {
		return err
	}
	writeJobStarted(w, j)
	return nil
}

// apiStartRegistryImport: POST /api/v1/jobs/{county}/registry-import?kind=households|years
// with the CSV or xlsx as the body — the registry import as a job: 202
// with the job to follow (GET /api/v1/registry/{county}/import does it
// in the request).
func (s *Server) apiStartRegistryImport(w http.ResponseWriter, c *call) error {
	kind := jobRegistryHouseholds
	switch c.r.URL.Query().Get("kind") {
	case "", "households":
	case "years":
		kind = jobRegistryYears
	default:
		return errs.F(errs.Invalid, "invalid_import", "kind", "kind must be households or years")
	}
	body, done := importBody(w, c)
	j, err := s.d.Jobs.Start(c.r.Context(), c.p, kind, "/registry", body)
	done()
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return errs.F(errs.Invalid, "too_large", "file", "the file is larger than %d MiB", tabular.MaxBytes>>20)
		}
		return err
	}
	writeJobStarted(w, j)
	return nil
}
