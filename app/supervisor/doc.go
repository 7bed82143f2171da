// Package supervisor runs local services as child processes: it checks their ports, starts them
// concurrently, waits until their health checks pass, restarts them with backoff when they crash,
// stops them politely (signal, grace, kill) in reverse start order, and keeps their output in
// rotated log files and in-memory ring buffers. State changes are pushed to subscribers as
// events.
//
// While a service is Ready, one timer per service repeats its health check every few seconds
// (Spec.Watch): a service that stops answering (hung, SIGSTOPped) is shown Unhealthy and
// restarted like a crashed one; a service that keeps a core busy for a while is flagged
// (Status.CPUHigh) and left running.
//
// A service runs in its own process group (Linux: in a session of its own, with Pdeathsig so it
// dies with the supervisor; Windows: inside a job object that kills the tree when the supervisor
// goes away, asked to stop through a stop event it inherits, StopEnv, and CTRL_BREAK).
// Every child's pid, create time, command line, session and process group are recorded in a pid
// file, and every child starts with a mark of its own in its environment (DESKLIT_SUPERVISED),
// which what it spawns inherits. When the supervisor was killed without stopping its services,
// the next start stops what is left of each: the child itself, if it still runs as the recorded
// process, and every process of its session (Linux) or group created after it that carries its
// mark; a pid that was reused is never touched. A foreign process holding a port is named and left
// alone.
//
// The package does not import Wails.
package supervisor
