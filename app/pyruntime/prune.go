package pyruntime

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Unused is how long an environment may go unused before Prune removes it.
const Unused = 30 * 24 * time.Hour

const usedName = ".desklit-last-used"

// touchUsed records that the environment in dir was used at now.
func touchUsed(dir string, now time.Time) {
	p := filepath.Join(dir, usedName)
	if err := os.Chtimes(p, now, now); err != nil {
		_ = os.WriteFile(p, nil, 0o644)
	}
}

// EnvInfo describes one environment, for `desklit doctor`.
type EnvInfo struct {
	Dir      string
	Key      string
	LastUsed time.Time
	Bytes    int64 // every file's size
	OwnBytes int64 // files not hard-linked from uv's cache: the disk it costs beyond the cache
}

// Environments lists the environments in o.DataDir, most recently used first, with their sizes.
func Environments(o Options) []EnvInfo { return environments(o, true) }

// environments lists them; sizes walks every file of each (a second of disk and CPU for a few
// environments of ~10,000 files), which only `desklit doctor` shows: Prune, at every start beside
// Streamlit's, does without.
func environments(o Options, sizes bool) []EnvInfo {
	entries, err := os.ReadDir(o.runtimeDir())
	if err != nil {
		return nil
	}
	var out []EnvInfo
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(o.runtimeDir(), e.Name())
		info := EnvInfo{Dir: dir, Key: e.Name(), LastUsed: lastUsed(dir)}
		if sizes {
			info.Bytes, info.OwnBytes = envSize(dir)
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastUsed.After(out[j].LastUsed) })
	return out
}

// envSize is every file's size under dir, and that of the files not hard-linked from uv's cache.
func envSize(dir string) (all, own int64) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		all += fi.Size()
		if linkCount(fi) <= 1 {
			own += fi.Size()
		}
		return nil
	})
	return all, own
}

// lastUsed is when the environment was last used (its marker's time if it never recorded one).
func lastUsed(dir string) time.Time {
	for _, name := range []string{usedName, markerName} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return st.ModTime()
		}
	}
	if st, err := os.Stat(dir); err == nil {
		return st.ModTime()
	}
	return time.Time{}
}

// Prune removes the environments unused for Unused, never keep (the one in use), and the
// environments of Desklit versions before uv (DataDir/runtime). It takes the build lock without
// waiting: when another Desklit is building, it prunes next time. It returns what it removed.
func Prune(o Options, keep string, now time.Time) []string {
	if err := os.MkdirAll(o.runtimeDir(), 0o755); err != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // acquireLock returns at once when the lock is held elsewhere
	lk, err := acquireLock(ctx, filepath.Join(o.runtimeDir(), ".lock"), func() {})
	if err != nil {
		return nil
	}
	defer lk.release()
	var removed []string
	for _, e := range environments(o, false) {
		if e.Key != keep && now.Sub(e.LastUsed) > Unused {
			o.removeEnv(e.Dir)
			removed = append(removed, e.Dir)
		}
	}
	legacy := filepath.Join(o.DataDir, "runtime")
	if _, err := os.Stat(legacy); err == nil {
		if err := os.RemoveAll(legacy); err == nil {
			removed = append(removed, legacy)
		}
	}
	pruneLocks(o.lockDir(), now)
	return removed
}

// pruneLocks removes resolved locks not read for Unused (they are made again when needed).
func pruneLocks(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > Unused {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
