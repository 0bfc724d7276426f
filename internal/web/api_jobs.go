package web

import (
	"encoding/json"
	"net/http"
	"time"

	"onepool/internal/clock"
	"onepool/internal/jobs"
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
	if len(j.Result) > 0 {
		var res jobImportResult
		if json.Unmarshal(j.Result, &res) == nil {
			out.Result = &res
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
