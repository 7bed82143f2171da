package desktop

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// PackageEvent is a packaging's progress as the Package view receives it (EvPackage): a line per
// step, then one with Done set and the Result, or the Error.
type PackageEvent struct {
	Line   string `json:"line"`
	Done   bool   `json:"done"`
	Error  string `json:"error"`  // what went wrong, in a line
	Detail string `json:"detail"` // the rest of it (uv's explanation, where the full output is)
	// Result is what was made: on success, and after a failure when something was made before it.
	Result *PackageResult `json:"result"`
}

// errDemoPackage: the demo belongs to Desklit; packaging is for a project of the user's own.
var errDemoPackage = errors.New("the demo comes with Desklit and is not packaged: open a project of your own (File › Open App…), then package it")

// PackageTargets are the systems the current project can be packaged for here.
func (a *App) PackageTargets() ([]PackageTarget, error) {
	if err := a.wait(); err != nil {
		return nil, err
	}
	return a.b.PackageTargets(), nil
}

// PackageFolder is the folder the Package view proposes for the packages: the project's dist/,
// so that they stay with the project they come from, where `desklit package -o dist` users look,
// in a folder the packager never packs (a later package does not carry the earlier ones); "" for
// the demo. Not the Desktop (it may not exist, and fills up) nor Desklit's data folder (hidden).
func (a *App) PackageFolder() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	a.mu.Lock()
	cur := a.snap.App
	a.mu.Unlock()
	if cur.Demo || cur.Path == "" {
		return "", nil
	}
	return filepath.Join(projectDir(cur.Path), "dist"), nil
}

// ChoosePackageFolder asks for the folder the packages go to, starting at the project's; it
// returns "" when the user cancelled.
func (a *App) ChoosePackageFolder() (string, error) {
	if err := a.wait(); err != nil {
		return "", err
	}
	a.mu.Lock()
	start := a.snap.App.Path
	a.mu.Unlock()
	if start != "" {
		start = projectDir(start)
	} else {
		start, _ = os.UserHomeDir()
	}
	return a.ui.OpenDirectoryDialog("Choose the folder for the packages", start)
}

// PackageApp starts packaging the current project in the background: its progress, its result
// or its error arrive as EvPackage events, and the output folder opens when it is done. One
// packaging runs at a time.
func (a *App) PackageApp(req PackageRequest) error {
	if err := a.wait(); err != nil {
		return err
	}
	if a.opts.SingleApp {
		return errors.New("a packaged app cannot package itself again")
	}
	if len(req.Targets) == 0 {
		return errors.New("choose at least one system to package for")
	}
	cur := a.b.CurrentApp()
	if cur.Demo {
		return errDemoPackage
	}
	a.mu.Lock()
	if a.pkgDone != nil {
		a.mu.Unlock()
		return errors.New("a package is being made already; wait until it is done")
	}
	ctx, cancel := context.WithCancel(a.ctx)
	finished := make(chan struct{})
	a.pkgCancel, a.pkgDone = cancel, finished
	a.mu.Unlock()
	go func() {
		defer close(finished)
		defer cancel()
		a.runPackage(ctx, cur.Name, req)
	}()
	return nil
}

// runPackage runs one packaging and reports it; the caller has set a.pkgDone.
func (a *App) runPackage(ctx context.Context, name string, req PackageRequest) {
	ev := appEvents{a}
	a.log.Info("packaging", "app", name, "targets", req.Targets, "out", req.OutDir)
	res, err := a.b.Package(ctx, req, func(line string) { ev.emit(EvPackage, PackageEvent{Line: line}) })
	done := PackageEvent{Done: true}
	a.mu.Lock()
	a.pkgCancel, a.pkgDone = nil, nil // before the last event: the view may start the next one at once
	if err == nil || len(res.Artefacts) > 0 {
		done.Result = &res
		a.pkgOut = res.OutDir
	}
	a.mu.Unlock()
	if err != nil {
		a.log.Warn("package", "app", name, "err", err)
		done.Error, done.Detail, _ = strings.Cut(err.Error(), "\n")
		if errors.Is(err, context.Canceled) {
			done.Error, done.Detail = "Packaging was cancelled: nothing was made.", ""
		}
		ev.emit(EvPackage, done)
		return
	}
	a.log.Info("packaged", "app", name, "artefacts", len(res.Artefacts), "out", res.OutDir)
	ev.emit(EvPackage, done)
	if err := a.openPath(res.OutDir); err != nil {
		a.log.Warn("open package folder", "err", err)
		a.notice("Could not open the folder " + res.OutDir)
	}
}

// OpenPackageFolder shows the folder of the last packages made in the file manager (the page
// names no folder of its own: it can open only this one).
func (a *App) OpenPackageFolder() error {
	if err := a.wait(); err != nil {
		return err
	}
	a.mu.Lock()
	dir := a.pkgOut
	a.mu.Unlock()
	if dir == "" {
		return errors.New("no package has been made yet")
	}
	if err := a.openPath(dir); err != nil {
		a.log.Warn("open package folder", "err", err)
		return userError("Could not open the folder "+dir, err)
	}
	return nil
}

// endPackaging cancels the packaging that runs, if one does; the channel is closed once it has
// ended (and the packager has removed its temporary folder).
func (a *App) endPackaging() <-chan struct{} {
	a.mu.Lock()
	cancel, done := a.pkgCancel, a.pkgDone
	a.mu.Unlock()
	if done == nil {
		done = make(chan struct{})
		close(done)
	} else {
		cancel()
	}
	return done
}

// projectDir is the folder of a project opened as path: the folder itself, or a script's.
func projectDir(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".py") {
		return filepath.Dir(path)
	}
	return path
}
