package web

import (
	"context"
	"sync"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
)

// foldWindow is how long repeated refusals of one kind are counted into
// one audit entry.
const foldWindow = time.Minute

// folder folds repeated refusals into the audit log: the first refusal of
// a (county, actor, action, route, reason) is written at once, as it
// happens; the ones that follow within foldWindow are counted and written
// as one entry (After.count, the first and last time) when the window
// closes. A token hammering a forbidden route writes about one row a
// minute instead of one per request, and every refusal is counted once.
type folder struct {
	mu        sync.Mutex
	open      map[foldKey]*foldState
	lastSweep time.Time
}

type foldKey struct{ county, actor, action, route, reason string }

type foldState struct {
	start       time.Time // the window's start
	count       int       // refusals in the window not yet written
	first, last time.Time // of the counted refusals
	entry       audit.Entry
	route       string // the summary's object: the route, not one path
}

// add records one refusal at now and returns the entries to write now.
func (f *folder) add(k foldKey, e audit.Entry, now time.Time) []audit.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.open == nil {
		f.open = map[foldKey]*foldState{}
	}
	var out []audit.Entry
	if now.Sub(f.lastSweep) >= foldWindow/6 {
		out = f.sweep(now, false)
		f.lastSweep = now
	}
	st := f.open[k]
	switch {
	case st == nil:
		// Nothing recent of this kind: write it as it is.
		f.open[k] = &foldState{start: now, entry: e, route: k.route}
		out = append(out, e)
	case now.Sub(st.start) < foldWindow:
		st.count++
		if st.count == 1 {
			st.first = now
		}
		st.last = now
	default:
		// The window is over and the refusals go on: write what it
		// counted and count this one into the next window.
		if st.count > 0 {
			out = append(out, st.summary())
		}
		f.open[k] = &foldState{start: now, count: 1, first: now, last: now, entry: e, route: k.route}
	}
	return out
}

// sweep closes windows that are over (all of them when all), returning
// the summaries to write; f.mu is held.
func (f *folder) sweep(now time.Time, all bool) []audit.Entry {
	var out []audit.Entry
	for k, st := range f.open {
		if all || now.Sub(st.start) >= foldWindow {
			if st.count > 0 {
				out = append(out, st.summary())
			}
			delete(f.open, k)
		}
	}
	return out
}

// summary is the entry for the refusals a window counted.
func (st *foldState) summary() audit.Entry {
	e := st.entry
	after := map[string]any{"count": st.count, "first": st.first.In(clock.Zone).Format(time.RFC3339), "last": st.last.In(clock.Zone).Format(time.RFC3339)}
	if m, ok := e.After.(map[string]string); ok {
		for k, v := range m {
			after[k] = v
		}
	}
	e.After = after
	if st.route != "" {
		e.Object = st.route
	}
	e.Outcome = "denied, repeated"
	return e
}

// FlushAudit writes the refusals counted so far: those of closed windows,
// or all of them when all (at shutdown). `onepool serve` calls it every
// few seconds; requests also sweep closed windows as they come.
func (s *Server) FlushAudit(ctx context.Context, all bool) {
	s.folds.mu.Lock()
	out := s.folds.sweep(s.d.Clock(), all)
	s.folds.mu.Unlock()
	s.writeAudit(ctx, out)
}

func (s *Server) writeAudit(ctx context.Context, es []audit.Entry) {
	for _, e := range es {
		if err := audit.Write(context.WithoutCancel(ctx), s.d.DB, s.d.Clock(), e); err != nil {
			s.d.Log.Error("audit denied access", "err", err)
		}
	}
}
