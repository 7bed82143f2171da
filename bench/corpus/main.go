// Command corpus times the corpus samples of test/corpus (issue 21) to the page computed (the
// text the sample draws last, visible in headless Chromium). Each round, interleaved: the bare
// venv built afresh as test/corpus/run.sh builds it (`uv venv` + `uv pip sync` of the pins it
// resolved, or `uv sync --frozen`) from the warm uv cache; a bare `python -m streamlit run` in it,
// first (no bytecode yet) and again (warm); then `desklit run` as a first launch (no environment
// yet, the same warm uv cache) and as a warm launch. Goals: warm ≤ bare warm + 10 %; first launch
// ≤ the bare install + the bare first start + 1 s. Needs test/corpus/run.sh's venvs and cache
// (.cache/corpus), build/bin/desklit and uv, and test/e2e's playwright-core.
//
//	go -C bench run ./corpus [-n 3] [SAMPLE...]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/desklit/desklit/bench/internal/measure"
	"github.com/desklit/desklit/bench/internal/pagewatch"
)

// sample is one corpus project: what desklit run is given (the folder, or a script in it),
// the script a bare run gets, and the text that shows its page computed (drawn last).
type sample struct {
	name, target, entry, text string
}

var samples = []sample{
	{"pip-freeze-dashboard", "", "streamlit_app.py", "Receipts"},
	{"powershell-freeze", "", "app.py", "Quarterly summary"},
	{"uv-lock-plotly", "", "main.py", "Orders"},
	{"docs-multipage", "", "0_👋_Hello.py", "Good morning, gardener."},
	{"navigation", "", "streamlit_app.py", "Who to ask"},
	{"option-menu", "", "app.py", "Risotto · 45 min"},
	{"upload-download", "", "app.py", "No file yet."},
	{"ml-iris", "", "app.py", "Prediction:"},
	{"old-streamlit", "", "streamlit_app.py", "This month"},
	{"single-script", "loan_calculator.py", "loan_calculator.py", "Balance over time"},
	{"requirements-includes", "", "inventory.py", "Stock value by item"},
	{"data-editor", "", "streamlit_app.py", "Edits stay in this browser session."},
	{"hello", "streamlit_app.py", "streamlit_app.py", "Welcome to Streamlit"},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/corpus:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 3, "rounds per sample")
	port := flag.Int("port", 4750, "Desklit's first port (it uses five); the bare run takes a free one")
	bin := flag.String("bin", "", "the desklit binary to time (default: the repository's build/bin/desklit), e.g. another build to compare")
	flag.Parse()
	root, _ := filepath.Abs("..")
	if *bin == "" {
		*bin = filepath.Join(root, "build", "bin", "desklit")
	}
	l := &lab{root: root, bin: *bin, uv: filepath.Join(root, "build", "bin", "uv"),
		cache: filepath.Join(root, ".cache", "corpus"), port: *port}
	if _, err := os.Stat(filepath.Join(l.cache, "venvs")); err != nil {
		return errors.New("no bare venvs in .cache/corpus/venvs: run make test-corpus (or test/corpus/run.sh) first")
	}
	b, err := pagewatch.New(root)
	if err != nil {
		return err
	}
	defer b.Close()
	l.browser = b
	fmt.Printf("load average at start: %s; %d rounds per sample; medians in seconds, to the page computed\n", measure.LoadAvg(), *n)
	fmt.Printf("%-22s %7s %7s %7s %7s %7s   %-12s %-13s\n", "sample", "install", "bare-1", "bare-w", "first", "warm", "warm/bare-w", "first−(inst+bare-1)")
	var failed []string
	for _, s := range samples {
		if flag.NArg() > 0 && !slices.Contains(flag.Args(), s.name) {
			continue
		}
		if err := l.bench(context.Background(), s, *n); err != nil {
			fmt.Printf("%-22s failed: %v\n", s.name, err)
			failed = append(failed, s.name)
		}
	}
	fmt.Printf("load average at end: %s\n", measure.LoadAvg())
	if len(failed) > 0 {
		return fmt.Errorf("failed: %v", failed)
	}
	return nil
}

// bench runs n interleaved rounds of one sample and prints the medians and the two goals.
func (l *lab) bench(ctx context.Context, s sample, n int) error {
	var rs []result
	for range n {
		r, err := l.round(ctx, s)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	med := func(f func(result) time.Duration) time.Duration {
		var v []time.Duration
		for _, r := range rs {
			v = append(v, f(r))
		}
		return measure.Median(v)
	}
	install, bareFirst, bareWarm := med(func(r result) time.Duration { return r.install }), med(func(r result) time.Duration { return r.bareFirst }), med(func(r result) time.Duration { return r.bareWarm })
	first, warm := med(func(r result) time.Duration { return r.first }), med(func(r result) time.Duration { return r.warm })
	verdict := map[bool]string{true: "met", false: "missed"}
	sec := func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
	fmt.Printf("%-22s %7s %7s %7s %7s %7s   %5.2f %-6s %+6.2f %-6s\n", s.name, sec(install), sec(bareFirst), sec(bareWarm), sec(first), sec(warm),
		float64(warm)/float64(bareWarm), verdict[float64(warm) <= 1.10*float64(bareWarm)],
		(first - install - bareFirst).Seconds(), verdict[first <= install+bareFirst+time.Second])
	bfu, bwu := med(func(r result) time.Duration { return r.bareFirstUp }), med(func(r result) time.Duration { return r.bareWarmUp })
	fu, wu := med(func(r result) time.Duration { return r.firstUp }), med(func(r result) time.Duration { return r.warmUp })
	fmt.Printf("%-22s %7s %7s %7s %7s %7s   (server up; the rest is the page)\n", "", "", sec(bfu), sec(bwu), sec(fu), sec(wu))
	return nil
}
