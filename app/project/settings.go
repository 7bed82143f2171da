package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
)

// settings is desklit.toml. Every key is optional; unknown keys are errors.
type settings struct {
	Name    string        `toml:"name"`
	Version string        `toml:"version"`
	Script  string        `toml:"script"`
	Icon    string        `toml:"icon"`
	Python  string        `toml:"python"`
	Auth    authSettings  `toml:"auth"`
	Ports   portsSettings `toml:"ports"`
	// Services are the project's own services (services.go); DemoAPI keeps Desklit's demo API
	// running beside them.
	Services map[string]serviceSettings `toml:"services"`
	DemoAPI  bool                       `toml:"demo_api"`

	file  string
	lines map[string]int // "key" or "auth.key" -> line
}

// portsSettings are the ports a launch on this project uses (a package's own ports).
type portsSettings struct {
	Streamlit int `toml:"streamlit"`
	Component int `toml:"component"`
	API       int `toml:"api"`
	Callback  int `toml:"callback"`
	IdP       int `toml:"idp"`
}

type authSettings struct {
	Issuer   string `toml:"issuer"`
	ClientID string `toml:"client_id"`
	Audience string `toml:"audience"`
	Scope    string `toml:"scope"`
}

// readSettings reads and checks desklit.toml; nil when the project has none.
func readSettings(path string) (*settings, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &settings{file: path, lines: keyLines(data)}
	if err := decodeSettings(path, data, s); err != nil {
		return nil, err
	}
	if err := s.check(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *settings) bad(key, format string, a ...any) error {
	return &Error{File: s.file, Key: key, Line: s.lines[key], Msg: fmt.Sprintf(format, a...)}
}

// check validates the values; dir is the project's folder.
func (s *settings) check(dir string) error {
	if s.lines["name"] > 0 {
		if strings.TrimSpace(s.Name) == "" {
			return s.bad("name", "must not be empty")
		}
		if len(s.Name) > 80 || strings.IndexFunc(s.Name, unicode.IsControl) >= 0 {
			return s.bad("name", "must be one line of at most 80 characters")
		}
		s.Name = strings.TrimSpace(s.Name)
	}
	if s.lines["script"] > 0 {
		if err := s.checkFile(dir, "script", s.Script, ".py"); err != nil {
			return err
		}
	}
	if s.lines["icon"] > 0 {
		if err := s.checkFile(dir, "icon", s.Icon, ".png", ".svg"); err != nil {
			return err
		}
	}
	if s.lines["python"] > 0 {
		if _, err := pyruntime.ParseRange(s.Python); err != nil {
			return s.bad("python", "%v", err)
		}
	}
	if s.lines["version"] > 0 && !versionRE.MatchString(s.Version) {
		return s.bad("version", "%q is not a version such as 1.2.0", s.Version)
	}
	if err := s.checkPorts(); err != nil {
		return err
	}
	if err := s.checkServices(); err != nil {
		return err
	}
	return s.checkAuth()
}

var versionRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}([.+~-][0-9A-Za-z.]+)?$`)

func (s *settings) checkPorts() error {
	seen := map[int]string{}
	ports := s.ports()
	slices.SortFunc(ports, func(a, b portSetting) int { return s.lines[a.key] - s.lines[b.key] }) // the later line is the one to fix
	for _, p := range ports {
		if s.lines[p.key] == 0 {
			continue
		}
		if p.port < 1024 || p.port > 65535 {
			return s.bad(p.key, "port %d is outside 1024-65535", p.port)
		}
		if other, dup := seen[p.port]; dup {
			return s.bad(p.key, "port %d is also %s", p.port, other)
		}
		seen[p.port] = p.key
	}
	return nil
}

type portSetting struct {
	key, setting string
	port         int
}

func (s *settings) ports() []portSetting {
	return []portSetting{
		{"ports.streamlit", "DESKLIT_STREAMLIT_PORT", s.Ports.Streamlit},
		{"ports.component", "DESKLIT_COMPONENT_PORT", s.Ports.Component},
		{"ports.api", "DESKLIT_API_PORT", s.Ports.API},
		{"ports.callback", "DESKLIT_CALLBACK_PORT", s.Ports.Callback},
		{"ports.idp", "DESKLIT_IDP_PORT", s.Ports.IdP},
	}
}

// portValues are the ports set, by setting name (DESKLIT_*_PORT), and where each came from.
func (s *settings) portValues() (map[string]int, map[string]string) {
	values, sources := map[string]int{}, map[string]string{}
	for _, p := range s.ports() {
		if n := s.lines[p.key]; n > 0 {
			values[p.setting], sources[p.setting] = p.port, fmt.Sprintf("%s line %d", s.file, n)
		}
	}
	return values, sources
}

func (s *settings) checkFile(dir, key, rel string, exts ...string) error {
	if strings.TrimSpace(rel) == "" {
		return s.bad(key, "must not be empty")
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(rel)), "../") || filepath.Clean(rel) == ".." {
		return s.bad(key, "%q must be a path inside the project's folder", rel)
	}
	ok := false
	for _, e := range exts {
		ok = ok || strings.EqualFold(filepath.Ext(rel), e)
	}
	if !ok {
		return s.bad(key, "%q must be a %s file", rel, strings.Join(exts, " or "))
	}
	if !isFile(filepath.Join(dir, filepath.FromSlash(rel))) {
		return s.bad(key, "%q does not exist in %s", rel, dir)
	}
	return nil
}

func (s *settings) checkAuth() error {
	a := &s.Auth
	if s.lines["auth.issuer"] > 0 {
		iss, err := config.NormalizeIssuer(a.Issuer)
		if err != nil || iss == "" {
			if err == nil {
				err = errors.New("must not be empty")
			}
			return s.bad("auth.issuer", "%v", err)
		}
		a.Issuer = iss
	}
	for _, k := range []struct {
		key string
		val *string
	}{{"auth.client_id", &a.ClientID}, {"auth.audience", &a.Audience}, {"auth.scope", &a.Scope}} {
		if s.lines[k.key] > 0 && strings.TrimSpace(*k.val) == "" {
			return s.bad(k.key, "must not be empty")
		}
	}
	if s.lines["auth.scope"] > 0 && !strings.Contains(" "+a.Scope+" ", " openid ") {
		return s.bad("auth.scope", `must include "openid"`)
	}
	if a.Issuer != "" && a.ClientID == "" {
		return s.bad("auth.issuer", "an issuer needs its client_id in [auth] too")
	}
	return nil
}

func (s *settings) auth() Auth {
	src := map[string]string{}
	for key, name := range map[string]string{"auth.issuer": "AUTH0_ISSUER_BASE_URL", "auth.client_id": "AUTH0_CLIENT_ID",
		"auth.audience": "AUTH0_AUDIENCE", "auth.scope": "AUTH0_SCOPE"} {
		if n := s.lines[key]; n > 0 {
			src[name] = fmt.Sprintf("%s line %d", s.file, n)
		}
	}
	return Auth{Issuer: s.Auth.Issuer, ClientID: strings.TrimSpace(s.Auth.ClientID), Audience: strings.TrimSpace(s.Auth.Audience),
		Scope: strings.Join(strings.Fields(s.Auth.Scope), " "), Source: src}
}

var (
	tableRE = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]`)
	keyRE   = regexp.MustCompile(`^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=`)
)

// keyLines maps each key ("name", "auth.issuer") to the line it is set on, for error messages
// about values (go-toml reports positions only for errors of its own).
func keyLines(data []byte) map[string]int {
	out := map[string]int{}
	table := ""
	for i, line := range strings.Split(string(data), "\n") {
		if m := tableRE.FindStringSubmatch(line); m != nil {
			table = m[1] + "."
			for t := m[1]; t != ""; t = t[:max(0, strings.LastIndex(t, "."))] {
				if _, seen := out[t]; !seen { // [services.a.scopes] alone declares services.a too
					out[t] = i + 1
				}
			}
			continue
		}
		if m := keyRE.FindStringSubmatch(line); m != nil {
			key := table + strings.Trim(m[1], `"'`)
			if _, seen := out[key]; !seen {
				out[key] = i + 1
			}
		}
	}
	return out
}
