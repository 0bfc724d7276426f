package web_test

// The authorization rules of the asset income routes (issue 14): an
// asset's routes are checked own / parent / sibling on the matrix's
// assets (assets_test.go); a run of none answers 404.
func init() {
	for k, v := range map[string]rule{
		"GET /api/v1/assets/{county}/report":           {roles: staff, list: true},
		"GET /api/v1/assets/{county}/idle":             {roles: staff, list: true},
		"GET /api/v1/assets/{county}/{id}/income":      {roles: staff, record: true},
		"POST /api/v1/assets/{county}/{id}/leases":     {roles: "village township rural", record: true},
		"POST /api/v1/assets/{county}/{id}/income":     {roles: "village township rural", record: true},
		"POST /api/v1/assets/{county}/{id}/valuations": {roles: "village township rural", record: true},
		"POST /api/v1/assets/{county}/{id}/runs":       {roles: "village township rural", record: true},
		"GET /api/v1/assets/{county}/{id}/runs/{run}":  {roles: staff, always: 404},
	} {
		matrix[k] = v
	}
}
