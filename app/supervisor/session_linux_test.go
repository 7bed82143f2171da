package supervisor

import (
	"context"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/desklit/desklit/app/internal/testutil"
)

// On Linux each service leads a session of its own (and so its own process group): the
// scheduler's autogroups then share the CPU between Desklit's window and each service fairly.
func TestServiceLeadsItsOwnSession(t *testing.T) {
	s := newTestSupervisor(t, Options{})
	if err := s.Start(context.Background(), helperSpec("api", "serve", testutil.FreePort(t))); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	pid := s.Snapshot()[0].PID
	if pid == 0 {
		t.Fatalf("no pid for api in %+v", s.Snapshot())
	}
	sid, err := unix.Getsid(pid)
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := syscall.Getpgid(pid)
	if err != nil {
		t.Fatal(err)
	}
	if sid != pid || pgid != pid {
		t.Errorf("service pid %d: session %d, process group %d; want both = pid", pid, sid, pgid)
	}
	if own, _ := unix.Getsid(0); own == sid {
		t.Errorf("service shares the supervisor's session %d", own)
	}
}
