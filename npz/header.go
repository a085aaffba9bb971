package npz

import (
	"fmt"
	"strconv"
	"strings"
)

// The .npy header is a Python dict literal. pyParser reads the subset numpy writes and a little
// more (both quote styles, trailing commas, Python 2 "3L" integers, arbitrary whitespace), into
// Go values: string, bool, int64, nil (None), pyTuple, pyList and map[string]any.
type (
	pyTuple []any
	pyList  []any
)

// maxHeaderDepth bounds nesting in the header; numpy's own headers nest two deep.
const maxHeaderDepth = 16

type pyParser struct {
	s     string
	pos   int
	depth int
}

// header is the content of a .npy header dict.
type header struct {
	descr        string
	fortranOrder bool
	shape        []int64
}

// parseHeader parses and checks a .npy header dict. It checks types and keys but not sizes.
func parseHeader(s string) (header, error) {
	p := &pyParser{s: s}
	v, err := p.value()
	if err != nil {
		return header{}, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return header{}, p.errorf("unexpected text after the header dict")
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return header{}, fmt.Errorf("header is not a dict")
	}
	for k := range dict {
		if k != "descr" && k != "fortran_order" && k != "shape" {
			return header{}, fmt.Errorf("header has unexpected key %q", k)
		}
	}
	var h header
	switch d := dict["descr"].(type) {
	case string:
		h.descr = d
	case pyList:
		return header{}, fmt.Errorf("unsupported dtype: structured arrays")
	case nil:
		return header{}, fmt.Errorf("header has no 'descr' string")
	default:
		return header{}, fmt.Errorf("header 'descr' is not a string")
	}
	f, ok := dict["fortran_order"].(bool)
	if !ok {
		return header{}, fmt.Errorf("header has no boolean 'fortran_order'")
	}
	h.fortranOrder = f
	shape, ok := dict["shape"].(pyTuple)
	if !ok {
		return header{}, fmt.Errorf("header has no tuple 'shape'")
	}
	h.shape = make([]int64, len(shape))
	for i, d := range shape {
		n, ok := d.(int64)
		if !ok {
			return header{}, fmt.Errorf("header shape %v: dimension %d is not an integer", shape, i)
		}
		if n < 0 {
			return header{}, fmt.Errorf("header shape: negative dimension %d", n)
		}
		h.shape[i] = n
	}
	return h, nil
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("garbled header at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *pyParser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n\f\v", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *pyParser) value() (any, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.dict()
	case c == '(' || c == '[':
		return p.sequence()
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || ('0' <= c && c <= '9'):
		return p.integer()
	case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z':
		return p.identifier()
	default:
		return nil, p.errorf("unexpected character %q", c)
	}
}

// enter and leave bound the nesting depth of containers.
func (p *pyParser) enter() error {
	p.depth++
	if p.depth > maxHeaderDepth {
		return p.errorf("nested more than %d deep", maxHeaderDepth)
	}
	return nil
}

func (p *pyParser) leave() { p.depth-- }

func (p *pyParser) dict() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++ // '{'
	m := map[string]any{}
	for {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, p.errorf("dict key is not a string")
		}
		if _, dup := m[key]; dup {
			return nil, p.errorf("duplicate key %q", key)
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return nil, p.errorf("want ':' after key %q", key)
		}
		p.pos++
		if m[key], err = p.value(); err != nil {
			return nil, err
		}
		if !p.separator('}') {
			return nil, p.errorf("want ',' or '}' in dict")
		}
	}
}

// separator consumes a ',' or peeks the closing character; it reports whether it found either.
func (p *pyParser) separator(closing byte) bool {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return false
	}
	switch p.s[p.pos] {
	case ',':
		p.pos++
		return true
	case closing:
		return true
	}
	return false
}

// sequence parses a tuple or a list. As in Python, "(x)" is x itself, not a tuple.
func (p *pyParser) sequence() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	open := p.s[p.pos]
	closing := byte(')')
	if open == '[' {
		closing = ']'
	}
	p.pos++
	var items []any
	sawComma := false
	for {
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == closing {
			p.pos++
			break
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		if !p.separator(closing) {
			return nil, p.errorf("want ',' or %q", closing)
		}
		if p.s[p.pos-1] == ',' {
			sawComma = true
		}
	}
	if open == '[' {
		return pyList(items), nil
	}
	if len(items) == 1 && !sawComma {
		return items[0], nil
	}
	return pyTuple(items), nil
}

func (p *pyParser) str() (any, error) {
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == quote:
			return b.String(), nil
		case c == '\\' && p.pos < len(p.s):
			b.WriteByte(p.s[p.pos])
			p.pos++
		case c == '\n':
			return nil, p.errorf("newline in string")
		default:
			b.WriteByte(c)
		}
	}
	return nil, p.errorf("unterminated string")
}

func (p *pyParser) integer() (any, error) {
	start := p.pos
	if c := p.s[p.pos]; c == '-' || c == '+' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		return nil, p.errorf("want digits")
	}
	text := p.s[start:p.pos]
	if p.pos < len(p.s) && (p.s[p.pos] == 'L' || p.s[p.pos] == 'l') { // Python 2 long
		p.pos++
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errorf("integer %s out of range", text)
	}
	return n, nil
}

func (p *pyParser) identifier() (any, error) {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			break
		}
		p.pos++
	}
	switch id := p.s[start:p.pos]; id {
	case "True":
		return true, nil
	case "False":
		return false, nil
	case "None":
		return nil, nil
	default:
		p.pos = start
		return nil, p.errorf("unknown name %q", id)
	}
}
