// Command pyruntime measures the Python runtime: a cold build of the real Streamlit environment
// from a local wheelhouse with the index off, and the warm Ensure check that every later start
// pays. Run from the repository root (the paths are relative to bench/, where it runs):
//
//	scripts/wheelhouse.sh && go -C bench run ./pyruntime
//	go -C bench run ./pyruntime -wheelhouse ../build/wheelhouse -cold 2 -warm 50
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/desklit/desklit/app/pyruntime"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/pyruntime:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fl := flag.NewFlagSet("pyruntime", flag.ContinueOnError)
	wheelhouse := fl.String("wheelhouse", "../build/wheelhouse", "wheelhouse filled by scripts/wheelhouse.sh")
	requirements := fl.String("requirements", "../runtime/streamlit/requirements.txt", "locked requirements")
	python := fl.String("python", "", "interpreter (default: found like Desklit does)")
	cold := fl.Int("cold", 1, "cold builds")
	warm := fl.Int("warm", 30, "warm Ensure checks (>= 20)")
	keep := fl.Bool("keep", false, "keep the data dir")
	if err := fl.Parse(args); err != nil {
		return err
	}

	t0 := time.Now()
	py, err := pyruntime.Find(ctx, *python, os.Getenv)
	if err != nil {
		return err
	}
	findTime := time.Since(t0)
	t0 = time.Now()
	if _, err := pyruntime.Find(ctx, py.Path, os.Getenv); err != nil {
		return err
	}
	findResolved := time.Since(t0)

	size, _ := dirSize(*wheelhouse)
	wheels, _ := filepath.Glob(filepath.Join(*wheelhouse, "*.whl"))
	data, err := os.MkdirTemp("", "desklit-bench-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(data)
	}
	os.Setenv("PIP_NO_INDEX", "1")
	o := pyruntime.Options{DataDir: data, Requirements: *requirements, Wheelhouses: []string{*wheelhouse}, Python: py}

	fmt.Fprintf(out, "load average at start: %s\n", loadAvg())
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, python %s (%s)\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), py.Version, py.Path)
	fmt.Fprintf(out, "wheelhouse: %s, %d wheels, %.1f MB\n", *wheelhouse, len(wheels), float64(size)/1e6)
	fmt.Fprintf(out, "find python: %v (search), %v (resolved path)\n", findTime.Round(time.Millisecond), findResolved.Round(time.Millisecond))

	var colds, cpus []time.Duration
	var env pyruntime.Env
	for i := 0; i < *cold; i++ {
		os.RemoveAll(filepath.Join(data, "runtime"))
		t0, c0 := time.Now(), childCPU()
		env, err = pyruntime.Ensure(ctx, o)
		if err != nil {
			return fmt.Errorf("cold build: %w", err)
		}
		colds = append(colds, time.Since(t0))
		cpus = append(cpus, childCPU()-c0)
	}
	envSize, envFiles := dirSize(env.Dir)
	fmt.Fprintf(out, "cold build x%d: %s (env %.0f MB, %d files)\n", *cold, summary(colds), float64(envSize)/1e6, envFiles)
	fmt.Fprintf(out, "cold build CPU (children user+sys): %s\n", summary(cpus))

	var warms []time.Duration
	for i := 0; i < *warm; i++ {
		t0 := time.Now()
		if _, err := pyruntime.Ensure(ctx, o); err != nil {
			return fmt.Errorf("warm check: %w", err)
		}
		warms = append(warms, time.Since(t0))
	}
	fmt.Fprintf(out, "warm Ensure x%d: %s (goal: median <= 100ms)\n", *warm, summary(warms))
	return nil
}

func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	p90 := s[min(len(s)-1, len(s)*9/10)]
	r := func(d time.Duration) time.Duration {
		if d > time.Second {
			return d.Round(10 * time.Millisecond)
		}
		return d.Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("median %v, min %v, p90 %v, max %v", r(med), r(s[0]), r(p90), r(s[len(s)-1]))
}

func dirSize(dir string) (bytes int64, files int) {
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			bytes += fi.Size()
			files++
		}
		return nil
	})
	return bytes, files
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
