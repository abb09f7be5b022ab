package study

import (
	"bytes"
	"encoding/json"
	"strings"
)

// duplicateKey returns the path ("settings.networks") of the first key
// that an object of the JSON text b repeats, or "" when none does (or the
// text is not JSON: Decode reports that). encoding/json takes the last of
// repeated keys without a word, so a spec edited by hand could hold two
// values of a field and silently use one. Keys are compared as
// encoding/json matches them to fields, without regard to case ("epochs"
// and "Epochs" set the same field); no two fields of a spec differ only in
// case.
func duplicateKey(b []byte) string {
	type frame struct {
		keys    map[string]bool // nil: an array
		path    string
		keyNext bool // an object waiting for a key (or its end)
		key     string
	}
	var st []*frame
	join := func(path, key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(st) > 0 {
			top = st[len(st)-1]
		}
		if top != nil && top.keys != nil && top.keyNext {
			if k, ok := t.(string); ok {
				if top.keys[strings.ToLower(k)] {
					return join(top.path, k)
				}
				top.keys[strings.ToLower(k)], top.key, top.keyNext = true, k, false
				continue
			}
		}
		path := ""
		if top != nil {
			path = top.path + "[]"
			if top.keys != nil {
				path = join(top.path, top.key)
			}
		}
		switch t {
		case json.Delim('{'):
			st = append(st, &frame{keys: map[string]bool{}, path: path, keyNext: true})
		case json.Delim('['):
			st = append(st, &frame{path: path})
		case json.Delim('}'), json.Delim(']'):
			st = st[:len(st)-1]
			if len(st) > 0 && st[len(st)-1].keys != nil {
				st[len(st)-1].keyNext = true
			}
		default: // a scalar value
			if top != nil && top.keys != nil {
				top.keyNext = true
			}
		}
	}
}
