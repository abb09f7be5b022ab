package npy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// dtype describes a supported element type.
type dtype struct {
	kind  byte // 'b' bool, 'i' signed, 'u' unsigned, 'f' float
	size  int  // bytes per element
	big   bool // big-endian (only meaningful when size > 1)
	descr string
}

// parseDescr accepts simple numeric dtype strings as numpy writes them ("<f4", "|u1", "|b1",
// ">f8", ...). A missing or '=' byte-order character means native order, which is
// little-endian on every platform this package supports. Object, string, structured,
// complex, datetime and float16 dtypes are rejected.
func parseDescr(s string) (dtype, error) {
	d := dtype{descr: s}
	rest := s
	if rest != "" {
		switch rest[0] {
		case '<', '=':
			rest = rest[1:]
		case '>':
			d.big = true
			rest = rest[1:]
		case '|':
			rest = rest[1:]
		}
	}
	if strings.HasPrefix(rest, "O") {
		return d, fmt.Errorf("object dtype %q is not supported (it needs Python pickles)", s)
	}
	if len(rest) < 2 {
		return d, fmt.Errorf("unsupported dtype %q", s)
	}
	d.kind = rest[0]
	n, err := strconv.Atoi(rest[1:])
	if err != nil {
		return d, fmt.Errorf("unsupported dtype %q", s)
	}
	d.size = n
	ok := false
	switch d.kind {
	case 'b':
		ok = n == 1
	case 'i', 'u':
		ok = n == 1 || n == 2 || n == 4 || n == 8
	case 'f':
		ok = n == 4 || n == 8
	}
	if !ok {
		return d, fmt.Errorf("unsupported dtype %q: %s are not read", s, dtypeKind(d.kind, n))
	}
	if n == 1 {
		d.big = false
	}
	return d, nil
}

// header is the parsed header dictionary.
type header struct {
	descr   string
	fortran bool
	shape   []int
}

// MaxDataBytes bounds the byte size a header may declare (1 TiB). Larger shapes are rejected
// before anything is allocated.
const MaxDataBytes = 1 << 40

// maxDims is numpy's NPY_MAXDIMS (numpy 2; numpy 1 allows 32).
const maxDims = 64

// maxHeaderLen bounds the header length field (numpy itself refuses headers above 10000 bytes
// by default; files with very many dimensions may be longer).
const maxHeaderLen = 1 << 20

// parseHeader parses a Python dict literal like
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// in any key order, with or without trailing commas and whitespace. Only literals are
// accepted: strings, True/False, integers and tuples of integers.
func parseHeader(s string) (header, error) {
	var h header
	p := &lit{s: s}
	p.space()
	if !p.eat('{') {
		return h, fmt.Errorf("header %s: want a dict literal starting with '{'", quoteShort(s))
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, fmt.Errorf("header %s: dict key: %v", quoteShort(s), err)
		}
		if seen[key] {
			return h, fmt.Errorf("header %s: duplicate key %q", quoteShort(s), key)
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return h, fmt.Errorf("header %s: want ':' after key %q", quoteShort(s), key)
		}
		p.space()
		switch key {
		case "descr":
			if p.peek() == '[' {
				return h, fmt.Errorf("header %s: structured dtypes are not supported", quoteShort(s))
			}
			h.descr, err = p.str()
		case "fortran_order":
			h.fortran, err = p.boolean()
		case "shape":
			h.shape, err = p.tuple()
		default:
			return h, fmt.Errorf("header %s: unexpected key %q (want descr, fortran_order, shape)", quoteShort(s), key)
		}
		if err != nil {
			return h, fmt.Errorf("header %s: %s: %v", quoteShort(s), key, err)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat('}') {
			break
		}
		return h, fmt.Errorf("header %s: want ',' or '}' at offset %d", quoteShort(s), p.i)
	}
	p.space()
	if p.i != len(p.s) {
		return h, fmt.Errorf("header %s: trailing characters after the dict", quoteShort(s))
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("header %s: missing key %q", quoteShort(s), k)
		}
	}
	return h, nil
}

func quoteShort(s string) string {
	s = strings.TrimRight(s, " \n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return strconv.Quote(s)
}

// lit is a tiny scanner for the Python literals numpy writes.
type lit struct {
	s string
	i int
}

func (p *lit) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *lit) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.s) {
		p.i++
		return true
	}
	return false
}

func (p *lit) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// str reads a single- or double-quoted string without escapes (numpy's keys and dtype
// strings never contain any).
func (p *lit) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("want a quoted string at offset %d", p.i)
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			p.i = j + 1
			return p.s[start:j], nil
		case '\\', '\n':
			return "", fmt.Errorf("unsupported character in string at offset %d", j)
		}
	}
	return "", fmt.Errorf("unterminated string at offset %d", p.i)
}

func (p *lit) boolean() (bool, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return false, fmt.Errorf("want True or False at offset %d", p.i)
}

// tuple reads (), (n,), (n, m), (n, m,), ... of non-negative integers; Python 2's long
// suffix "L" is accepted, as old numpy files carry it. "(n)" is an int in Python, not a tuple.
func (p *lit) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("want a tuple at offset %d", p.i)
	}
	shape := []int{}
	p.space()
	if p.eat(')') {
		return shape, nil
	}
	for {
		if p.peek() == '-' {
			return nil, fmt.Errorf("negative dimension at offset %d", p.i)
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == start {
			return nil, fmt.Errorf("want a non-negative integer at offset %d", p.i)
		}
		v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil || v > math.MaxInt {
			return nil, fmt.Errorf("dimension %s overflows", p.s[start:p.i])
		}
		p.eat('L')
		shape = append(shape, int(v))
		if len(shape) > maxDims {
			return nil, fmt.Errorf("more than %d dimensions", maxDims)
		}
		p.space()
		switch {
		case p.eat(','):
			p.space()
			if p.eat(')') {
				return shape, nil
			}
		case p.eat(')'):
			if len(shape) == 1 {
				return nil, fmt.Errorf("(%d) is not a tuple; want (%d,)", shape[0], shape[0])
			}
			return shape, nil
		default:
			return nil, fmt.Errorf("want ',' or ')' at offset %d", p.i)
		}
	}
}

// elements returns the number of elements of shape and its byte size for elements of size
// bytes, or an error when either overflows or exceeds MaxDataBytes.
func elements(shape []int, size int) (n, bytes int, err error) {
	n = 1
	if len(shape) > maxDims {
		return 0, 0, fmt.Errorf("shape has %d dimensions, more than %d", len(shape), maxDims)
	}
	for _, d := range shape {
		if d < 0 {
			return 0, 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
	}
	for _, d := range shape {
		if d == 0 {
			return 0, 0, nil
		}
	}
	for _, d := range shape {
		if n > MaxDataBytes/d {
			return 0, 0, fmt.Errorf("shape %v holds more than %d bytes", shape, int64(MaxDataBytes))
		}
		n *= d
	}
	if n > MaxDataBytes/size {
		return 0, 0, fmt.Errorf("shape %v of %d-byte elements holds more than %d bytes", shape, size, int64(MaxDataBytes))
	}
	return n, n * size, nil
}

// formatHeader returns numpy's header text for the dict (without padding): keys sorted, repr
// of each value, ", " after each item.
func formatHeader(descr string, fortran bool, shape []int) string {
	var b strings.Builder
	b.WriteString("{'descr': '")
	b.WriteString(descr)
	b.WriteString("', 'fortran_order': ")
	if fortran {
		b.WriteString("True")
	} else {
		b.WriteString("False")
	}
	b.WriteString(", 'shape': (")
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteString(",")
	}
	b.WriteString("), }")
	// numpy >= 1.24 reserves room so the growth axis can be rewritten in place.
	if len(shape) > 0 {
		axis := shape[0]
		if fortran {
			axis = shape[len(shape)-1]
		}
		if pad := 21 - len(strconv.Itoa(axis)); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad))
		}
	}
	return b.String()
}

// dtypeKind names what a dtype this package does not read holds, for its
// error. The message says what the file is, not what is wanted: each
// command that reads .npy files says which of the dtypes read here it
// takes (train and eval: uint8, bool, float32 or float64), so that two
// messages never list different accepted types.
func dtypeKind(kind byte, n int) string {
	switch kind {
	case 'c':
		return "complex numbers"
	case 'f':
		if n == 2 {
			return "float16 numbers"
		}
		return fmt.Sprintf("%d-byte floats", n)
	case 'U', 'S', 'a':
		return "strings"
	case 'M', 'm':
		return "dates and times"
	case 'V':
		return "structured records"
	case 'b':
		return fmt.Sprintf("%d-byte booleans", n)
	case 'i', 'u':
		return fmt.Sprintf("%d-byte integers", n)
	}
	return "values of this dtype"
}
