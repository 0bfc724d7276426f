package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
)

// The entities' routes in the authorization matrix.
func init() {
	for k, v := range map[string]rule{
		"GET /entities":                               {roles: staff, list: true},
		"GET /entities.xlsx":                          {roles: staff, list: true},
		"POST /entities":                              {roles: "village township rural"},
		"POST /entities/import":                       {roles: "village township rural"},
		"GET /entities/import/template.xlsx":          {roles: staff},
		"GET /entities/{code}":                        {roles: staff, record: true},
		"POST /entities/{code}":                       {roles: "village township rural", record: true},
		"POST /entities/{code}/reveal":                {roles: "village township rural", record: true},
		"POST /entities/{code}/links":                 {roles: "village township rural", record: true},
		"POST /entities/{code}/effects":               {roles: "village township rural", record: true},
		"GET /api/v1/entities/{county}":               {roles: staff, record: true, list: true},
		"POST /api/v1/entities/{county}":              {roles: "village township rural", record: true, list: true},
		"GET /api/v1/entities/{county}/{code}":        {roles: staff, record: true},
		"GET /api/v1/entities/{county}/{code}/links":  {roles: staff, record: true},
		"POST /api/v1/entities/{county}/{code}/links": {roles: "village township rural", record: true},
	} {
		matrix[k] = v
	}
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// testUSCC makes a valid unified social credit code from a number.
func testUSCC(n int) string {
	body := fmt.Sprintf("93520000MA%07d", n)
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, r := range body {
		sum += strings.IndexRune(usccAlphabet, r) * w[i]
	}
	return body + string(usccAlphabet[(31-sum%31)%31])
}

// fixtureUSCC is the entity each of the matrix's codes names: A's village,
// the county, B's village; acct-x (the other county) names none.
var fixtureUSCC = map[string]string{"acct-a": testUSCC(1), "acct-county": testUSCC(2), "acct-b": testUSCC(3), "acct-x": testUSCC(4)}

// fixtureEntities registers the matrix's entities (B's is named like B's
// household, so that a list showing it fails the list check).
func fixtureEntities(t *testing.T, db *store.DB, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys) {
	t.Helper()
	s := entities.New(db, l, reg, keys, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for code, pl := range map[string]string{"acct-a": vilA, "acct-county": root, "acct-b": vilB} {
		name := map[string]string{"acct-a": "甲村合作社", "acct-county": "甲县龙头企业", "acct-b": "乙户合作社"}[code]
		if _, _, err := s.Create(context.Background(), rural, entities.Entity{USCC: fixtureUSCC[code], Kind: entities.Cooperative, Name: name, Place: place.Code(pl), LegalRep: "张三",
			Bank: entities.Bank{Holder: name, Bank: "农商行", Number: "6222000011112222"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// entityPath puts the entity's USCC where a matrix path names a code.
func entityPath(p, code string) string {
	if u, ok := fixtureUSCC[code]; ok && strings.Contains(p, "/entities/") {
		return strings.Replace(p, "/"+code, "/"+u, 1)
	}
	return p
}
