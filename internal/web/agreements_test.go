package web_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

func init() {
	for k, v := range map[string]rule{
		"GET /agreements":                             {roles: staff, list: true},
		"GET /area/agreements":                        {roles: staff},
		"GET /agreements.xlsx":                        {roles: staff, list: true},
		"POST /agreements":                            {roles: "village township rural"},
		"GET /agreements/{id}":                        {roles: staff, record: true},
		"POST /agreements/{id}/step":                  {roles: "village township rural", record: true},
		"POST /agreements/{id}/renew":                 {roles: "village township rural", record: true},
		"GET /api/v1/agreements/{county}":             {roles: staff, record: true, list: true},
		"POST /api/v1/agreements/{county}":            {roles: "village township rural", record: true, list: true},
		"GET /api/v1/agreements/{county}/{id}":        {roles: staff, record: true},
		"POST /api/v1/agreements/{county}/{id}/steps": {roles: "village township rural", record: true},
	} {
		matrix[k] = v
	}
}

// fixtureAgreementID is the agreement each of the matrix's codes names:
// a direct subsidy of household acct-a (A's village) and of acct-b (B's
// village); the county and the other county name none.
var fixtureAgreementID = map[string]int64{"acct-a": 1, "acct-b": 2}

// fixtureAgreements drafts the matrix's agreements.
func fixtureAgreements(t *testing.T, db *store.DB, pc *policy.Counties) {
	t.Helper()
	s := agreements.New(db, nil, workflow.New(db, nil), pc, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: place.Code(root), County: countyA}
	for _, h := range []string{"acct-a", "acct-b"} {
		if _, err := s.Create(context.Background(), rural, agreements.Agreement{Kind: agreements.Subsidy, Purpose: "养牛", Amount: 1000_00, Start: "2026-03-01", TermYears: 3,
			Parties: []agreements.Party{{Household: h}}}); err != nil {
			t.Fatal(err)
		}
	}
}

var agreementsIDPath = regexp.MustCompile(`^(/agreements/|/api/v1/agreements/[0-9]+/)[0-9]+`)

// agreementPath puts the agreement of code where a matrix path names an id.
func agreementPath(p, code string) string {
	id, ok := fixtureAgreementID[code]
	if !ok {
		id = 1 << 40
	}
	return agreementsIDPath.ReplaceAllString(p, "${1}"+fmt.Sprint(id))
}
