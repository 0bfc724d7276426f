package web_test

func init() {
	for k, v := range map[string]rule{
		"GET /agreements/{id}/dividends":                               {roles: staff, record: true},
		"POST /agreements/{id}/dividends/payments":                     {roles: "finance rural", record: true},
		"POST /agreements/{id}/dividends/declare":                      {roles: "township rural finance", record: true},
		"POST /agreements/{id}/dividends/runs":                         {roles: "finance rural", record: true},
		"POST /agreements/{id}/dividends/pay":                          {roles: "finance rural", record: true},
		"GET /dividends/runs/{run}":                                    {roles: staff, always: 404},
		"GET /dividends/lines/{id}":                                    {roles: staff, always: 404},
		"GET /dividends/batches/{id}":                                  {roles: "finance rural", always: 404},
		"GET /dividends/batches/{id}/payout.xlsx":                      {roles: "finance rural", always: 404},
		"POST /dividends/batches/{id}/return":                          {roles: "finance rural", always: 404},
		"POST /dividends/batches/{id}/send":                            {roles: "finance rural", always: 404},
		"GET /dividends/batches/{id}/return-template.xlsx":             {roles: "finance rural", always: 404},
		"GET /api/v1/agreements/{county}/{id}/dividends":               {roles: staff, record: true},
		"POST /api/v1/agreements/{county}/{id}/dividends/payments":     {roles: "finance rural", record: true},
		"POST /api/v1/agreements/{county}/{id}/dividends/declarations": {roles: "township rural finance", record: true},
		"POST /api/v1/agreements/{county}/{id}/dividends/runs":         {roles: "finance rural", record: true},
		"GET /api/v1/agreements/{county}/{id}/dividends/runs/{run}":    {roles: staff, always: 404},
	} {
		matrix[k] = v
	}
}
