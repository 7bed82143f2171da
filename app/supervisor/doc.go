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
// goes away).
// Every child's pid, create time and command line are recorded in a pid file, so a leftover from
// an earlier run that still holds a port is recognised and stopped, while a foreign process is
// named and left alone.
//
// The package does not import Wails.
package supervisor
