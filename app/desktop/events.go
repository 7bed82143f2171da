package desktop

import "slices"

// Event names the frontend subscribes to (frontend/src/api.ts mirrors them).
const (
	EvServices = "desklit:services"
	EvSession  = "desklit:session"
	EvProgress = "desklit:progress"
	EvError    = "desklit:error"
	EvLog      = "desklit:log"
	EvView     = "desklit:view"   // menu → UI: "app", "apps", "logs", "package", "reload"
	EvNotice   = "desklit:notice" // a short message for the UI's toast
	EvAppURL   = "desklit:appurl" // the Streamlit URL (with the launch secret) once it is ready
)

// Event names of the user's own apps (issue #14).
const (
	EvApp     = "desklit:app"     // AppView: the current app changed
	EvApps    = "desklit:apps"    // []AppView: the recent apps changed (after a switch)
	EvOpening = "desklit:opening" // the name of the app being opened; "" when the switch ended
)

// EvPackage is File › Package App…'s progress and outcome (PackageEvent; issue #15).
const EvPackage = "desklit:package"

// LogLine is one line of a service's log, as sent to the UI.
type LogLine struct {
	Service string `json:"service"`
	Line    string `json:"line"`
}

// appEvents turns Backend reports into UI events and keeps the snapshot current. It is a
// separate type so that these methods are not bound to the frontend.
type appEvents struct{ a *App }

func (e appEvents) emit(name string, data any) {
	if e.a.ui != nil {
		e.a.ui.Emit(name, data)
	}
}

func (e appEvents) Services(s []ServiceView) {
	s = slices.Clone(s)
	url := ""
	for _, sv := range s {
		if sv.Name == "streamlit" && sv.State == StateReady {
			url = e.a.b.StreamlitURL() // may change after UsePort
		}
	}
	e.a.mu.Lock()
	e.a.snap.Services = s
	changed := url != "" && url != e.a.snap.StreamlitURL
	if changed {
		e.a.snap.StreamlitURL = url
	}
	e.a.mu.Unlock()
	if changed {
		e.emit(EvAppURL, url)
	}
	e.emit(EvServices, s)
}

func (e appEvents) Session(s SessionView) {
	e.a.mu.Lock()
	e.a.snap.Session = s
	e.a.mu.Unlock()
	e.emit(EvSession, s)
}

func (e appEvents) Progress(p ProgressView) {
	e.a.mu.Lock()
	if p.Done {
		e.a.snap.Progress = nil
	} else {
		e.a.snap.Progress = &p
	}
	e.a.mu.Unlock()
	e.emit(EvProgress, p)
}

func (e appEvents) Error(v ErrorView) {
	e.a.mu.Lock()
	if v.Kind == "" {
		e.a.snap.Error = nil
	} else {
		e.a.snap.Error = &v
	}
	e.a.mu.Unlock()
	e.emit(EvError, v)
}

func (e appEvents) LogLine(service, line string) {
	e.emit(EvLog, LogLine{Service: service, Line: line})
}

func (e appEvents) App(v AppView) {
	v.Current = true
	e.a.mu.Lock()
	e.a.snap.App = v
	e.a.mu.Unlock()
	if e.a.ui != nil {
		e.a.ui.SetTitle(e.a.windowTitle(v))
	}
	e.emit(EvApp, v)
	go e.a.refreshApps() // not here: the Backend may call App with its own lock held
}
