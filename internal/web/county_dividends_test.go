package web_test

func init() {
	for k, v := range map[string]rule{
		"GET /dividends/county":                          {roles: "finance rural"},
		"POST /dividends/county":                         {roles: "finance rural"},
		"GET /dividends/county-runs/{run}":               {roles: staff, always: 404},
		"GET /api/v1/agreements/{county}/dividend-runs":  {roles: "finance rural", record: true, list: true},
		"POST /api/v1/agreements/{county}/dividend-runs": {roles: "finance rural", record: true, list: true},
		"GET /api/v1/dividend-runs/{county}/{run}":       {roles: staff, always: 404},
	} {
		matrix[k] = v
	}
}
