package ical

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Component is a parsed BEGIN…END block: its properties in order (name,
// raw value) and the blocks inside it.
type Component struct {
	Name  string
	Props [][2]string
	Subs  []*Component
}

// Get returns the raw values of the property name.
func (c *Component) Get(name string) []string {
	var out []string
	for _, p := range c.Props {
		if p[0] == name {
			out = append(out, p[1])
		}
	}
	return out
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// Parse reads a feed strictly as RFC 5545 section 3.1 says: CRLF line
// ends only, physical lines of at most 75 octets, valid UTF-8, continuation
// lines starting with a space or tab, names of letters, digits and
// hyphens, and BEGIN/END properly nested around one VCALENDAR. It is
// what the tests check Encode's output with.
func Parse(data []byte) (*Component, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not UTF-8")
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return nil, errors.New("the last line does not end with CRLF")
	}
	phys := strings.Split(string(data[:len(data)-2]), "\r\n")
	var lines []string
	for i, l := range phys {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: a bare CR or LF", i+1)
		}
		if len(l) > 75 {
			return nil, fmt.Errorf("line %d: %d octets, more than 75", i+1, len(l))
		}
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			if len(lines) == 0 {
				return nil, errors.New("line 1: a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []*Component
	var root *Component
	for i, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("content line %d: no colon: %q", i+1, l)
		}
		if strings.Contains(name, ";") {
			return nil, fmt.Errorf("content line %d: parameters are not expected here: %q", i+1, name)
		}
		if !nameRE.MatchString(name) {
			return nil, fmt.Errorf("content line %d: bad name %q", i+1, name)
		}
		for _, r := range value {
			if r < 0x20 && r != '\t' || r == 0x7f {
				return nil, fmt.Errorf("content line %d: control character %U", i+1, r)
			}
		}
		switch name {
		case "BEGIN":
			c := &Component{Name: value}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("content line %d: a second top-level block", i+1)
				}
				root = c
			} else {
				top := stack[len(stack)-1]
				top.Subs = append(top.Subs, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != value {
				return nil, fmt.Errorf("content line %d: END:%s does not close the open block", i+1, value)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("content line %d: %s outside any block", i+1, name)
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, [2]string{name, value})
		}
	}
	if len(stack) != 0 || root == nil || root.Name != "VCALENDAR" {
		return nil, errors.New("not one complete VCALENDAR")
	}
	return root, nil
}

// Unescape reads a single TEXT value strictly: a backslash only before \
// ; , n or N, and no unescaped ; or , (they would split the value).
func Unescape(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if i+1 == len(v) {
				return "", errors.New("a trailing backslash")
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return "", fmt.Errorf("bad escape \\%c", v[i])
			}
		case ';', ',':
			return "", fmt.Errorf("unescaped %c", v[i])
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String(), nil
}
