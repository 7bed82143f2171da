package supervisor

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	psnet "github.com/shirou/gopsutil/v3/net"
	"github.com/shirou/gopsutil/v3/process"
)

// PortInUseError says which program holds a service's port.
type PortInUseError struct {
	Service string
	Port    int
	PID     int32 // 0 when the holder is not visible (another user's process)
	Name    string
	Cmdline string
}

func (e *PortInUseError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("port %d (%s) is in use by another program", e.Port, e.Service)
	}
	name := e.Name
	if name == "" {
		name = "a process"
	}
	if e.Cmdline == "" {
		return fmt.Sprintf("port %d (%s) is in use by %s (pid %d)", e.Port, e.Service, name, e.PID)
	}
	return fmt.Sprintf("port %d (%s) is in use by %s (pid %d: %s)", e.Port, e.Service, name, e.PID, e.Cmdline)
}

// maxCmdline keeps a foreign command line in a message short.
const maxCmdline = 160

// CheckPort reports whether 127.0.0.1:port can be bound: nil when it is free, a
// *PortInUseError naming the holder when it is taken, another error otherwise. It never stops
// anything.
func CheckPort(service string, port int) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err == nil {
		ln.Close()
		return nil
	}
	if !isAddrInUse(err) {
		return fmt.Errorf("port %d (%s): %w", port, service, err)
	}
	return portInUse(service, port, portHolder(port))
}

// portInUse names the program (pid; 0: not visible) that holds a service's port.
func portInUse(service string, port int, pid int32) *PortInUseError {
	pe := &PortInUseError{Service: service, Port: port, PID: pid}
	if pe.PID != 0 {
		if p, err := process.NewProcess(pe.PID); err == nil {
			pe.Name, _ = p.Name()
			cmd, _ := p.Cmdline()
			if len(cmd) > maxCmdline {
				cmd = cmd[:maxCmdline] + "…"
			}
			pe.Cmdline = cmd
		}
	}
	return pe
}

// foreignListener is the program that answered a service's readiness check in its stead: the
// holder of its port when that is neither the service's process, nor one it spawned (its mark),
// nor Desklit itself; nil when the service holds it, or when that cannot be told (no port, the
// holder not visible, Windows, where a job object and not a mark holds the tree).
func foreignListener(name string, port int, rec *pidRecord) *PortInUseError {
	if port <= 0 || rec == nil || !rec.marksTree() {
		return nil
	}
	holder := portHolder(port) // the system's socket tables: ~7-10 ms here
	if holder == 0 || holder == rec.PID || holder == int32(os.Getpid()) || isDescendant(*rec, holder) {
		return nil
	}
	return portInUse(name, port, holder)
}

// portHolder finds the pid listening on port, or 0 when none is visible.
func portHolder(port int) int32 {
	conns, err := psnet.Connections("tcp")
	if err != nil {
		return 0
	}
	for _, c := range conns {
		if c.Status == "LISTEN" && int(c.Laddr.Port) == port && c.Pid != 0 {
			return c.Pid
		}
	}
	return 0
}

// listensElsewhere says on which other ports a service that did not come up on its own listens
// (Flask's app.run() on 5000 where Desklit gave it PORT=43901): ", but it listens on port 5000",
// "" when it listens on none, or when that cannot be told (as foreignListener).
func listensElsewhere(port int, rec *pidRecord) string {
	if port <= 0 || rec == nil || !rec.marksTree() {
		return ""
	}
	conns, err := psnet.Connections("tcp")
	if err != nil {
		return ""
	}
	var ports []string
	for _, c := range conns {
		p := int(c.Laddr.Port)
		if c.Status != "LISTEN" || p == port || c.Pid == 0 || slices.Contains(ports, strconv.Itoa(p)) {
			continue
		}
		if c.Pid == rec.PID || isDescendant(*rec, c.Pid) {
			ports = append(ports, strconv.Itoa(p))
		}
	}
	switch len(ports) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(", but it listens on port %s instead of %d", ports[0], port)
	}
	return fmt.Sprintf(", but it listens on ports %s instead of %d", strings.Join(ports, ", "), port)
}
