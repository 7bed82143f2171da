package project

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A Compose service listens inside a container of its own, on a port of its choosing: FastAPI's
// Docker recipe on 80 (`fastapi run --port 80`, tiangolo's images). Here the services share this
// computer, where a port below 1024 needs an administrator (Linux refuses it to a user: "bind:
// permission denied", and the app stopped). Such a port is moved, when the service's command
// names it: to the host side of its ports entry when that is 1024 or above ("8080:80"), else 8000
// above it (80: 8080). The addresses of it in the services' environments follow (backend:80,
// http://backend:80, http://backend).

// movedPort is a service's port as its Compose file gives it and as it runs here.
type movedPort struct{ from, to int }

// unprivileged moves a service's port below 1024 to one no other service uses: its command with
// the new port, and the move; ok is false when the port needs no move or the command does not
// name it.
func unprivileged(sv Service, ports []any, used map[int]bool) (argv []string, move movedPort, ok bool) {
	if sv.Port == 0 || sv.Port >= 1024 {
		return nil, movedPort{}, false
	}
	to := publishedPort(ports)
	if to < 1024 || used[to] {
		to = sv.Port + 8000
	}
	for used[to] {
		to++
	}
	argv, ok = withPort(sv.Command, sv.Port, to)
	return argv, movedPort{sv.Port, to}, ok
}

// publishedPort is the host side of the first ports entry ("8080:80", "127.0.0.1:8080:80",
// {published: 8080}); 0 when it names none.
func publishedPort(ports []any) int {
	for _, p := range ports {
		switch v := p.(type) {
		case map[string]any:
			n, _ := strconv.Atoi(fmt.Sprint(v["published"]))
			return n
		default:
			s, _, _ := strings.Cut(fmt.Sprint(v), "/")
			if parts := strings.Split(s, ":"); len(parts) >= 2 {
				n, _ := strconv.Atoi(parts[len(parts)-2])
				return n
			}
			return 0
		}
	}
	return 0
}

// withPort is argv with its port option's value from made to (--port 80, --port=80, -p 80,
// --bind 127.0.0.1:80, -b :80); ok is false when no option names from.
func withPort(argv []string, from, to int) ([]string, bool) {
	out := slices.Clone(argv)
	done := false
	for _, a := range portArgs(argv) {
		if a.port == strconv.Itoa(from) {
			out[a.i], done = a.prefix+a.host+strconv.Itoa(to), true
		}
	}
	return out, done
}

// portArg is the value of a port option in a command line: the argument it is in (i), what
// precedes it there ("--port=" or ""), its host ("127.0.0.1:", ":" or "") and its port.
type portArg struct {
	i                  int
	prefix, host, port string
}

// portArgs are the values of argv's port options (portArgRE: --port 80, --port=80, -p 80,
// --bind 127.0.0.1:80, -b :80).
func portArgs(argv []string) []portArg {
	var out []portArg
	for i, a := range argv {
		if !portArgRE.MatchString(a) {
			continue
		}
		arg := portArg{i: i}
		if opt, v, ok := strings.Cut(a, "="); ok {
			arg.prefix, arg.port = opt+"=", v
		} else if i+1 < len(argv) {
			arg.i, arg.port = i+1, argv[i+1]
		} else {
			continue
		}
		if c := strings.LastIndexByte(arg.port, ':'); c >= 0 {
			arg.host, arg.port = arg.port[:c+1], arg.port[c+1:]
		}
		out = append(out, arg)
	}
	return out
}

// movedAddresses makes the addresses of moved services' ports in an environment value the ports
// they run on: name:80 and scheme://name:80, and http://name (80 by its scheme) or https://name.
func movedAddresses(v string, moves map[string]movedPort) string {
	for name, m := range moves {
		n := regexp.QuoteMeta(name)
		v = regexp.MustCompile(`(^|//|@)`+n+`:`+strconv.Itoa(m.from)+`\b`).ReplaceAllString(v, "${1}"+name+":"+strconv.Itoa(m.to))
		if scheme := map[int]string{80: "http", 443: "https"}[m.from]; scheme != "" {
			v = regexp.MustCompile(`^(`+scheme+`://)`+n+`(/|$)`).ReplaceAllString(v, "${1}"+name+":"+strconv.Itoa(m.to)+"${2}")
		}
	}
	return v
}
