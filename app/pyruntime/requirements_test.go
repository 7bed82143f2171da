package pyruntime

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseRealLock(t *testing.T) {
	data, err := os.ReadFile("../../runtime/streamlit/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	reqs := parseRequirements(data)
	byName := map[string]requirement{}
	for _, r := range reqs {
		byName[r.Name] = r
	}
	if byName["streamlit"].Version != "1.67.0" || byName["requests"].Version != "2.34.2" {
		t.Fatalf("top-level pins wrong: %+v %+v", byName["streamlit"], byName["requests"])
	}
	for _, r := range reqs {
		if r.Version == "" {
			t.Errorf("unpinned %+v", r)
		}
	}
	for _, banned := range []string{"python-dotenv", "pytest"} {
		if _, ok := byName[banned]; ok {
			t.Errorf("%s is not a runtime dependency", banned)
		}
	}
	linux := needed(reqs, target{goos: "linux", goarch: "amd64", minor: 11, full: "3.11.7"})
	mac := needed(reqs, target{goos: "darwin", goarch: "arm64", minor: 12, full: "3.12.1"})
	if len(linux) != len(reqs) || len(mac) != len(reqs)-1 {
		t.Errorf("needed: linux %d, darwin %d of %d (watchdog is not for darwin)", len(linux), len(mac), len(reqs))
	}
}

// TestHashes: both spellings of --hash, over continued lines, in order; a value that is not a
// sha256 is not taken for one.
func TestHashes(t *testing.T) {
	a, b := "sha256:"+strings.Repeat("ab", 32), "sha256:"+strings.Repeat("0F", 32)
	lock := "tabulate==0.10.0 \\\n    --hash=" + a + " \\\n    --hash " + b + " \\\n    --hash=sha256:123 --hash=md5:" + strings.Repeat("a", 64) + "\n" +
		"plain==1.0 # a comment --hash=" + a + "\n"
	reqs := parseRequirements([]byte(lock))
	if len(reqs) != 2 || !slices.Equal(reqs[0].Hashes, []string{a, b}) || len(reqs[1].Hashes) != 0 {
		t.Fatalf("parsed %+v", reqs)
	}
	data, err := os.ReadFile("../../runtime/streamlit/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, r := range parseRequirements(data) {
		if len(r.Hashes) == 0 {
			t.Errorf("%s has no hash", r.Name)
		}
		n += len(r.Hashes)
	}
	if want := strings.Count(string(data), "--hash=sha256:"); n != want {
		t.Errorf("%d hashes parsed from Desklit's lock, which has %d", n, want)
	}
}

func TestMarkers(t *testing.T) {
	linux := target{goos: "linux", goarch: "amd64", minor: 11, full: "3.11.7"}
	win := target{goos: "windows", goarch: "amd64", minor: 13, full: "3.13.0"}
	tests := []struct {
		marker     string
		linux, win bool
	}{
		{"", true, true},
		{"sys_platform != 'darwin'", true, true},
		{`sys_platform == "win32"`, false, true},
		{"platform_system == 'Windows'", false, true},
		{"python_full_version < '3.12'", true, false},
		{"python_version >= '3.11' and os_name == 'nt'", false, true},
		{"sys_platform == 'darwin' or python_version == '3.11'", true, false},
		{"extra == 'socks'", true, true}, // unknown: kept
	}
	for _, tt := range tests {
		if got := linux.applies(tt.marker); got != tt.linux {
			t.Errorf("linux applies(%q) = %v", tt.marker, got)
		}
		if got := win.applies(tt.marker); got != tt.win {
			t.Errorf("windows applies(%q) = %v", tt.marker, got)
		}
	}
}
