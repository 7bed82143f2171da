package desktop

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// endWebViewHelpers asks WebKitGTK's helper processes (web, network), children of this
// process, to end once the window is gone. They end by themselves when they notice the
// window's process has gone, but on a busy machine that can take seconds; closing the window
// must leave nothing behind within 3 s.
func endWebViewHelpers() {
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(self) {
			continue
		}
		comm := string(stat[bytes.IndexByte(stat, '(')+1 : i])
		if strings.HasPrefix(comm, "WebKit") {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
}
