package packager

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
)

// NoWheelError is a package of the lock that has no wheel for a target: the package cannot be
// made for it (nothing can be compiled for another system here).
type NoWheelError struct {
	Package  string // name==version
	Platform pyruntime.Platform
	Detail   string
}

func (e *NoWheelError) Error() string {
	msg := fmt.Sprintf("%s has no wheel for %s: the app cannot be packaged for that platform (pick another version of %s, or leave that target out)",
		e.Package, e.Platform, strings.SplitN(e.Package, "==", 2)[0])
	if e.Detail != "" {
		msg += "\n" + e.Detail
	}
	return msg
}

// wheelSource fetches the wheels of a lock for a platform: from local folders first (the bundled
// wheelhouse, the project's wheels/, DESKLIT_FIND_LINKS, a cache of earlier downloads), else with
// pip from the package index. Every wheel is checked against the lock's hashes.
type wheelSource struct {
	dirs       []string // local wheel folders
	cache      string   // downloaded wheels are kept here, per platform
	python     string   // the interpreter whose pip downloads (python -m pip)
	offline    bool
	log        io.Writer
	fromSource []string           // packages with no wheel for a target: built from their source distribution
	host       pyruntime.Platform // this system with python: where a wheel built here installs
}

// fetch puts every wheel that lock installs on p into dst and returns their number, and the
// lock with the hashes of the wheels it built from source added.
func (w wheelSource) fetch(ctx context.Context, lock []byte, p pyruntime.Platform, dst string) (int, []byte, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, nil, err
	}
	cache := filepath.Join(w.cache, p.OS+"-"+p.Arch+"-py"+p.Python)
	var missing []pyruntime.Pin
	pins := pyruntime.Pins(lock, p)
	for _, pin := range pins {
		if len(pin.Hashes) == 0 {
			return 0, nil, fmt.Errorf("the lock has no hash for %s==%s: a package carries hash-checked wheels only", pin.Name, pin.Version)
		}
		if slices.Contains(w.fromSource, pin.Name) {
			built, sum, err := w.build(ctx, pin, p)
			if err != nil {
				return 0, nil, err
			}
			if !slices.Contains(pin.Hashes, "sha256:"+sum) {
				if lock, err = addHash(lock, pin, "sha256:"+sum); err != nil {
					return 0, nil, err
				}
			}
			if err := copyFile(built, filepath.Join(dst, filepath.Base(built))); err != nil {
				return 0, nil, err
			}
			continue
		}
		ok, err := w.local(pin, p, append(slices.Clone(w.dirs), cache), dst)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			missing = append(missing, pin)
		}
	}
	if len(missing) > 0 {
		if err := w.download(ctx, missing, p, cache); err != nil {
			return 0, nil, err
		}
		for _, pin := range missing {
			ok, err := w.local(pin, p, []string{cache}, dst)
			if err != nil {
				return 0, nil, err
			}
			if !ok {
				return 0, nil, &NoWheelError{Package: pin.Name + "==" + pin.Version, Platform: p}
			}
		}
	}
	return len(pins), lock, nil
}

// local copies a wheel of pin for p with one of its hashes from dirs into dst.
func (w wheelSource) local(pin pyruntime.Pin, p pyruntime.Platform, dirs []string, dst string) (bool, error) {
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !p.WheelFits(e.Name(), pin) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return false, err
			}
			sum := sha256.Sum256(data)
			if !slices.Contains(pin.Hashes, "sha256:"+hex.EncodeToString(sum[:])) {
				fmt.Fprintf(w.log, "skip %s: its hash is not in the lock\n", filepath.Join(dir, e.Name()))
				continue
			}
			return true, os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644)
		}
	}
	return false, nil
}

// pipPlatforms are pip's --platform tags for a target.
func pipPlatforms(p pyruntime.Platform) []string {
	switch p.OS + "/" + p.Arch {
	case "linux/amd64":
		return []string{"manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64", "linux_x86_64"}
	case "linux/arm64":
		return []string{"manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"}
	case "windows/amd64":
		return []string{"win_amd64"}
	case "windows/arm64":
		return []string{"win_arm64"}
	case "darwin/arm64":
		return []string{"macosx_11_0_arm64", "macosx_12_0_arm64", "macosx_14_0_arm64", "macosx_11_0_universal2"}
	case "darwin/amd64":
		return []string{"macosx_10_13_x86_64", "macosx_10_15_x86_64", "macosx_11_0_x86_64", "macosx_10_13_universal2"}
	}
	return nil
}

var noMatchRE = regexp.MustCompile(`No matching distribution found for ([A-Za-z0-9._-]+==[^\s]+)`)

// download fetches the pins' wheels for p with pip into cache (hash-checked by pip).
func (w wheelSource) download(ctx context.Context, pins []pyruntime.Pin, p pyruntime.Platform, cache string) error {
	if w.offline {
		return &NoWheelError{Package: pins[0].Name + "==" + pins[0].Version, Platform: p,
			Detail: "it is in no local wheel folder and Desklit is offline: put the wheel in the project's wheels/ folder"}
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	args := []string{"download", "--only-binary=:all:", "--python-version", p.Python, "--implementation", "cp", "-d", cache}
	for _, plat := range pipPlatforms(p) {
		args = append(args, "--platform", plat)
	}
	out, err := w.pip(ctx, args, pins, cache)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if m := noMatchRE.FindStringSubmatch(out); m != nil {
			return &NoWheelError{Package: m[1], Platform: p}
		}
		if strings.Contains(out, "No module named pip") {
			return fmt.Errorf("downloading wheels for %s needs pip (%s -m pip): install it (Debian: apt install python3-pip)", p, w.python)
		}
		return fmt.Errorf("download the wheels for %s: %v\n%s", p, err, lastLines(out, 8))
	}
	return nil
}

// pip runs `python -m pip CMD…` on pins, hash-checked (a requirements file of them with their
// lock's hashes, written into dir), with the local wheel folders and the log; no dependencies.
// It returns pip's output.
func (w wheelSource) pip(ctx context.Context, args []string, pins []pyruntime.Pin, dir string) (string, error) {
	var req strings.Builder
	for _, pin := range pins {
		fmt.Fprintf(&req, "%s==%s", pin.Name, pin.Version)
		for _, h := range pin.Hashes {
			fmt.Fprintf(&req, " --hash=%s", h)
		}
		req.WriteString("\n")
	}
	reqFile := filepath.Join(dir, ".requirements.txt")
	if err := os.WriteFile(reqFile, []byte(req.String()), 0o644); err != nil {
		return "", err
	}
	return w.runPip(ctx, append([]string{args[0], "--require-hashes", "-r", reqFile}, args[1:]...))
}

// runPip runs `python -m pip CMD --no-deps …` with the local wheel folders (and no index when
// offline), its output to the log; it returns the output.
func (w wheelSource) runPip(ctx context.Context, args []string) (string, error) {
	args = append([]string{"-m", "pip", args[0], "--disable-pip-version-check", "--no-input", "--no-deps"}, args[1:]...)
	if w.offline {
		args = append(args, "--no-index")
	}
	for _, d := range w.dirs {
		args = append(args, "--find-links", d)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, w.python, args...)
	// One writer for both: exec then writes from one goroutine at a time (pip writes to both at once).
	both := io.MultiWriter(&out, w.log)
	cmd.Stdout, cmd.Stderr = both, both
	fmt.Fprintf(w.log, "$ %s %s\n", w.python, strings.Join(args, " "))
	err := cmd.Run()
	return out.String(), err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
