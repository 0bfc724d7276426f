// Package app builds onepool's services on one database and wires them
// together — the capabilities, the workflow engine, two people on money
// with every capability's executor registered, the job runner — for the
// web server. cmd builds them here; so do the tests and benchmarks, so
// that every server runs on services wired the same way and web builds
// none of its own (no store of its own, no key it invents).
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"

	"onepool/internal/adopt"
	"onepool/internal/agreements"
	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/jobs"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/relief"
	"onepool/internal/volume"
	"onepool/internal/web"
	"onepool/internal/workflow"
)

// Wire completes d: every service it lacks is built on d.DB with d's
// clock, and the money instructions' executors are registered. d must
// hold the database, the ledger, the auth service and the registry's data
// key (Keys).
func Wire(d web.Deps) (web.Deps, error) {
	if d.DB == nil || d.Ledger == nil || d.Auth == nil {
		return d, errors.New("app: the database, the ledger and the auth service are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Policy == nil {
		d.Policy = policy.NewCounties(d.DB, d.Clock)
	}
	if d.Funds == nil {
		d.Funds = funds.New(d.DB, d.Ledger, d.Policy, d.Clock)
	}
	if d.Workflow == nil {
		d.Workflow = workflow.New(d.DB, d.Clock)
	}
	if d.Volume == nil {
		d.Volume = volume.New(d.DB, d.Clock)
	}
	if d.Projects == nil {
		d.Projects = projects.New(d.DB, d.Funds, d.Workflow, d.Volume, d.Policy, d.Clock)
	}
	if d.Keys == nil {
		return d, errors.New("app: the registry's data key is required (registry.BindKeys)")
	}
	if d.Registry == nil {
		d.Registry = registry.New(d.DB, d.Keys, d.Clock)
	}
	if d.Relief == nil {
		d.Relief = relief.New(d.DB, d.Ledger, d.Registry, d.Keys, d.Workflow, d.Policy, d.Clock)
	}
	if d.Instructions == nil {
		d.Instructions = instruct.NewService(d.DB, d.Workflow, d.Policy, d.Clock)
		d.Instructions.UseLedger(d.Ledger)
		d.Funds.UseInstructions(d.Instructions)
		d.Projects.UseInstructions(d.Instructions)
		d.Relief.UseInstructions(d.Instructions)
	}
	if d.Jobs == nil {
		d.Jobs = jobs.New(d.DB, d.Clock, "", 2)
		if _, err := d.Jobs.Recover(context.Background()); err != nil {
			d.Log.Error("jobs: recover", "err", err)
		}
	}
	if d.Adopt == nil {
		d.Adopt = adopt.New(d.DB, d.Ledger, d.Funds, d.Clock)
	}
	if d.Entities == nil {
		d.Entities = entities.New(d.DB, d.Ledger, d.Registry, d.Keys, d.Clock)
	}
	if d.Agreements == nil {
		d.Agreements = agreements.New(d.DB, d.Entities, d.Workflow, d.Policy, d.Clock)
	}
	if d.Assets == nil {
		d.Assets = assets.New(d.DB, d.Ledger, d.Entities, d.Clock)
		prj := d.Projects
		d.Assets.UseServices(d.Workflow, d.Policy, d.Funds, d.Volume, func(ctx context.Context, p auth.Principal, project, note string) error {
			_, err := prj.Advance(ctx, p, project, projects.HandedOver, note)
			return err
		})
	}
	if d.Agreements.Payout() == nil {
		// One payout mechanism for every client: relief's, so that one
		// service holds the one bank_return executor.
		d.Agreements.UsePayout(d.Relief.Payout(), d.Ledger, d.Registry)
	}
	if d.AssetIncome == nil {
		// The fourth payout client, on the same shared service.
		d.AssetIncome = assets.NewIncome(d.Assets, d.Policy, d.Registry, d.Clock)
		d.AssetIncome.UseInstructions(d.Instructions)
		d.AssetIncome.UsePayout(d.Relief.Payout(), d.Registry)
	}
	if !d.Instructions.Registered(instruct.DividendRun) {
		d.Agreements.UseInstructions(d.Instructions, d.Ledger) // dividend runs, principal returns
	}
	if !d.Instructions.Registered(instruct.Opening) {
		d.Adopt.UseInstructions(d.Instructions)
	}
	d.Entities.UsePolicy(d.Policy)
	return d, nil
}

// Server is web.NewServer on d wired by Wire. Without a data key (tests,
// benchmarks) the registry seals with a key made for this process only:
// what it seals is unreadable after the process ends. onepool serve
// always passes the county's key.
func Server(d web.Deps) *web.Server {
	if d.Keys == nil {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			panic(err)
		}
		d.Keys, _ = registry.NewKeys(master)
	}
	d, err := Wire(d)
	if err != nil {
		panic(err)
	}
	return web.NewServer(d)
}
