package packager

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
)

// The lock of a project whose requirements install packages of its own folder ("-e ." of
// cookiecutter-data-science's requirements.txt, "./libs/shared", a wheel file) names them by
// absolute file: URL (pyruntime writes them so); one installed from a repository or an archive
// names its URL ("lib @ git+https://…@<commit>"). A package cannot carry the path, and the
// colleague's computer has neither the folder, Git, the build tools nor the network: each is
// built here into a wheel (not editable: a package installs a release) and pinned with its hash
// in place of the path or URL.

// localPackages replaces the lock's local path requirements with pins of their wheels, built
// into a folder of w.cache; it returns the lock and that folder ("" when the lock has none).
// A wheel for this system only (a C extension) serves a target that is this system.
func (w wheelSource) localPackages(ctx context.Context, lock []byte, p pyruntime.Platform) ([]byte, string, error) {
	lines := strings.Split(string(lock), "\n")
	dir := filepath.Join(w.cache, "local", p.OS+"-"+p.Arch+"-py"+p.Python)
	var out []string
	built := false
	for i := 0; i < len(lines); i++ {
		path, rest, ok := pyruntime.LocalRequirement(lines[i])
		remote := false
		if !ok {
			path, rest, remote = pyruntime.RemoteRequirement(lines[i])
		}
		if !ok && !remote {
			out = append(out, lines[i])
			continue
		}
		for strings.HasSuffix(strings.TrimSpace(lines[i]), `\`) && i+1 < len(lines) { // its --hash lines
			i++
		}
		if !built {
			if err := os.RemoveAll(dir); err != nil { // the project's folder may have changed
				return nil, "", err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, "", err
			}
			built = true
		}
		pin, err := w.localWheel(ctx, path, remote, p, dir)
		if err != nil {
			return nil, "", err
		}
		line := fmt.Sprintf("%s==%s \\\n    --hash=%s", pin.Name, pin.Version, pin.Hashes[0])
		if marker := strings.TrimSuffix(rest, `\`); strings.HasPrefix(marker, ";") {
			line = fmt.Sprintf("%s==%s %s \\\n    --hash=%s", pin.Name, pin.Version, marker, pin.Hashes[0])
		}
		out = append(out, line)
	}
	if !built {
		return lock, "", nil
	}
	return []byte(strings.Join(out, "\n")), dir, nil
}

// localWheel puts the wheel of path (a wheel file, or a project folder built with pip, without
// its dependencies: the lock has them; remote, a URL pip fetches and builds) into dir and returns
// its pin.
func (w wheelSource) localWheel(ctx context.Context, path string, remote bool, p pyruntime.Platform, dir string) (pyruntime.Pin, error) {
	var wheel string
	from := "the project's package in " + path + " (its requirements install it from that folder)"
	if remote {
		from = path + " (the project's requirements install it from there)"
	}
	if strings.HasSuffix(path, ".whl") && !remote {
		wheel = filepath.Join(dir, filepath.Base(path))
		if err := copyFile(path, wheel); err != nil {
			return pyruntime.Pin{}, err
		}
	} else {
		tmp, err := os.MkdirTemp(dir, ".build-")
		if err != nil {
			return pyruntime.Pin{}, err
		}
		defer os.RemoveAll(tmp)
		out, err := w.runPip(ctx, []string{"wheel", "--no-cache-dir", "-w", tmp, path})
		if ctx.Err() != nil {
			return pyruntime.Pin{}, ctx.Err()
		}
		entries, _ := os.ReadDir(tmp)
		if err != nil || len(entries) != 1 {
			return pyruntime.Pin{}, fmt.Errorf("%s did not build into a wheel: %s", from, lastLines(out, 8))
		}
		wheel = filepath.Join(dir, entries[0].Name())
		if err := os.Rename(filepath.Join(tmp, entries[0].Name()), wheel); err != nil {
			return pyruntime.Pin{}, err
		}
	}
	pin, ok := pyruntime.WheelPin(filepath.Base(wheel))
	if !ok {
		return pyruntime.Pin{}, fmt.Errorf("%s is not a wheel's name", filepath.Base(wheel))
	}
	if !p.WheelFits(filepath.Base(wheel), pin) || !strings.HasSuffix(wheel, "-none-any.whl") && p != w.host {
		return pyruntime.Pin{}, &NoWheelError{Package: pin.Name + "==" + pin.Version, Platform: p,
			Detail: fmt.Sprintf("%s builds a wheel for %s only (%s): build it on a %s system and put it in the project's wheels/ folder", from, w.host, filepath.Base(wheel), p)}
	}
	data, err := os.ReadFile(wheel)
	if err != nil {
		return pyruntime.Pin{}, err
	}
	sum := sha256.Sum256(data)
	pin.Hashes = []string{"sha256:" + hex.EncodeToString(sum[:])}
	return pin, nil
}
