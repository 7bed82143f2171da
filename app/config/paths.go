package config

import (
	"path/filepath"

	"github.com/adrg/xdg"
)

// Paths are Desklit's directories, all under a "desklit" folder of the XDG base directories.
type Paths struct {
	Config string // xdg.ConfigHome/desklit
	State  string // xdg.StateHome/desklit: logs, pid files
	Data   string // xdg.DataHome/desklit: environments, locks, keys, unpacked assets
	Cache  string // xdg.CacheHome/desklit: uv's cache
	Logs   string // State/logs
	Run    string // State/run: pid files
}

// PathsFrom resolves the directories. getenv overrides the XDG variables (tests set them);
// otherwise github.com/adrg/xdg supplies the platform defaults.
func PathsFrom(getenv func(string) string) Paths {
	pick := func(env, def string) string {
		if v := getenv(env); v != "" && filepath.IsAbs(v) {
			return v
		}
		return def
	}
	p := Paths{
		Config: filepath.Join(pick("XDG_CONFIG_HOME", xdg.ConfigHome), "desklit"),
		State:  filepath.Join(pick("XDG_STATE_HOME", xdg.StateHome), "desklit"),
		Data:   filepath.Join(pick("XDG_DATA_HOME", xdg.DataHome), "desklit"),
		Cache:  filepath.Join(pick("XDG_CACHE_HOME", xdg.CacheHome), "desklit"),
	}
	p.Logs = filepath.Join(p.State, "logs")
	p.Run = filepath.Join(p.State, "run")
	return p
}
