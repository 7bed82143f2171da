package desktop_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wailsapp/wails/v2/pkg/menu"

	"github.com/desklit/desklit/app/desktop"
	"github.com/desklit/desklit/app/desktop/desktoptest"
)

// fakeUI records what the App asks of the Wails runtime; events go to a channel so tests
// wait for them instead of sleeping.
type fakeUI struct {
	mu      sync.Mutex
	events  chan event
	clip    string
	quit    int
	saveTo  string
	message string
	// chooseDir and chooseFile are what the open dialogs return ("" = cancelled); dialogs
	// records each dialog shown as "dir:<title>" or "file:<pattern>".
	chooseDir, chooseFile string
	dialogs               []string
	titles                chan string
	menus                 chan *menu.Menu
	recent                [][]desktop.RecentItem // UpdateRecent's calls
	services              [][]desktop.RecentItem // UpdateServices' calls
}

type event struct {
	name string
	data any
}

func newFakeUI() *fakeUI {
	return &fakeUI{events: make(chan event, 1000), titles: make(chan string, 100), menus: make(chan *menu.Menu, 100)}
}

func (s *fakeUI) Emit(name string, data any) { s.events <- event{name, data} }

func (s *fakeUI) OpenURL(string) {}

func (s *fakeUI) SetClipboard(t string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clip = t
	return nil
}

func (s *fakeUI) SaveFileDialog(string) (string, error) { return s.saveTo, nil }

func (s *fakeUI) Message(_, text string) { s.message = text }

func (s *fakeUI) OpenDirectoryDialog(title, _ string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dialogs = append(s.dialogs, "dir:"+title)
	return s.chooseDir, nil
}

func (s *fakeUI) OpenFileDialog(_, _, _, pattern string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dialogs = append(s.dialogs, "file:"+pattern)
	return s.chooseFile, nil
}

func (s *fakeUI) SetTitle(t string) { s.titles <- t }

func (s *fakeUI) SetMenu(m *menu.Menu) { s.menus <- m }

func (s *fakeUI) recentCalls() [][]desktop.RecentItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recent)
}

func (s *fakeUI) UpdateRecent(items []desktop.RecentItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recent = append(s.recent, items)
}

func (s *fakeUI) UpdateServices(items []desktop.RecentItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services = append(s.services, items)
}

func (s *fakeUI) servicesCalls() [][]desktop.RecentItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.services)
}

func (s *fakeUI) Quit() { s.mu.Lock(); s.quit++; s.mu.Unlock() }

// waitEach reads events until, for each name in want, one has come that satisfies its check
// (nil: any), in whatever order, and returns their data.
func (s *fakeUI) waitEach(t *testing.T, want map[string]func(any) bool) map[string]any {
	t.Helper()
	got := map[string]any{}
	timeout := time.After(10 * time.Second)
	for len(got) < len(want) {
		select {
		case e := <-s.events:
			if ok, wanted := want[e.name]; wanted && (ok == nil || ok(e.data)) {
				if _, seen := got[e.name]; !seen {
					got[e.name] = e.data
				}
			}
		case <-timeout:
			t.Fatalf("of the events %v, only %v came", slices.Collect(maps.Keys(want)), slices.Collect(maps.Keys(got)))
		}
	}
	return got
}

// waitFor reads events until one named name satisfies ok.
func (s *fakeUI) waitFor(t *testing.T, name string, ok func(any) bool) any {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-s.events:
			if e.name == name && (ok == nil || ok(e.data)) {
				return e.data
			}
		case <-timeout:
			t.Fatalf("no %s event", name)
			return nil
		}
	}
}

func started(t *testing.T, scenario string) (*desktop.App, *desktoptest.FakeBackend, *fakeUI) {
	t.Helper()
	fb := &desktoptest.FakeBackend{Scenario: scenario, Pace: time.Millisecond, AppURL: "http://127.0.0.1:4010/?desklit_token=s"}
	a := desktop.NewApp(fb, nil, time.Second)
	ui := newFakeUI()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	desktop.StartForTest(a, ctx, ui)
	t.Cleanup(func() { _ = desktop.ShutdownForTest(a) })
	return a, fb, ui
}

func allReady(d any) bool {
	s := d.([]desktop.ServiceView)
	for _, v := range s {
		if v.State != desktop.StateReady {
			return false
		}
	}
	return len(s) == 3
}
