package appwindow

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
)

func TestRedact(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
	tests := []struct{ in, secret string }{
		{"token " + jwt + " end", jwt},
		{"GET /?desklit_token=s3cr3tLaunch&x=1", "s3cr3tLaunch"},
		{`{"refresh_token":"opaque-refresh-123","x":1}`, "opaque-refresh-123"},
		{"Authorization: Bearer opaqueAccess42", "opaqueAccess42"},
		{"DESKLIT_CONTROL_TOKEN=ctl-secret-9", "ctl-secret-9"},
		{"--index-url https://ada:idx-pass-7@pypi.corp.example/simple", "idx-pass-7"},
		{"--extra-index-url https://__token__:pypi-AgEtoken@upload.example/simple", "pypi-AgEtoken"},
	}
	for _, tt := range tests {
		got := string(Redact([]byte(tt.in)))
		if strings.Contains(got, tt.secret) || !strings.Contains(got, "[REDACTED]") {
			t.Errorf("Redact(%q) = %q", tt.in, got)
		}
	}
}

func TestDiagnosticsBundleHasLogsConfigAndNoTokens(t *testing.T) {
	dir := t.TempDir()
	paths := config.PathsFrom(func(k string) string {
		return map[string]string{"XDG_STATE_HOME": dir, "XDG_DATA_HOME": dir, "XDG_CONFIG_HOME": dir}[k]
	})
	if err := os.MkdirAll(paths.Logs, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
	if err := os.WriteFile(filepath.Join(paths.Logs, "api.log"), []byte("request ok\nleaked "+secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(nil, func(string) string { return "" }, paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, "lock.txt")
	if err := os.WriteFile(lock, []byte("tabulate==0.10.0 \\\n    --hash=sha256:f0b0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := diagnostics(paths, cfg, map[string]string{"desklit": "test"}, nil, lock, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		names[f.Name] = string(b)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s contains a token", f.Name)
		}
	}
	if !strings.Contains(names["app-lock.txt"], "tabulate==0.10.0") {
		t.Errorf("app-lock.txt: %q (the running app's lock is part of the bundle)", names["app-lock.txt"])
	}
	for _, want := range []string{"configuration.txt", "versions.txt", "services.json", "logs/api.log"} {
		if _, ok := names[want]; !ok {
			t.Errorf("bundle lacks %s (has %v)", want, names)
		}
	}
	if !strings.Contains(names["configuration.txt"], "DESKLIT_API_PORT=8888") {
		t.Errorf("configuration.txt: %s", names["configuration.txt"])
	}
}
