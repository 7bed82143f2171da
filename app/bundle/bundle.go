// Package bundle unpacks the files the binary carries (the Streamlit app and its Python package)
// into the user's data directory and keeps them intact: each file is checked by SHA-256 at every
// start, and a missing or changed file is restored from the binary. A packaged analyst's app
// (UnpackKeepingData) is restored the same way for its code, but the data files the app itself
// writes (a CSV it appends to, the SQLite database, the Excel sheet of an "Add sale" page) are
// the user's work: a changed one is kept.
package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ManifestName is the file, inside the destination, that lists every unpacked file's hash.
const ManifestName = ".desklit-manifest.json"

// Report says what Unpack did.
type Report struct {
	Files    int      // files in the bundle
	Restored []string // files written because they were missing or did not match
	Removed  []string // files that an earlier bundle had and this one does not
	// Kept are data files the app changed, left as they are (UnpackKeepingData); BackedUp are
	// changed ones that a new bundle brings another version of: the user's copy is kept beside
	// it, as NAME.mine-YYYYMMDD-HHMMSS.EXT.
	Kept     []string
	BackedUp []string
}

type manifest struct {
	Files map[string]string `json:"files"` // slash path -> sha256 hex
}

// Unpack makes dest hold exactly the files of fsys (plus whatever else the user put there that no
// bundle ever owned). Files are written to a temporary name and renamed, so a crash mid-way leaves
// either the old or the new file, never half of one.
func Unpack(fsys fs.FS, dest string) (Report, error) {
	return unpack(fsys, dest, func(string) bool { return false })
}

// UnpackKeepingData is Unpack for an analyst's app: its code (IsCode) is restored, but a data
// file the app changed since it was unpacked is kept, and one a new bundle changes as well is
// backed up beside the new one; a data file dropped from the bundle stays if the app changed it.
func UnpackKeepingData(fsys fs.FS, dest string) (Report, error) {
	return unpack(fsys, dest, func(p string) bool { return !IsCode(p) })
}

// IsCode reports whether a bundle's file (a slash path) is the app's code or settings, which the
// bundle decides, rather than data the app may write: Python sources, TOML and lock files,
// requirements, and everything below .streamlit/ or wheels/.
func IsCode(p string) bool {
	base := strings.ToLower(path.Base(p))
	switch path.Ext(base) {
	case ".py", ".pyw", ".pyi", ".toml", ".lock", ".cfg", ".whl":
		return true
	}
	return strings.HasPrefix(p, ".streamlit/") || strings.HasPrefix(p, "wheels/") ||
		strings.HasPrefix(base, "requirement") && strings.HasSuffix(base, ".txt")
}

func unpack(fsys fs.FS, dest string, isData func(string) bool) (Report, error) {
	var rep Report
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return rep, fmt.Errorf("create %s: %w", dest, err)
	}
	old := readManifest(filepath.Join(dest, ManifestName))
	want := manifest{Files: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])
		want.Files[p] = h
		target := filepath.Join(dest, filepath.FromSlash(p))
		have := fileHash(target)
		switch {
		case have == h:
			return nil
		case have != "" && isData(p) && old.Files[p] == h: // the app changed it
			rep.Kept = append(rep.Kept, p)
			return nil
		case have != "" && isData(p) && old.Files[p] != "" && have != old.Files[p]: // both changed it
			if err := backUp(target); err != nil {
				return err
			}
			rep.BackedUp = append(rep.BackedUp, p)
		}
		if err := writeAtomic(target, data); err != nil {
			return err
		}
		rep.Restored = append(rep.Restored, p)
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("unpack into %s: %w", dest, err)
	}
	rep.Files = len(want.Files)
	removeDropped(dest, old, want, isData, &rep)
	sort.Strings(rep.Restored)
	sort.Strings(rep.Removed)
	sort.Strings(rep.Kept)
	data, _ := json.MarshalIndent(want, "", " ")
	if err := writeAtomic(filepath.Join(dest, ManifestName), data); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	return rep, nil
}

// removeDropped removes the files an earlier bundle had (old) and this one (want) does not,
// but a data file the app changed.
func removeDropped(dest string, old, want manifest, isData func(string) bool, rep *Report) {
	for p, h := range old.Files {
		if _, ok := want.Files[p]; ok {
			continue
		}
		target := filepath.Join(dest, filepath.FromSlash(p))
		if isData(p) && fileHash(target) != h {
			rep.Kept = append(rep.Kept, p)
		} else if err := os.Remove(target); err == nil {
			rep.Removed = append(rep.Removed, p)
		}
	}
}

// backUp renames a file to NAME.mine-YYYYMMDD-HHMMSS.EXT beside it.
func backUp(target string) error {
	ext := filepath.Ext(target)
	to := strings.TrimSuffix(target, ext) + ".mine-" + time.Now().Format("20060102-150405") + ext
	if err := os.Rename(target, to); err != nil {
		return fmt.Errorf("keep your copy of %s: %w", filepath.Base(target), err)
	}
	return nil
}

func readManifest(p string) manifest {
	var m manifest
	data, err := os.ReadFile(p)
	if err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

func fileHash(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeAtomic(target string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".unpack-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
