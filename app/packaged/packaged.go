// Package packaged is what a packaged app (made by `desklit package`) knows about itself: the
// manifest beside its binaries that names the app, its id, its version, its project and the
// settings it was made with. Desklit's binaries read it at start; without one they are Desklit.
package packaged

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/desklit/desklit/app/bundle"
	"github.com/desklit/desklit/app/project"
)

// FileName is the manifest's name, beside the binaries (Contents/Resources on macOS).
const FileName = "desklit-app.json"

// Manifest describes a packaged app.
type Manifest struct {
	AppID   string `json:"app_id"`  // "sales-dashboard": folders, keyring entries, single instance
	Name    string `json:"name"`    // "Sales dashboard": the window, the menus, the shortcuts
	Version string `json:"version"` // the package's version
	Desklit string `json:"desklit"` // the Desklit version it was made with
	// Project is the folder (relative to the manifest) holding the project's files; Script is the
	// script's slash path inside it. Files maps each file's slash path to its SHA-256 (hex).
	Project string            `json:"project"`
	Script  string            `json:"script"`
	Files   map[string]string `json:"files"`
	// Lock is the hash-locked requirements file (relative to the manifest) its environment is
	// installed from, out of Wheelhouse (the wheels of that lock for this platform).
	Lock       string `json:"lock"`
	Wheelhouse string `json:"wheelhouse"`
	// Python is the CPython version ("3.11") the wheels are for.
	Python string `json:"python"`
	// Auth and Ports are the project's desklit.toml [auth] (never a secret) and [ports].
	Auth  map[string]string `json:"auth,omitempty"`  // AUTH0_* → value
	Ports map[string]int    `json:"ports,omitempty"` // DESKLIT_*_PORT → port
	// StLogin is the shape of the [auth] an app written for st.login has in the secrets.toml the
	// package leaves out (its providers and expose_tokens; no secret): Desklit's own [auth] then
	// stands in for it.
	StLogin *project.StLogin `json:"st_login,omitempty"`
	// ServiceLocks are the hash-locked requirements (relative to the manifest) of the app's
	// services that have an environment of their own (a Compose file's backend/), by service
	// name; their wheels are in Wheelhouse too.
	ServiceLocks map[string]string `json:"service_locks,omitempty"`

	// Dir is the folder the manifest was read from (not stored).
	Dir string `json:"-"`
	// Unpacked is what Unpack did to the user's copy of the project (not stored).
	Unpacked bundle.Report `json:"-"`
}

var appIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// Find reads the manifest beside exe (a packaged app's binary), or in ../Resources (macOS). It
// returns nil, nil when there is none: the binary is Desklit itself.
func Find(exe string) (*Manifest, error) {
	if exe == "" {
		return nil, nil
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	dir := filepath.Dir(exe)
	for _, d := range []string{dir, filepath.Join(dir, "..", "Resources")} {
		m, err := Read(filepath.Join(d, FileName))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		return m, err
	}
	return nil, nil
}

// Read reads and checks a manifest file.
func Read(file string) (*Manifest, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w (reinstall the app)", file, err)
	}
	switch {
	case !appIDRE.MatchString(m.AppID) || m.AppID == "desklit":
		return nil, fmt.Errorf("%s: app_id %q is not a valid app id (reinstall the app)", file, m.AppID)
	case m.Name == "" || m.Project == "" || m.Script == "" || m.Lock == "" || len(m.Files) == 0:
		return nil, fmt.Errorf("%s: incomplete manifest (reinstall the app)", file)
	}
	for name, lock := range m.ServiceLocks {
		if !filepath.IsLocal(filepath.FromSlash(lock)) {
			return nil, fmt.Errorf("%s: the lock of the service %s is outside the package (reinstall the app)", file, name)
		}
	}
	m.Dir = filepath.Dir(file)
	return &m, nil
}

// Write writes m as dir/FileName.
func (m *Manifest) Write(dir string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileName), append(data, '\n'), 0o644)
}

// ProjectDir is the folder of the project's files as installed.
func (m *Manifest) ProjectDir() string { return filepath.Join(m.Dir, filepath.FromSlash(m.Project)) }

// LockFile and WheelhouseDir are the lock and the wheels as installed.
func (m *Manifest) LockFile() string { return filepath.Join(m.Dir, filepath.FromSlash(m.Lock)) }

// ServiceLock is the lock of the service name's own environment ("" when it has none).
func (m *Manifest) ServiceLock(name string) string {
	if f, ok := m.ServiceLocks[name]; ok {
		return filepath.Join(m.Dir, filepath.FromSlash(f))
	}
	return ""
}

func (m *Manifest) WheelhouseDir() string {
	return filepath.Join(m.Dir, filepath.FromSlash(m.Wheelhouse))
}

// Unpack checks every project file as installed against the manifest's SHA-256 and keeps dest
// holding those files (bundle.UnpackKeepingData: a changed or missing one of the app's code is
// restored; a data file the app wrote is kept), so that the app runs from a folder of the user's
// that matches what was packaged; m.Unpacked says what it did.
func (m *Manifest) Unpack(dest string) error {
	src := m.ProjectDir()
	for name, want := range m.Files {
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(name)))
		if err != nil {
			return fmt.Errorf("%s: the app's file %s: %w (reinstall the app)", m.Name, name, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != want {
			return fmt.Errorf("%s: the app's file %s is not the one packaged (reinstall the app)", m.Name, name)
		}
	}
	rep, err := bundle.UnpackKeepingData(os.DirFS(src), dest)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", m.Name, err)
	}
	m.Unpacked = rep
	return nil
}
