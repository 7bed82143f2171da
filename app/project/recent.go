package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// MaxRecent is how many projects the recent list keeps.
const MaxRecent = 10

// RecentFile is the recent list's file in the state folder.
const RecentFile = "recent.json"

// Recent is one project opened before.
type Recent struct {
	Path       string    `json:"path"`
	Name       string    `json:"name"`
	LastOpened time.Time `json:"last_opened"`
	// Missing is set when the path no longer exists (computed when read, not stored).
	Missing bool `json:"-"`
}

type recentFile struct {
	Projects []Recent `json:"projects"`
	// Last is what was open last: a project's path, or "" for the bundled demo (nil in a file
	// written before it existed: the first project).
	Last *string `json:"last,omitempty"`
}

// ReadRecent returns the recent projects in stateDir, newest first, each marked Missing when its
// path is gone. A missing or unreadable file is an empty list.
func ReadRecent(stateDir string) []Recent { return readRecent(stateDir).Projects }

func readRecent(stateDir string) recentFile {
	var f recentFile
	data, err := os.ReadFile(filepath.Join(stateDir, RecentFile))
	if err != nil || json.Unmarshal(data, &f) != nil {
		return recentFile{}
	}
	f.Projects = f.Projects[:min(len(f.Projects), MaxRecent)]
	out := f.Projects
	for i := range out {
		_, err := os.Stat(out[i].Path)
		out[i].Missing = errors.Is(err, os.ErrNotExist)
	}
	return f
}

// Touch records that p was opened now: it moves to the top of the list, which keeps MaxRecent.
func Touch(stateDir string, p *Project, now time.Time) error {
	list := slices.DeleteFunc(ReadRecent(stateDir), func(r Recent) bool { return r.Path == p.Path })
	list = slices.Insert(list, 0, Recent{Path: p.Path, Name: p.Name, LastOpened: now.UTC()})
	list = list[:min(len(list), MaxRecent)]
	return writeRecent(stateDir, recentFile{Projects: list, Last: &p.Path})
}

// TouchDemo records that the bundled demo is what was opened last (the list stays).
func TouchDemo(stateDir string) error {
	f := readRecent(stateDir)
	if f.Last != nil && *f.Last == "" {
		return nil
	}
	demo := ""
	f.Last = &demo
	return writeRecent(stateDir, f)
}

func writeRecent(stateDir string, f recentFile) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(stateDir, ".recent-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the recent list: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(stateDir, RecentFile))
}

// Last is what was open last, if it still exists: a project's path, or "" for the demo (also
// when nothing was opened yet).
func Last(stateDir string) string {
	f := readRecent(stateDir)
	if f.Last != nil {
		if _, err := os.Stat(*f.Last); *f.Last == "" || err == nil {
			return *f.Last
		}
	}
	for _, r := range f.Projects {
		if !r.Missing {
			return r.Path
		}
	}
	return ""
}
