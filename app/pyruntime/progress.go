package pyruntime

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// NewTerminalProgress renders Progress for `desklit run`: on a terminal one line that redraws
// itself with a bar, otherwise a plain line whenever the message changes.
func NewTerminalProgress(w io.Writer, isTTY bool) func(Progress) {
	var mu sync.Mutex
	last := ""
	open := false // a bar line is drawn and not yet ended
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		msg := p.Message
		if msg == "" {
			msg = p.Step
		}
		label, of := "python environment", ""
		if p.App != "" {
			label, of = p.App+": python environment", p.App+": "
		}
		if !isTTY {
			if msg != last {
				fmt.Fprintf(w, "%s: %s\n", label, msg)
				last = msg
			}
			return
		}
		if p.Step == StepReady || p.Step == StepFailed {
			if open {
				fmt.Fprintf(w, "\r\x1b[K%s %3.0f%% %s\n", bar(p.Percent), p.Percent, msg)
				open = false
			}
			return
		}
		fmt.Fprintf(w, "\r\x1b[K%s %3.0f%% %s%s", bar(p.Percent), p.Percent, of, msg)
		open = true
	}
}

func bar(percent float64) string {
	const width = 24
	n := int(percent / 100 * width)
	n = max(0, min(width, n))
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}
