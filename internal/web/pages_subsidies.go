package web

import (
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/instruct"
)

// Direct subsidies (self-development, M-24) are paid through the payout
// mechanism once their result is accepted: the agreement page offers the
// payment (a batch of every accepted subsidy waiting, a money
// instruction another person approves), and the batches share relief's
// batch pages, payout file and bank return (payer subsidyPayer).

// payAgreement enters a payout batch of the direct subsidies waiting for
// payment, from an accepted subsidy's page.
func (s *Server) payAgreement(w http.ResponseWriter, c *call) error {
	v, err := s.agreementView(c)
	if err != nil {
		return err
	}
	var in instruct.Instruction
	in, err = s.d.Agreements.ProposePayment(c.r.Context(), c.p, strings.TrimSpace(c.r.PostFormValue("key")))
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		v.Error = msg
		return c.render(w, status, "agreement", v)
	})
}

func (s *Server) subsidyBatchPage(w http.ResponseWriter, c *call) error {
	return s.payBatchPage(w, c, subsidyPayer)
}

func (s *Server) subsidyPayoutFile(w http.ResponseWriter, c *call) error {
	return s.payPayoutFile(w, c, subsidyPayer)
}

func (s *Server) subsidyBankReturn(w http.ResponseWriter, c *call) error {
	return s.payBankReturn(w, c, subsidyPayer)
}

func (s *Server) subsidyReturnTemplate(w http.ResponseWriter, c *call) error {
	return s.payReturnTemplate(w, c, subsidyPayer)
}

// batchPath is the page of a payout batch of kind.
func batchPath(kind string, batch int64) string {
	base := reliefPayer.Base
	if py, ok := payerOf(kind); ok {
		base = py.Base
	}
	return base + "/batches/" + strconv.FormatInt(batch, 10)
}
