package web

import (
	"time"

	"onepool/internal/policy"
)

// The answers of the API routes whose handlers live beside their pages
// (funds checks and reports, imports, instructions, minutes and teams,
// policy): one typed struct each, snake_case keys, lists never null.

type (
	instructionAnswer struct {
		Instruction instructionJSON `json:"instruction"`
		// Job is the job sending an approved payout batch's remaining
		// lines (GET /api/v1/jobs/{county}/{id}); absent otherwise.
		Job int64 `json:"job,omitempty"`
	}
	instructionsAnswer struct {
		Instructions []instructionJSON `json:"instructions"`
	}
	fundProjectsAnswer struct {
		Projects []projectJSON `json:"projects"`
	}
	reportLineJSON struct {
		Channel   string `json:"channel"`
		Allocated Amount `json:"allocated"`
		Paid      Amount `json:"paid"`
		Held      Amount `json:"held"`
		Crossed   bool   `json:"crossed_category"`
	}
	reportPaymentJSON struct {
		Channel string `json:"channel"`
		To      string `json:"to"`
		Amount  Amount `json:"amount"`
		Count   int64  `json:"transfers"`
	}
	projectReportAnswer struct {
		Project  projectJSON         `json:"project"`
		Channels []reportLineJSON    `json:"channels"`
		Payments []reportPaymentJSON `json:"payments"`
		Total    reportLineJSON      `json:"total"`
	}
	villageChecksAnswer struct {
		Village string      `json:"village"`
		Year    int         `json:"year"`
		Checks  []checkJSON `json:"checks"`
	}
	channelProjectJSON struct {
		Project    string `json:"project"`
		Name       string `json:"name"`
		Allocated  Amount `json:"allocated"`
		Paid       Amount `json:"paid"`
		Households int64  `json:"households"`
		ToHouses   Amount `json:"to_households"`
	}
	channelReportAnswer struct {
		Channel    fundChannelJSON      `json:"channel"`
		Arrived    Amount               `json:"arrived"`
		Integrated Amount               `json:"integrated"`
		InPool     Amount               `json:"in_pool"`
		Projects   []channelProjectJSON `json:"projects"`
	}
	// rowErrorJSON is one bad cell of an import.
	rowErrorJSON struct {
		Column string `json:"column"`
		Row    int    `json:"row"`
		Why    string `json:"why"`
	}
	rowsError struct {
		apiError
		Rows []rowErrorJSON `json:"rows"`
	}
	rowsErrorAnswer struct {
		Error rowsError `json:"error"`
	}
	commitmentJSON struct {
		Village    string `json:"village"`
		MinutesNo  string `json:"minutes_no"`
		MeetingDay string `json:"meeting_day"`
		Department string `json:"department"`
		Amount     Amount `json:"amount"`
		Deadline   string `json:"deadline"`
		Fulfilled  Amount `json:"fulfilled"`
		Met        bool   `json:"met"`
		Overdue    bool   `json:"overdue"`
	}
	commitmentsAnswer struct {
		Commitments []commitmentJSON `json:"commitments"`
	}
	minutesAnswer struct {
		Village     string `json:"village"`
		MinutesNo   string `json:"minutes_no"`
		Commitments int    `json:"commitments"` // how many were recorded
	}
	pairJSON struct {
		Household string `json:"household"`
		Cadre     string `json:"cadre"`
	}
	teamJSON struct {
		Village string              `json:"village"`
		Members map[string][]string `json:"members"` // by role
		Pairs   []pairJSON          `json:"pairs"`
	}
	teamsAnswer struct {
		Teams []teamJSON `json:"teams"`
	}
	assignAnswer struct {
		Village string   `json:"village"`
		Role    string   `json:"role"`
		Names   []string `json:"names"`
	}
	policyAnswer struct {
		County     string         `json:"county"`
		Profile    string         `json:"profile"`
		Overrides  string         `json:"overrides"` // the county's TOML overrides, as written
		Overridden []string       `json:"overridden"`
		UpdatedAt  time.Time      `json:"updated_at"`
		UpdatedBy  string         `json:"updated_by"`
		Resolved   policy.Profile `json:"resolved"`
	}
)
