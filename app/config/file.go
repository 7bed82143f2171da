package config

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// fileValue is a value of the config file and the line it is on, for messages.
type fileValue struct {
	value string
	line  int
}

// readFile parses KEY=VALUE lines; blank lines and # comments are ignored, values may be quoted.
func readFile(path string) (map[string]fileValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]bool{"DESKLIT_CONFIG": false}
	for _, s := range settings() {
		known[s.env] = true
		for _, a := range s.alias {
			known[a] = true
		}
	}
	out := map[string]fileValue{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: expected KEY=VALUE", n)
		}
		if !known[k] {
			return nil, fmt.Errorf("line %d: unknown setting %q", n, k)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = fileValue{value: v, line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
