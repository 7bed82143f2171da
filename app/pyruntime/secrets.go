package pyruntime

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/pelletier/go-toml/v2"
)

// SecretsFlags are the Streamlit flags that name the secrets files an app's Streamlit reads, when
// Desklit can name them without changing what it reads: the ones of Streamlit's default list
// (~/.streamlit/secrets.toml, then the working directory's and the script's folder's
// .streamlit/secrets.toml) that exist. Streamlit watches every file of that list from its start
// and, for each one that does not exist, retries for 200 ms before it gives up: a project with a
// secrets.toml of its own but none in the user's home started 0.4 s later than one without. A
// file it does not find at start is never watched by Streamlit either, so naming only the ones
// that exist reads and watches the same files.
//
// Nothing is passed (Streamlit's own default applies) when no secrets file exists, or when the
// user chose the list: STREAMLIT_SECRETS_FILES, or secrets.files in a config.toml Streamlit reads.
//
// getenv is the environment Streamlit runs in: its home is Python's Path.home() (HOME, on
// Windows USERPROFILE).
func SecretsFlags(workdir, script string, getenv func(string) string) []string {
	if getenv("STREAMLIT_SECRETS_FILES") != "" {
		return nil
	}
	home := getenv("HOME")
	if runtime.GOOS == "windows" {
		home = getenv("USERPROFILE")
	}
	var dirs []string
	for _, d := range []string{home, workdir, filepath.Dir(script)} {
		if d != "" && !slices.Contains(dirs, filepath.Clean(d)) {
			dirs = append(dirs, filepath.Clean(d))
		}
	}
	var flags []string
	for _, d := range dirs {
		if setsSecretsFiles(filepath.Join(d, ".streamlit", "config.toml")) {
			return nil
		}
		if f := filepath.Join(d, ".streamlit", "secrets.toml"); isFile(f) {
			flags = append(flags, "--secrets.files", f)
		}
	}
	return flags
}

// HasSecretsFiles reports whether a Streamlit version takes the secrets.files option (1.38 and
// newer): an older one stops at an unknown flag, so it is given none (and reads its default
// list, as it always did). An unknown version ("") is taken to be new.
func HasSecretsFiles(streamlit string) bool {
	return streamlit == "" || CompareVersions(streamlit, "1.38.0") >= 0
}

// setsSecretsFiles reports whether a Streamlit config file sets secrets.files, or cannot be read
// as TOML (Streamlit then reports it; Desklit does not guess).
func setsSecretsFiles(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var cfg struct {
		Secrets map[string]any `toml:"secrets"`
	}
	if err := toml.Unmarshal(data, &cfg); err != nil {
		return true
	}
	_, set := cfg.Secrets["files"]
	return set
}
