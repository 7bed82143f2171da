package shell

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/desklit/desklit/app/control"
)

// publishStatus lets `desklit status` ask this instance for its services: the control channel
// answers GET /status to the status token, and the run directory's endpoint file names both.
func (s *Shell) publishStatus(ctl *control.Server) {
	if err := ctl.EnableStatus(s.statusToken, s.serviceStatuses); err != nil {
		s.log.Warn("desklit status will not see this instance", "err", err)
		return
	}
	if err := ctl.EnableRefresh(s.refreshFor); err != nil {
		s.log.Warn("desklit token will refresh by itself", "err", err)
	}
	// Another Desklit that answers keeps its file (this one may be about to fail on a port).
	if old, err := control.ReadEndpoint(s.o.Paths.Run); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := control.FetchStatus(ctx, old)
		cancel()
		if err == nil {
			s.log.Warn("another Desklit runs; desklit status shows that one", "pid", old.PID)
			return
		}
	}
	if err := control.WriteEndpoint(s.o.Paths.Run, s.statusEndpoint(ctl)); err != nil {
		s.log.Warn("desklit status will not see this instance", "err", err)
	}
}

// refreshFor refreshes the session for `desklit token` when it expires within the given time
// (control.EnableRefresh): this instance's session manager stays the only refresher.
func (s *Shell) refreshFor(ctx context.Context, within time.Duration) (time.Time, error) {
	m := s.Sessions()
	if m == nil {
		return time.Time{}, errors.New("the app is still starting")
	}
	return m.RefreshWithin(ctx, within)
}

// unpublishStatus removes the endpoint file, unless another instance has replaced it.
func (s *Shell) unpublishStatus() {
	s.mu.Lock()
	ctl := s.ctl
	s.mu.Unlock()
	if ctl != nil {
		control.RemoveEndpoint(s.o.Paths.Run, s.statusEndpoint(ctl))
	}
}

func (s *Shell) statusEndpoint(ctl *control.Server) control.Endpoint {
	return control.Endpoint{URL: ctl.URL(), Token: s.statusToken, PID: os.Getpid()}
}

func (s *Shell) serviceStatuses() []control.ServiceStatus {
	snap := s.sup.Snapshot()
	out := make([]control.ServiceStatus, len(snap))
	for i, st := range snap {
		out[i] = control.ServiceStatus{
			Name: st.Name, State: string(st.State), PID: st.PID, URL: st.URL, Since: st.Since,
			Restarts: st.Restarts, RetryInMS: st.RetryIn.Milliseconds(), ExitStatus: st.ExitStatus,
			Reason: st.Reason, Crashes: st.Breaker.Crashes, MaxCrashes: st.Breaker.Max,
			WindowMS: st.Breaker.Window.Milliseconds(), CPUPercent: st.CPUPercent, CPUHigh: st.CPUHigh,
		}
	}
	return out
}
