package config

import (
	"path/filepath"

	"github.com/adrg/xdg"
)

// Paths are Desklit's directories, all under a "desklit" folder of the XDG base directories (a
// packaged app's under a folder named by its app id).
type Paths struct {
	Config string // xdg.ConfigHome/desklit
	State  string // xdg.StateHome/desklit: logs, pid files
	Data   string // xdg.DataHome/desklit: environments, locks, keys, unpacked assets
	Cache  string // xdg.CacheHome/desklit: uv's cache
	Logs   string // State/logs
	Run    string // State/run: pid files
}

// PathsFrom resolves Desklit's directories. getenv overrides the XDG variables (tests set them);
// otherwise github.com/adrg/xdg supplies the platform defaults.
func PathsFrom(getenv func(string) string) Paths { return PathsFor(DefaultAppID, getenv) }

// DefaultAppID names Desklit's own folders, keyring entries and single instance; a packaged app
// has an id of its own.
const DefaultAppID = "desklit"

// PathsFor resolves the directories of the app appID.
func PathsFor(appID string, getenv func(string) string) Paths {
	pick := func(env, def string) string {
		if v := getenv(env); v != "" && filepath.IsAbs(v) {
			return v
		}
		return def
	}
	p := Paths{
		Config: filepath.Join(pick("XDG_CONFIG_HOME", xdg.ConfigHome), appID),
		State:  filepath.Join(pick("XDG_STATE_HOME", xdg.StateHome), appID),
		Data:   filepath.Join(pick("XDG_DATA_HOME", xdg.DataHome), appID),
		Cache:  filepath.Join(pick("XDG_CACHE_HOME", xdg.CacheHome), appID),
	}
	p.Logs = filepath.Join(p.State, "logs")
	p.Run = filepath.Join(p.State, "run")
	return p
}
