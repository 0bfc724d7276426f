package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"onepool/internal/assets"
	"strconv"
	"strings"
	"time"

	"onepool/internal/agreements"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/jobs"
	"onepool/internal/workflow"
)

// Money instructions (资金指令): every money move entered by one person
// waits here for another's approval (two people on money).

func instructionPath(in instruct.Instruction) string {
	return "/instructions/" + strconv.FormatInt(in.ID, 10)
}

func (c *call) instruction(idText string) (instruct.Instruction, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return instruct.Instruction{}, instruct.NotFound()
	}
	return c.s.d.Instructions.Get(c.r.Context(), c.p, id)
}

type instructionsView struct {
	Page
	Queue []instruct.Instruction
	List  []instruct.Instruction
	State string
}

func (s *Server) instructionsPage(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	v := instructionsView{Page: c.page(translate(c.lang, "ins.title"), "money"), State: c.r.URL.Query().Get("state")}
	switch v.State {
	case "", instruct.Pending, instruct.Posted, instruct.Rejected:
	default:
		v.State = ""
	}
	var err error
	if v.Queue, _, err = s.d.Instructions.Queue(ctx, c.p, 200); err != nil {
		return err
	}
	if v.List, err = s.d.Instructions.List(ctx, c.p, instruct.Filter{State: v.State, Limit: 200}); err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "instructions", v)
}

type instructionView struct {
	Page
	In     instruct.Instruction
	Item   workflow.Item
	Chain  []chainRow
	MyStep bool
	// Waiting says who must act when the viewer may not (their own entry).
	Waiting string
	// Next is the page of what the money moved for (the project, the
	// payout batch).
	Next      string
	MakerName string
	Error     string
}

func (s *Server) instructionView(c *call, idText string) (instructionView, error) {
	ctx := c.r.Context()
	in, err := c.instruction(idText)
	if err != nil {
		return instructionView{}, err
	}
	v := instructionView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "ins.one"), in.ID), "money"), In: in}
	if v.Item, err = s.d.Instructions.Item(ctx, in); err != nil {
		return v, err
	}
	hist, err := s.d.Workflow.History(ctx, c.p.County, in.Item)
	if err != nil {
		return v, err
	}
	v.Chain = chainRows(v.Item, hist)
	v.MakerName = in.Maker
	if len(hist) > 0 && hist[0].ActorName != "" {
		v.MakerName = hist[0].ActorName
	}
	v.MyStep = in.State == instruct.Pending && v.Item.CanTake(c.p)
	switch in.Kind {
	case instruct.Allocation, instruct.Payment:
		v.Next = "/funds/projects/" + pathEscape(in.Subject)
	case instruct.Reclaim, instruct.Switch:
		v.Next = "/projects/" + pathEscape(in.Subject)
	case instruct.ReliefBatch:
		v.Next = "/relief"
		if b, err := s.d.Relief.BatchOf(ctx, c.p.County, in.ID); err == nil && b > 0 {
			v.Next = "/relief/batches/" + strconv.FormatInt(b, 10)
		}
	case instruct.SubsidyBatch:
		v.Next = "/agreements?kind=subsidy"
		if b, err := s.d.Relief.Payout().BatchOf(ctx, c.p.County, in.ID); err == nil && b > 0 {
			v.Next = batchPath(in.Subject, b)
		}
	case instruct.AssetDistribution:
		// The subject is the run; the payload names its asset.
		var run struct {
			Asset int64 `json:"asset"`
		}
		v.Next = "/assets"
		if instruct.Decode(in, &run) == nil && run.Asset > 0 {
			v.Next = "/assets/" + strconv.FormatInt(run.Asset, 10) + "/income"
		}
	case instruct.AssetCountyRun:
		v.Next = "/asset-runs/" + strconv.FormatInt(in.ID, 10)
	case instruct.AssetBatch:
		v.Next = "/assets"
		if b, err := s.d.Relief.Payout().BatchOf(ctx, c.p.County, in.ID); err == nil && b > 0 {
			v.Next = batchPath(assets.PayoutKind, b)
		}
	case instruct.BankReturn:
		v.Next = "/relief"
		if in.Subject == agreements.PayoutKind {
			v.Next = "/agreements?kind=subsidy"
		}
		var lines []struct {
			Batch int64 `json:"batch"`
		}
		if instruct.Decode(in, &lines) == nil && len(lines) > 0 {
			v.Next = batchPath(in.Subject, lines[0].Batch)
		}
	case instruct.Reversal:
		v.Next = "/ledger/transfers/" + pathEscape(in.Subject)
	}
	if cur, ok := v.Item.Current(); ok && !v.MyStep && in.State == instruct.Pending {
		v.Waiting = translate(c.lang, "role."+cur.Role) + " · " + cur.Name
	}
	return v, nil
}

func (s *Server) instructionPage(w http.ResponseWriter, c *call) error {
	v, err := s.instructionView(c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "instruction", v)
}

func (s *Server) decideInstruction(w http.ResponseWriter, c *call) error {
	in, err := c.instruction(c.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := workflow.Decision{Action: c.r.PostFormValue("action"), Opinion: c.r.PostFormValue("opinion")}
	if d.Action == workflow.Reject && strings.TrimSpace(d.Opinion) == "" {
		err = errs.F(errs.Invalid, "opinion_required", "opinion", "say why the instruction is rejected")
	} else {
		var out instruct.Instruction
		var started jobs.Job
		ctx := context.WithValue(c.r.Context(), startedJobKey{}, &started)
		if out, err = s.d.Instructions.Decide(ctx, c.p, in.ID, d); err == nil {
			switch out.State {
			case instruct.Posted:
				c.done = translate(c.lang, "done.posted")
				if started.ID != 0 {
					// A payout batch: its remaining lines go to the bank as a
					// job; the approver follows its progress.
					c.done = translate(c.lang, "done.payout_sending")
					return afterForm(w, c, nil, fmt.Sprintf("/jobs/%d", started.ID), nil)
				}
			case instruct.Rejected:
				c.done = translate(c.lang, "done.rejected")
			default:
				c.done = translate(c.lang, "done.approved")
			}
		}
	}
	idText := strconv.FormatInt(in.ID, 10)
	return afterForm(w, c, err, "/instructions/"+idText, func(msg string, status int) error {
		v, verr := s.instructionView(c, idText)
		if verr != nil {
			return err
		}
		v.Error = msg
		return c.render(w, status, "instruction", v)
	})
}

// --- JSON API ---

type instructionJSON struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	Key       string          `json:"key"`
	Place     string          `json:"place"`
	Amount    Amount          `json:"amount"`
	AmountFen int64           `json:"amount_fen"`
	Summary   string          `json:"summary"`
	Subject   string          `json:"subject"`
	State     string          `json:"state"`
	Maker     string          `json:"maker"`
	Approver  string          `json:"approver,omitempty"`
	Transfers []int64         `json:"transfers"`
	Payload   json.RawMessage `json:"payload"`
	Step      string          `json:"waiting_for,omitempty"` // the step it waits for
	CreatedAt time.Time       `json:"created_at"`
}

func (s *Server) toInstructionJSON(c *call, in instruct.Instruction) instructionJSON {
	out := instructionOut(in)
	if in.State == instruct.Pending {
		if it, err := s.d.Instructions.Item(c.r.Context(), in); err == nil {
			if cur, ok := it.Current(); ok {
				out.Step = cur.Name
			}
		}
	}
	return out
}

// instructionOut is an instruction's JSON without the step it waits for.
func instructionOut(in instruct.Instruction) instructionJSON {
	out := instructionJSON{ID: in.ID, Kind: in.Kind, Key: in.Key, Place: string(in.Place), Amount: Amount(in.Amount), AmountFen: int64(in.Amount),
		Summary: in.Summary, Subject: in.Subject, State: in.State, Maker: in.Maker, Approver: in.Approver, Transfers: in.Result, Payload: snakePayload(in.Payload), CreatedAt: in.CreatedAt}
	if out.Transfers == nil {
		out.Transfers = []int64{}
	}
	return out
}

// writeInstruction answers an entered money move: 202 Accepted, nothing
// posted yet (200 when the same key replays an instruction).
func writeInstruction(w http.ResponseWriter, in instruct.Instruction) error {
	status := http.StatusAccepted
	if in.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, instructionAnswer{Instruction: instructionOut(in)})
	return nil
}

func (s *Server) apiInstructions(w http.ResponseWriter, c *call) error {
	if _, err := county(c.r); err != nil {
		return err
	}
	q := c.r.URL.Query()
	f := instruct.Filter{State: q.Get("state"), Kind: q.Get("kind"), Subject: q.Get("subject")}
	if q.Get("queue") == "1" {
		ins, _, err := s.d.Instructions.Queue(c.r.Context(), c.p, 200)
		if err != nil {
			return err
		}
		return s.writeInstructions(w, c, ins)
	}
	ins, err := s.d.Instructions.List(c.r.Context(), c.p, f)
	if err != nil {
		return err
	}
	return s.writeInstructions(w, c, ins)
}

func (s *Server) writeInstructions(w http.ResponseWriter, c *call, ins []instruct.Instruction) error {
	out := make([]instructionJSON, len(ins))
	for i, in := range ins {
		out[i] = s.toInstructionJSON(c, in)
	}
	writeJSON(w, http.StatusOK, instructionsAnswer{Instructions: out})
	return nil
}

func (s *Server) apiInstruction(w http.ResponseWriter, c *call) error {
	if _, err := county(c.r); err != nil {
		return err
	}
	in, err := c.instruction(c.r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, instructionAnswer{Instruction: s.toInstructionJSON(c, in)})
	return nil
}

func (s *Server) apiDecideInstruction(w http.ResponseWriter, c *call) error {
	if _, err := county(c.r); err != nil {
		return err
	}
	in, err := c.instruction(c.r.PathValue("id"))
	if err != nil {
		return err
	}
	var b struct {
		Action  string `json:"action"`
		Opinion string `json:"opinion"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if b.Action == workflow.Reject && strings.TrimSpace(b.Opinion) == "" {
		return errs.F(errs.Invalid, "opinion_required", "opinion", "say why the instruction is rejected")
	}
	var started jobs.Job
	ctx := context.WithValue(c.r.Context(), startedJobKey{}, &started)
	out, err := s.d.Instructions.Decide(ctx, c.p, in.ID, workflow.Decision{Action: b.Action, Opinion: b.Opinion})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, instructionAnswer{Instruction: s.toInstructionJSON(c, out), Job: started.ID})
	return nil
}
