package web_test

// The authorization rules of the asset income routes (issue 14). The
// matrix's fixture has no asset yet (the register's fixture comes with
// the assetreg branch): an asset's routes answer 404 to everyone who may
// use them until the lead joins the fixtures.
func init() {
	for k, v := range map[string]rule{
		"GET /api/v1/assets/{county}/report":           {roles: staff, list: true},
		"GET /api/v1/assets/{county}/idle":             {roles: staff, list: true},
		"GET /api/v1/assets/{county}/{id}/income":      {roles: staff, always: 404},
		"POST /api/v1/assets/{county}/{id}/leases":     {roles: "village township rural", always: 404},
		"POST /api/v1/assets/{county}/{id}/income":     {roles: "village township rural", always: 404},
		"POST /api/v1/assets/{county}/{id}/valuations": {roles: "village township rural", always: 404},
		"POST /api/v1/assets/{county}/{id}/runs":       {roles: "village township rural", always: 404},
		"GET /api/v1/assets/{county}/{id}/runs/{run}":  {roles: staff, always: 404},
	} {
		matrix[k] = v
	}
}
