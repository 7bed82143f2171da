// PLACEHOLDER: replaced by the lead at merge.
//
// The window's side of issue #14 (own Streamlit projects) added these Backend methods; until the
// project backend (app/project, app/shell.OpenProject, the recent list) is wired, the real
// Backend runs only the bundled demo and says so when asked to open anything else.

package appwindow

import (
	"context"
	"errors"

	"github.com/desklit/desklit/app/desktop"
)

// demoView is the bundled demo, the only app until projects are wired.
func demoView() desktop.AppView {
	return desktop.AppView{Name: "Desklit demo", EnvReady: true, Current: true, Demo: true}
}

// CurrentApp is the demo (PLACEHOLDER).
func (b *Backend) CurrentApp() desktop.AppView { return demoView() }

// Apps is just the demo (PLACEHOLDER).
func (b *Backend) Apps() []desktop.AppView { return []desktop.AppView{demoView()} }

// OpenApp is not wired yet (PLACEHOLDER).
func (b *Backend) OpenApp(ctx context.Context, path string) error {
	return errors.New("opening projects is not wired yet")
}
