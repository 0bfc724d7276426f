package assets

import (
	"context"

	"onepool/internal/auth"
	"onepool/internal/funds"
	"onepool/internal/policy"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// registerDeps are the collaborators of the register's handovers, upkeep
// and disposals (set by UseServices; app.Wire wires them).
type registerDeps struct {
	wf    *workflow.Engine
	pc    *policy.Counties
	funds *funds.Service
	vol   *volume.Store
	// handOver marks an accepted project handed_over through the projects
	// capability (projects.Advance); nil: the project is left as it is.
	handOver func(ctx context.Context, p auth.Principal, project, note string) error
}

// UseServices gives the register the workflow engine (disposals), the
// county profiles (the disposal chain), the funds capability (a repair's
// payment), the volume (minutes and photos) and the project's handover
// (handOver may be nil).
func (s *Service) UseServices(wf *workflow.Engine, pc *policy.Counties, f *funds.Service, vol *volume.Store,
	handOver func(ctx context.Context, p auth.Principal, project, note string) error) {
	s.reg = &registerDeps{wf: wf, pc: pc, funds: f, vol: vol, handOver: handOver}
}

func (s *Service) deps() *registerDeps {
	if s.reg == nil {
		return &registerDeps{}
	}
	return s.reg
}
