package project

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const notesAPI = `name = "Notes"
demo_api = true

[services.notes-api]
command = ["python", "api.py", "--port", "{port}"]
health  = "/healthz"
protect = "bearer"
public  = ["/api/ping", "/static/*"]

[services.notes-api.scopes]
"/api/admin/*" = "admin:write"
"/api/*/items" = "read:items"

[services.worker]
command = ["node", "worker.js"]
ready_timeout = "2m30s"
`

func TestServices(t *testing.T) {
	p, err := Load(tree(t, map[string]string{"desklit.toml": notesAPI, "app.py": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 2 || !p.DemoAPI {
		t.Fatalf("services %+v, want notes-api and worker", p.Services)
	}
	api, worker := p.Services[0], p.Services[1]
	if api.Name != "notes-api" || strings.Join(api.Command, " ") != "python api.py --port {port}" ||
		api.Health != "/healthz" || api.Protect != ProtectBearer || strings.Join(api.Public, ",") != "/api/ping,/static/*" {
		t.Errorf("notes-api %+v", api)
	}
	if len(api.Scopes) != 2 || api.Scopes[0] != (ScopeRule{"/api/admin/*", "admin:write"}) || api.Scopes[1] != (ScopeRule{"/api/*/items", "read:items"}) {
		t.Errorf("scopes %+v, want the file's order", api.Scopes)
	}
	if api.EnvName() != "NOTES_API" || !strings.HasSuffix(api.Where("command"), "desklit.toml line 5") || api.Lines[""] != 4 {
		t.Errorf("env name %s, command at %s, table at %d", api.EnvName(), api.Where("command"), api.Lines[""])
	}
	if worker.Name != "worker" || worker.Protect != ProtectNone || worker.Health != "" {
		t.Errorf("worker %+v: protect defaults to none", worker)
	}
	if api.ReadyTimeout != 0 || worker.ReadyTimeout != 150*time.Second || worker.Lines["ready_timeout"] != 16 {
		t.Errorf("ready_timeout: notes-api %s (want 0: the default), worker %s at line %d (want 2m30s at 16)",
			api.ReadyTimeout, worker.ReadyTimeout, worker.Lines["ready_timeout"])
	}
}

// TestServiceListensOnThisMachineOnly: a desklit.toml command that asks for every address (the
// Procfile habit, `--host 0.0.0.0`) listens on 127.0.0.1, as a Compose service's does: a
// "bearer" service would otherwise answer the network on its own port, past its guard.
func TestServiceListensOnThisMachineOnly(t *testing.T) {
	p, err := Load(tree(t, map[string]string{"app.py": "", "desklit.toml": `[services.backend]
command = ["uvicorn", "api:app", "--host", "0.0.0.0", "--port", "{port}"]
protect = "bearer"
[services.flask]
command = ["flask", "run", "--host=::", "--port={port}"]
[services.gunicorn]
command = ["gunicorn", "-b", "0.0.0.0:{port}", "api:app"]
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"backend": "uvicorn api:app --host 127.0.0.1 --port {port}", "flask": "flask run --host=127.0.0.1 --port={port}",
		"gunicorn": "gunicorn -b 127.0.0.1:{port} api:app"}
	for _, sv := range p.Services {
		if got := strings.Join(sv.Command, " "); got != want[sv.Name] {
			t.Errorf("%s: command %q, want %q", sv.Name, got, want[sv.Name])
		}
	}
}

func TestServiceErrors(t *testing.T) {
	tests := []struct {
		name, toml string
		line       int
		key        string
		want       string
	}{
		{"unknown key", "[services.web]\ncommand = [\"python\", \"api.py\"]\nhealth_check = \"/h\"\n", 3, "services.web.health_check", "known in [services.NAME]: command, health"},
		{"two tables on one name", "[services.web]\ncommand = [\"a\"]\n\n[services.web]\ncommand = [\"b\"]\n", 4, "services.web", "two services on one name"},
		{"two names, one variable", "[services.notes-api]\ncommand = [\"a\"]\n[services.notes_api]\ncommand = [\"b\"]\n", 3, "services.notes_api", "DESKLIT_SERVICE_NOTES_API_URL"},
		{"no command", "[services.web]\nhealth = \"/healthz\"\n", 1, "services.web", "has no command"},
		{"empty command", "[services.web]\ncommand = []\n", 2, "services.web.command", "must name a program"},
		{"command a string", "[services.web]\ncommand = \"python api.py\"\n", 2, "services.web.command", "list of strings"},
		{"protect", "[services.web]\ncommand = [\"a\"]\nprotect = \"jwt\"\n", 3, "services.web.protect", `"bearer"`},
		{"public without bearer", "[services.web]\ncommand = [\"a\"]\npublic = [\"/x\"]\n", 3, "services.web.public", `protect = "bearer"`},
		{"bad scope pattern", "[services.web]\ncommand = [\"a\"]\nprotect = \"bearer\"\n[services.web.scopes]\n\"/api/[admin\" = \"admin\"\n", 5, "services.web.scopes./api/[admin", "not a valid path pattern"},
		{"relative scope pattern", "[services.web]\ncommand = [\"a\"]\nprotect = \"bearer\"\n[services.web.scopes]\n\"api/x\" = \"admin\"\n", 5, "services.web.scopes.api/x", "must start with /"},
		{"two scopes", "[services.web]\ncommand = [\"a\"]\nprotect = \"bearer\"\n[services.web.scopes]\n\"/x\" = \"a b\"\n", 5, "services.web.scopes./x", "not one scope"},
		{"bad public", "[services.web]\ncommand = [\"a\"]\nprotect = \"bearer\"\npublic = [\"ping\"]\n", 4, "services.web.public", "must start with /"},
		{"health not a path", "[services.web]\ncommand = [\"a\"]\nhealth = \"healthz\"\n", 3, "services.web.health", "starting with /"},
		{"bad name", "[services.Notes]\ncommand = [\"a\"]\n", 1, "services.Notes", "not a service name"},
		{"port taken by [ports]", "[ports]\nstreamlit = 4100\n[services.web]\ncommand = [\"a\"]\nport = 4100\n", 5, "services.web.port", "also ports.streamlit"},
		{"a name of Desklit's", "[services.api]\ncommand = [\"a\"]\n", 1, "services.api", "Desklit's own services"},
		{"not a table", "services = 3\n", 1, "services", ""},
		{"ready_timeout not a duration", "[services.web]\ncommand = [\"a\"]\nready_timeout = \"20\"\n", 3, "services.web.ready_timeout", `"20" is not a duration: write it as "20s"`},
		{"ready_timeout a number", "[services.web]\ncommand = [\"a\"]\nready_timeout = 20\n", 3, "services.web.ready_timeout", `must be a duration string, such as "20s"`},
		{"ready_timeout too short", "[services.web]\ncommand = [\"a\"]\n\nready_timeout = \"10ms\"\n", 4, "services.web.ready_timeout", "outside 1s to 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tree(t, map[string]string{"desklit.toml": tt.toml, "app.py": ""}))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Load = %v, want a *project.Error", err)
			}
			if pe.Line != tt.line || pe.Key != tt.key || !strings.Contains(pe.Msg, tt.want) || !strings.HasSuffix(pe.File, "desklit.toml") {
				t.Errorf("error %q (line %d, key %q), want line %d, key %q, %q", err, pe.Line, pe.Key, tt.line, tt.key, tt.want)
			}
		})
	}
}
