package supervisor

import (
	"log/slog"
	"os"
	"time"
)

// RestartPolicy says what happens when a service exits on its own.
// Zero fields take the defaults noted on each field.
type RestartPolicy struct {
	MaxCrashes  int           // crashes within Window that mark the service Failed (default 5)
	Window      time.Duration // default 60 s
	MinBackoff  time.Duration // first restart delay before jitter (default 250 ms)
	MaxBackoff  time.Duration // cap of the restart delay (default 10 s)
	StableAfter time.Duration // running this long forgives earlier crashes (default 30 s)
	HealthyFor  time.Duration // Ready this long before a crash: restart after the shortest delay (default 1 s)
	Never       bool          // never restart: the first crash marks the service Failed
}

func (p RestartPolicy) withDefaults() RestartPolicy {
	if p.MaxCrashes <= 0 {
		p.MaxCrashes = 5
	}
	if p.Window <= 0 {
		p.Window = 60 * time.Second
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 250 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 10 * time.Second
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.StableAfter <= 0 {
		p.StableAfter = 30 * time.Second
	}
	if p.HealthyFor <= 0 {
		p.HealthyFor = time.Second
	}
	return p
}

// Spec describes one service.
type Spec struct {
	Name string
	Argv []string
	Env  []string // the child's whole environment (nil: inherit this process's), plus its mark
	Dir  string

	Port         int           // checked before the start; 0 = none
	URL          string        // the status's address (default http://127.0.0.1:<Port>): a proxy's in front
	HealthURL    string        // GET answering 2xx means ready; empty: ready when Port accepts, or at once
	HealthBody   string        // when set, the health answer must contain it
	ReadyTimeout time.Duration // default 30 s

	Restart    RestartPolicy
	Watch      Watch         // checks while Ready: liveness and CPU
	StopSignal os.Signal     // default SIGTERM (Windows: CTRL_BREAK to the process group)
	Grace      time.Duration // between StopSignal and kill (default 5 s)
}

func (sp Spec) withDefaults() Spec {
	if sp.ReadyTimeout <= 0 {
		sp.ReadyTimeout = 30 * time.Second
	}
	if sp.Grace <= 0 {
		sp.Grace = 5 * time.Second
	}
	if sp.StopSignal == nil {
		sp.StopSignal = defaultStopSignal
	}
	sp.Restart = sp.Restart.withDefaults()
	sp.Watch = sp.Watch.withDefaults()
	return sp
}

// Watch configures the checks that run while a service is Ready: its health check again (a hung
// process keeps its port open but stops answering) and its CPU use (a script stuck in a loop).
// One timer drives both, one check per Interval; nothing runs while the service is not Ready.
// Zero fields take the defaults noted on each field.
type Watch struct {
	Interval time.Duration // between two checks (default 5 s); negative: no checks
	Timeout  time.Duration // of one health probe (default 2 s)
	Failures int           // failed probes in a row that make the service Unhealthy (default 3)
	CPUHigh  float64       // CPU % (100 = one core) that counts as high (default 90)
	CPUFor   time.Duration // that long above CPUHigh sets Status.CPUHigh (default 30 s)
}

func (w Watch) withDefaults() Watch {
	if w.Interval == 0 {
		w.Interval = 5 * time.Second
	}
	if w.Timeout <= 0 {
		w.Timeout = probeTimeout
	}
	if w.Failures <= 0 {
		w.Failures = 3
	}
	if w.CPUHigh <= 0 {
		w.CPUHigh = 90
	}
	if w.CPUFor <= 0 {
		w.CPUFor = 30 * time.Second
	}
	return w
}

// State is where a service is in its life.
type State string

// The states of a service.
const (
	Starting State = "Starting" // launched, health check not yet passed
	Ready    State = "Ready"    // health check passed
	// Unhealthy: Ready, then its health check failed Watch.Failures times in a row; it is
	// stopped and restarted like a crashed service.
	Unhealthy State = "Unhealthy"
	Backoff   State = "Backoff"  // crashed; restarts after Status.RetryIn
	Failed    State = "Failed"   // gave up: crash loop or start-up failure; see LastError
	Stopping  State = "Stopping" // stop signal sent, within the grace period
	Stopped   State = "Stopped"
)

// Status is a service's observable state.
type Status struct {
	Name       string
	State      State
	PID        int // 0 when no process runs
	Restarts   int // restarts since Start (after crashes and on request)
	Since      time.Time
	Uptime     time.Duration // of the current process; filled in by Snapshot
	RetryIn    time.Duration // in Backoff: delay before the next start
	ExitStatus string        // of the last exit, e.g. "exit status 3" or "signal: killed"
	LastError  string        // why the service is in Backoff or Failed, with its last log lines
	Reason     string        // the same in one line (e.g. the program now holding its port)
	Breaker    Breaker       // the crashes that count towards Failed
	CPUHigh    bool          // while Ready: CPU stayed above Watch.CPUHigh for Watch.CPUFor
	CPUPercent float64       // since the previous Snapshot (or the start); filled in by Snapshot
	RSSBytes   uint64        // filled in by Snapshot
	Port       int
	URL        string // http://127.0.0.1:<port> when a port is set
}

// Breaker is the crash count behind Failed: Max crashes within Window stop the restarts.
type Breaker struct {
	Crashes int // counted at the last crash (those within Window)
	Max     int
	Window  time.Duration
}

// Event is one state change, or a change within a state (Status.CPUHigh). Events of one supervisor carry increasing Seq numbers and are
// delivered to each subscriber in that order.
type Event struct {
	Seq    uint64
	Time   time.Time
	Status Status
}

// LogLine is one line a service wrote.
type LogLine struct {
	Service string
	Time    time.Time
	Stream  string // "stdout" or "stderr"
	Text    string
}

// Options configure a Supervisor. Zero fields take defaults.
type Options struct {
	LogDir      string // <service>.log files; empty: no log files
	RunDir      string // <service>.pid files; empty: no pid files (leftovers are not recognised)
	Logger      *slog.Logger
	RingSize    int   // lines kept in memory per service (default 1000)
	MaxLogBytes int64 // a log file is rotated to .1 beyond this size (default 10 MiB)

	Clock Clock          // for backoff and grace timers and timestamps (default: real time)
	Rand  func() float64 // in [0,1) for backoff jitter (default math/rand/v2)
}

// Clock is time as the supervisor sees it; tests may substitute it.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a stoppable one-shot timer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                 { return time.Now() }
func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
