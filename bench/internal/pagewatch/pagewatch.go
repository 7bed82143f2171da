// Package pagewatch drives bench/switch/page.cjs: a headless Chromium kept open, to which each
// question is a page to open and a text to wait for. The benches time "page computed" with it.
package pagewatch

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Browser is one page.cjs process.
type Browser struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// New starts page.cjs from the repository at root, with test/e2e's playwright-core.
func New(root string) (*Browser, error) {
	cmd := exec.Command("node", filepath.Join(root, "bench", "switch", "page.cjs"))
	cmd.Env = append(os.Environ(), "PLAYWRIGHT="+filepath.Join(root, "test", "e2e", "node_modules", "playwright-core"))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Browser{cmd: cmd, in: in, out: bufio.NewScanner(out)}, nil
}

// Visible opens url in a fresh page and returns once text is visible on it.
func (b *Browser) Visible(url, text string) error {
	fmt.Fprintf(b.in, "%s\t%s\n", url, text)
	if !b.out.Scan() {
		return fmt.Errorf("the browser stopped")
	}
	if line := b.out.Text(); strings.HasPrefix(line, "error") {
		return fmt.Errorf("page %s: %s", strings.Split(url, "?")[0], line)
	}
	return nil
}

// Close ends the browser.
func (b *Browser) Close() { b.in.Close(); b.cmd.Wait() }
