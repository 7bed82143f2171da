// Command sidebyside times the same Streamlit app in Desklit's window and in the peer wrapper
// streamlit-desktop-app (PyPI; pywebview on GTK/WebKit2GTK), interleaved in one run (issue 21):
// launch → the app's page visible on the X screen (see screen.go for the exact criterion, the
// same for both), and the total RSS and PSS of each launched process tree (the launcher and
// every descendant: WebKit's processes, Streamlit's Python, Desklit's services) sampled at that
// moment and again -settle later. Each pair alternates which side goes first; one launch of each
// is a warm-up not counted. Desklit is warm (its environment built, kept in -data); with -cold N,
// N more pairs give Desklit a fresh data and cache dir each (first start: the environment is
// built offline from the bundled wheels). Run it through bench/sidebyside/run.sh (Xvfb, a
// private D-Bus session and network namespace, the peer's venv).
//
//	bench/sidebyside/run.sh [-n 6] [-cold 0]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/desklit/desklit/bench/internal/measure"
)

// contender is one of the two wrappers: how to launch it on the app.
type contender struct {
	name string
	cmd  func(cold bool) (cmd *exec.Cmd, cleanup func(), err error)
}

// launch is one measured launch: time to visible, memory then and -settle later.
type launch struct {
	ms            float64
	polls         int // screen grabs until visible
	atVis, settle []proc
}

var (
	pairs     = flag.Int("n", 6, "measured pairs")
	coldPairs = flag.Int("cold", 0, "more pairs with Desklit on a fresh data and cache dir (first start)")
	settle    = flag.Duration("settle", 5*time.Second, "second memory sample this long after visible")
	timeout   = flag.Duration("timeout", 180*time.Second, "give up on a launch after this long")
	app       = flag.String("app", "test/corpus/single-script/loan_calculator.py", "the Streamlit script (repository-relative)")
	venv      = flag.String("venv", ".cache/sidebyside/venv", "venv holding streamlit-desktop-app")
	data      = flag.String("data", ".cache/sidebyside/data", "Desklit's XDG_DATA_HOME for warm launches")
	outDir    = flag.String("out", ".cache/sidebyside/out", "logs and the last screenshots")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sidebyside:", err)
		os.Exit(1)
	}
}

func run() error {
	for _, p := range []*string{app, venv, data, outDir} {
		*p, _ = filepath.Abs(*p)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	root, _ := os.Getwd()
	desk, peer := desklit(root), peerApp()
	fmt.Printf("sidebyside: %s, %d pairs (+%d cold), load %s\n", *app, *pairs, *coldPairs, measure.LoadAvg())
	for _, c := range []contender{desk, peer} { // warm-up: Desklit builds its environment here
		if _, err := measure1(c, false); err != nil {
			return fmt.Errorf("warm-up of %s: %w", c.name, err)
		}
	}
	res := map[string][]launch{}
	for i := 0; i < *pairs+*coldPairs; i++ {
		cold := i >= *pairs
		order := []contender{desk, peer}
		if i%2 == 1 {
			order = []contender{peer, desk}
		}
		for _, c := range order {
			l, err := measure1(c, cold && c.name == "desklit")
			if err != nil {
				return fmt.Errorf("pair %d, %s: %w", i+1, c.name, err)
			}
			key := c.name
			if cold && c.name == "desklit" {
				key = "desklit-cold"
			}
			res[key] = append(res[key], l)
			r, p := sums(l.atVis)
			fmt.Printf("pair %2d %-13s visible %6.0f ms (a screen grab every %3.0f ms)  tree RSS %6.1f MB PSS %6.1f MB (%d processes)  load %s\n",
				i+1, key, l.ms, l.ms/float64(l.polls), r, p, len(l.atVis), measure.LoadAvg())
		}
	}
	report(res)
	return nil
}

// desklit is build/bin/desklit on the app's script, warm on -data or cold on fresh dirs.
func desklit(root string) contender {
	bin := filepath.Join(root, "build", "bin", "desklit")
	return contender{name: "desklit", cmd: func(cold bool) (*exec.Cmd, func(), error) {
		env := append(measure.WithoutEnv(os.Environ(), "XDG_DATA_HOME"), "XDG_DATA_HOME="+*data)
		cleanup := func() {}
		if cold {
			d, err := os.MkdirTemp(*outDir, "cold-")
			if err != nil {
				return nil, nil, err
			}
			env = append(measure.WithoutEnv(measure.WithoutEnv(os.Environ(), "XDG_DATA_HOME"), "XDG_CACHE_HOME"),
				"XDG_DATA_HOME="+filepath.Join(d, "data"), "XDG_CACHE_HOME="+filepath.Join(d, "cache"))
			cleanup = func() { _ = os.RemoveAll(d) }
		}
		cmd := exec.Command(bin, *app)
		cmd.Env = env
		return cmd, cleanup, nil
	}}
}

// peerApp is streamlit-desktop-app's documented entry, start_desktop_app(script), from its venv.
func peerApp() contender {
	const prog = "import sys\nfrom streamlit_desktop_app import start_desktop_app\n" +
		"start_desktop_app(sys.argv[1], title='streamlit-desktop-app')\n"
	return contender{name: "peer", cmd: func(bool) (*exec.Cmd, func(), error) {
		return exec.Command(filepath.Join(*venv, "bin", "python"), "-c", prog, *app), func() {}, nil
	}}
}

// measure1 launches c, polls the screen until the app's page is visible, samples the tree's
// memory then and -settle later, and stops the tree.
func measure1(c contender, cold bool) (launch, error) {
	cmd, cleanup, err := c.cmd(cold)
	if err != nil {
		return launch{}, err
	}
	defer cleanup()
	logf, err := os.Create(filepath.Join(*outDir, c.name+".log"))
	if err != nil {
		return launch{}, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if vis, _ := visible(); vis {
		return launch{}, fmt.Errorf("the app's colours are on the screen before %s starts", c.name)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return launch{}, err
	}
	l, err := await(cmd, t0)
	pids := tree(cmd.Process.Pid)
	if err == nil {
		shot(c.name + "-visible.png")
		time.Sleep(*settle)
		l.settle = sampleTree(cmd.Process.Pid)
		pids = tree(cmd.Process.Pid)
		shot(c.name + "-settled.png")
	}
	if serr := stopTree(cmd, pids); serr != nil && err == nil {
		err = serr
	}
	return l, err
}

// shot saves the screen as name in -out (the last launch's stays, to look at).
func shot(name string) {
	_ = exec.Command("import", "-silent", "-window", "root", filepath.Join(*outDir, name)).Run()
}

// await polls until the page is visible (then samples the tree) or the launcher exits.
func await(cmd *exec.Cmd, t0 time.Time) (launch, error) {
	for polls := 1; time.Since(t0) < *timeout; polls++ {
		vis, err := visible()
		if err != nil {
			return launch{}, err
		}
		if vis {
			ms := float64(time.Since(t0).Microseconds()) / 1000
			return launch{ms: ms, polls: polls, atVis: sampleTree(cmd.Process.Pid)}, nil
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)); err != nil || strings.Contains(string(b), ") Z ") {
			return launch{}, fmt.Errorf("the launcher exited before the page was visible (log in %s)", *outDir)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return launch{}, fmt.Errorf("the page was not visible within %s", *timeout)
}

// report prints, for each side, the median and range of each figure, and the last launch's processes.
func report(res map[string][]launch) {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("\nsummary (load %s): median (min–max), n\n", measure.LoadAvg())
	for _, k := range keys {
		var ms, rv, pv, rs, ps []float64
		for _, l := range res[k] {
			r, p := sums(l.atVis)
			r2, p2 := sums(l.settle)
			ms, rv, pv, rs, ps = append(ms, l.ms), append(rv, r), append(pv, p), append(rs, r2), append(ps, p2)
		}
		fmt.Printf("%-13s launch → visible %s ms; tree RSS at visible %s MB, PSS %s MB; %s later RSS %s MB, PSS %s MB; n=%d\n",
			k, span(ms, "%.0f"), span(rv, "%.1f"), span(pv, "%.1f"), *settle, span(rs, "%.1f"), span(ps, "%.1f"), len(ms))
	}
	paired(res["desklit"], res["peer"], "desklit − peer, per warm pair")
	if cold := res["desklit-cold"]; len(cold) > 0 && len(res["peer"]) >= len(res["desklit"])+len(cold) {
		paired(cold, res["peer"][len(res["desklit"]):], "desklit-cold − peer, per cold pair")
	}
	for _, k := range keys {
		last := res[k][len(res[k])-1]
		fmt.Printf("%s, last launch, %s after visible (pid comm RSS_kB PSS_kB):\n", k, *settle)
		for _, p := range last.settle {
			fmt.Printf("  %d %s %d %d\n", p.pid, p.comm, p.rssKB, p.pssKB)
		}
	}
}

// paired prints the median and range of a[i] − b[i]: time to visible, RSS and PSS at visible.
func paired(a, b []launch, what string) {
	var ms, rss, pss []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		ra, pa := sums(a[i].atVis)
		rb, pb := sums(b[i].atVis)
		ms, rss, pss = append(ms, a[i].ms-b[i].ms), append(rss, ra-rb), append(pss, pa-pb)
	}
	if len(ms) > 0 {
		fmt.Printf("%s: visible %s ms; RSS %s MB; PSS %s MB; n=%d\n", what, span(ms, "%+.0f"), span(rss, "%+.1f"), span(pss, "%+.1f"), len(ms))
	}
}

// span is "median (min–max)" of v in format f.
func span(v []float64, f string) string {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return fmt.Sprintf(f+" ("+f+"–"+f+")", measure.Median(s), s[0], s[len(s)-1])
}
