package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is one process of a launched tree, with its memory when sampled.
type proc struct {
	pid, ppid int
	comm      string
	rssKB     int64 // VmRSS, /proc/PID/status
	pssKB     int64 // Pss, /proc/PID/smaps_rollup
}

// allProcs is every process's parent, from /proc/PID/stat.
func allProcs() map[int]int {
	parents := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 {
			parents[pid], _ = strconv.Atoi(f[1])
		}
	}
	return parents
}

// tree is root and every descendant of it, root first.
func tree(root int) []int {
	kids := map[int][]int{}
	for pid, pp := range allProcs() {
		kids[pp] = append(kids[pp], pid)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out
}

// kbField is the value in kB of the line "name: N kB" in a /proc file, 0 if absent.
func kbField(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == name+":" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// sampleTree is the memory of every live process of root's tree.
func sampleTree(root int) []proc {
	var out []proc
	for _, pid := range tree(root) {
		d := fmt.Sprintf("/proc/%d/", pid)
		comm, err := os.ReadFile(d + "comm")
		if err != nil {
			continue
		}
		out = append(out, proc{pid: pid, comm: strings.TrimSpace(string(comm)),
			rssKB: kbField(d+"status", "VmRSS"), pssKB: kbField(d+"smaps_rollup", "Pss")})
	}
	return out
}

// sums is the total RSS and PSS of ps, in MB.
func sums(ps []proc) (rss, pss float64) {
	for _, p := range ps {
		rss += float64(p.rssKB) / 1024
		pss += float64(p.pssKB) / 1024
	}
	return rss, pss
}

// stopTree ends what cmd started: SIGTERM to the launcher, then to what of its tree is left
// (pids, taken while it ran: a child that outlives its parent is no longer found by its parent),
// then SIGKILL after 10 s. It returns once none of them is alive.
func stopTree(cmd *exec.Cmd, pids []int) error {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	for _, p := range pids[1:] {
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if alive(pids) == 0 {
			<-done
			return nil
		}
	}
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	<-done
	if n := alive(pids); n > 0 {
		return errors.New(strconv.Itoa(n) + " processes of the launched tree survive SIGKILL")
	}
	return nil
}

// alive counts the pids that still run (zombies count as ended).
func alive(pids []int) int {
	n := 0
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(b, ')'); i > 0 && len(b) > i+2 && b[i+2] != 'Z' {
			n++
		}
	}
	return n
}
