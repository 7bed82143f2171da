package pyruntime

import (
	"fmt"
	"strconv"
	"strings"
)

// Range is a Python version range in PEP 440 specifier syntax (">=3.11,<3.13", "~=3.12",
// "==3.12.*"), as desklit.toml's python and pyproject.toml's requires-python give it. The zero
// Range admits every version.
type Range struct {
	text    string
	clauses []clause
}

type clause struct {
	op       string // >= <= > < == != ~=
	version  []int
	wildcard bool // ==3.12.* / !=3.12.*
}

// ParseRange parses a comma-separated list of version clauses; "" is the range of every version.
func ParseRange(s string) (Range, error) {
	r := Range{text: strings.TrimSpace(s)}
	if r.text == "" {
		return r, nil
	}
	for _, part := range strings.Split(r.text, ",") {
		part = strings.TrimSpace(part)
		var c clause
		for _, op := range []string{"~=", "==", "!=", ">=", "<=", ">", "<"} {
			if strings.HasPrefix(part, op) {
				c.op = op
				break
			}
		}
		if c.op == "" {
			return Range{}, fmt.Errorf("%q is not a version range (e.g. \">=3.11,<3.13\")", s)
		}
		v := strings.TrimSpace(strings.TrimPrefix(part, c.op))
		if rest, ok := strings.CutSuffix(v, ".*"); ok && (c.op == "==" || c.op == "!=") {
			c.wildcard, v = true, rest
		}
		nums, err := parseVersion(v)
		if err != nil || (c.op == "~=" && len(nums) < 2) {
			return Range{}, fmt.Errorf("%q is not a version range: bad version %q", s, v)
		}
		c.version = nums
		r.clauses = append(r.clauses, c)
	}
	return r, nil
}

func parseVersion(v string) ([]int, error) {
	if v == "" {
		return nil, fmt.Errorf("empty")
	}
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// String is the range as written ("" for every version).
func (r Range) String() string { return r.text }

// Admits reports whether version ("3.12.4") is in the range.
func (r Range) Admits(version string) bool {
	v, err := parseVersion(version)
	if err != nil {
		return false
	}
	for _, c := range r.clauses {
		if !c.admits(v) {
			return false
		}
	}
	return true
}

// AdmitsMinor reports whether the range admits some release of Python 3.minor: ">=3.12.1"
// admits 3.12, "<3.12" does not.
func (r Range) AdmitsMinor(minor int) bool {
	for patch := range 100 {
		if r.Admits(fmt.Sprintf("3.%d.%d", minor, patch)) {
			return true
		}
	}
	return false
}

func (c clause) admits(v []int) bool {
	switch c.op {
	case "==":
		if c.wildcard {
			return hasPrefix(v, c.version)
		}
		return cmpVersion(v, c.version) == 0
	case "!=":
		if c.wildcard {
			return !hasPrefix(v, c.version)
		}
		return cmpVersion(v, c.version) != 0
	case ">=":
		return cmpVersion(v, c.version) >= 0
	case "<=":
		return cmpVersion(v, c.version) <= 0
	case ">":
		return cmpVersion(v, c.version) > 0
	case "<":
		return cmpVersion(v, c.version) < 0
	default: // ~=X.Y.Z: >= X.Y.Z and == X.Y.*
		return cmpVersion(v, c.version) >= 0 && hasPrefix(v, c.version[:len(c.version)-1])
	}
}

func cmpVersion(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func hasPrefix(v, prefix []int) bool {
	if len(v) < len(prefix) {
		v = append(v, make([]int, len(prefix)-len(v))...)
	}
	for i := range prefix {
		if v[i] != prefix[i] {
			return false
		}
	}
	return true
}
