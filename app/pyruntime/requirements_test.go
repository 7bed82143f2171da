package pyruntime

import (
	"os"
	"path/filepath"
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

func TestWheelFits(t *testing.T) {
	numpy := requirement{Name: "numpy", Version: "2.4.6"}
	ext := requirement{Name: "typing-extensions", Version: "4.16.0"}
	pa := requirement{Name: "protobuf", Version: "7.36.2"}
	linux311 := target{goos: "linux", goarch: "amd64", minor: 11}
	mac312 := target{goos: "darwin", goarch: "arm64", minor: 12}
	tests := []struct {
		file string
		r    requirement
		t    target
		want bool
	}{
		{"numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", numpy, linux311, true},
		{"numpy-2.4.6-cp312-cp312-manylinux_2_27_x86_64.whl", numpy, linux311, false},
		{"numpy-2.4.6-cp311-cp311-manylinux_2_27_aarch64.whl", numpy, linux311, false},
		{"numpy-2.4.5-cp311-cp311-manylinux_2_27_x86_64.whl", numpy, linux311, false},
		{"numpy-2.4.6-cp312-cp312-macosx_14_0_arm64.whl", numpy, mac312, true},
		{"typing_extensions-4.16.0-py3-none-any.whl", ext, mac312, true},
		{"protobuf-7.36.2-cp310-abi3-manylinux2014_x86_64.whl", pa, linux311, true},
		{"protobuf-7.36.2-cp310-abi3-win_amd64.whl", pa, linux311, false},
	}
	for _, tt := range tests {
		if got := tt.t.wheelFits(tt.file, tt.r); got != tt.want {
			t.Errorf("wheelFits(%s) = %v, want %v", tt.file, got, tt.want)
		}
	}
}

func TestPickWheelhouse(t *testing.T) {
	tgt := target{goos: "linux", goarch: "amd64", minor: 11}
	reqs := []requirement{{Name: "a", Version: "1"}, {Name: "b-c", Version: "2"}}
	partial, full, other := t.TempDir(), t.TempDir(), t.TempDir()
	touch := func(dir, name string) { os.WriteFile(filepath.Join(dir, name), nil, 0o644) }
	touch(partial, "a-1-py3-none-any.whl")
	touch(full, "a-1-py3-none-any.whl")
	touch(full, "b_c-2-cp311-cp311-manylinux_2_17_x86_64.whl")
	touch(other, "a-1-py3-none-any.whl")
	touch(other, "b_c-2-cp311-cp311-win_amd64.whl")
	tests := []struct {
		dirs []string
		want string
	}{
		{[]string{partial, other, full}, full},
		{[]string{filepath.Join(full, "missing"), partial}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := pickWheelhouse(tt.dirs, reqs, tgt); got != tt.want {
			t.Errorf("pickWheelhouse(%v) = %q, want %q", tt.dirs, got, tt.want)
		}
	}
	if got := pickWheelhouse([]string{full}, nil, tgt); got != "" {
		t.Errorf("no pins: picked %q", got)
	}
}
