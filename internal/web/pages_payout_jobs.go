package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/jobs"
	"onepool/internal/payout"
)

// jobPayoutSend sends an approved payout batch to the bank in transit,
// chunk by chunk, off the approving request: a batch of 100,000 lines is
// a hundred transactions, and the approver sees its progress instead of
// waiting on the decision's answer.
const jobPayoutSend = "payout.send"

type payoutSendInput struct {
	Instruction int64 `json:"instruction"`
}

type jobPayoutResult struct {
	Batch int64    `json:"batch"`
	Sent  int      `json:"sent"`
	Want  int      `json:"want"`
	Total int64    `json:"total_fen"`
	Error *jobText `json:"error,omitempty"`
}

// startedJobKey carries, in a decision's context, where the After hook
// puts the job it started (so the page can send the approver to it).
type startedJobKey struct{}

// registerPayoutJobs registers the sending job and makes it what runs
// after every payout batch's approval, for every client (relief,
// subsidies, and those wired later): the approving transaction posts the
// batch's first chunk, the job the rest.
func (s *Server) registerPayoutJobs() {
	s.d.Jobs.Register(jobs.Kind{Name: jobPayoutSend, Action: auth.ViewInstructions, Work: s.payoutSendWork})
	pay := s.d.Relief.Payout()
	for kind := range pay.BatchKinds() {
		s.d.Instructions.After(kind, s.startPayoutSend)
	}
}

func (s *Server) startPayoutSend(ctx context.Context, p auth.Principal, in instruct.Instruction) error {
	a, err := s.d.Relief.Payout().ApprovedOf(ctx, in)
	if err != nil || a.Batch == 0 || a.Unsent() == 0 {
		return err
	}
	j, err := s.startPayoutJob(ctx, p, in, a)
	if holder, ok := ctx.Value(startedJobKey{}).(*jobs.Job); ok && err == nil {
		*holder = j
	}
	return err
}

func (s *Server) startPayoutJob(ctx context.Context, p auth.Principal, in instruct.Instruction, a payout.Approved) (jobs.Job, error) {
	b, err := json.Marshal(payoutSendInput{Instruction: in.ID})
	if err != nil {
		return jobs.Job{}, err
	}
	back := instructionPath(in)
	if py, ok := payerOf(a.Kind); ok {
		back = fmt.Sprintf("%s/batches/%d", py.Base, a.Batch)
	}
	return s.d.Jobs.Start(ctx, p, jobPayoutSend, back, bytes.NewReader(b))
}

func (s *Server) payoutSendWork(ctx context.Context, p auth.Principal, f *os.File, progress jobs.Progress) (any, error) {
	var inp payoutSendInput
	if err := json.NewDecoder(f).Decode(&inp); err != nil {
		return nil, err
	}
	in, err := s.d.Instructions.Get(ctx, p, inp.Instruction)
	if err != nil {
		return nil, err
	}
	a, err := s.d.Relief.Payout().SendApproved(ctx, p, in, func(sent, want int) { progress("sending", sent, want) })
	res := jobPayoutResult{Batch: a.Batch, Sent: a.Sent, Want: a.Want, Total: int64(a.SentAmount)}
	if err != nil {
		res.Error = &jobText{Zh: errorText("zh", err), En: errorText("en", err)}
	}
	return res, err
}

func payoutResult(j jobs.Job) *jobPayoutResult {
	if j.Kind != jobPayoutSend || len(j.Result) == 0 {
		return nil
	}
	var res jobPayoutResult
	if json.Unmarshal(j.Result, &res) != nil {
		return nil
	}
	return &res
}

// payers are the batch pages of the payout clients, by payout kind.
func payerOf(kind string) (payer, bool) {
	for _, py := range []payer{reliefPayer, subsidyPayer, dividendPayer, assetPayer} {
		if py.Kind == kind {
			return py, true
		}
	}
	return payer{}, false
}

// unsentOf is what an approved batch has not sent yet (0 for a batch made
// without an instruction, or sent whole).
func (s *Server) unsentOf(c *call, batch int64) (instruct.Instruction, payout.Approved, error) {
	id, err := s.d.Relief.Payout().InstructionOfBatch(c.r.Context(), c.p.County, batch)
	if err != nil || id == 0 {
		return instruct.Instruction{}, payout.Approved{}, err
	}
	in, err := s.d.Instructions.Get(c.r.Context(), c.p, id)
	if err != nil {
		return in, payout.Approved{}, err
	}
	a, err := s.d.Relief.Payout().ApprovedOf(c.r.Context(), in)
	return in, a, err
}

// paySendRest: POST {base}/batches/{id}/send — send what an approved
// batch has not sent yet (after the server stopped half way), as a job.
func (s *Server) paySendRest(w http.ResponseWriter, c *call, py payer) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	if _, err := s.d.Relief.Payout().Batch(c.r.Context(), c.p.County, py.Kind, id); err != nil {
		return err
	}
	in, a, err := s.unsentOf(c, id)
	if err == nil && a.Unsent() == 0 {
		err = errs.F(errs.RuleBroken, "batch_complete", "batch", "every line of this batch has been sent")
	}
	if err == nil {
		var j jobs.Job
		if j, err = s.startPayoutJob(c.r.Context(), c.p, in, a); err == nil {
			http.Redirect(w, c.r, fmt.Sprintf("/jobs/%d", j.ID), http.StatusSeeOther)
			return nil
		}
	}
	return afterForm(w, c, err, fmt.Sprintf("%s/batches/%d", py.Base, id), func(msg string, status int) error {
		v, verr := s.payBatchView(c, py)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "batch", v)
	})
}

func (s *Server) reliefSendRest(w http.ResponseWriter, c *call) error {
	return s.paySendRest(w, c, reliefPayer)
}

func (s *Server) subsidySendRest(w http.ResponseWriter, c *call) error {
	return s.paySendRest(w, c, subsidyPayer)
}

func (s *Server) dividendSendRest(w http.ResponseWriter, c *call) error {
	return s.paySendRest(w, c, dividendPayer)
}
