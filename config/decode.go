package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// parser holds the state of one Parse call. It walks the yaml.Node tree
// itself rather than letting yaml.v3 fill the structs, because only the
// nodes know where each value was written: every value node is kept by its
// path so that validation, which runs later on plain Go values, can still
// point at a line and column.
type parser struct {
	source string
	lookup func(string) (string, bool)
	root   *yaml.Node

	values map[string]*yaml.Node // value node of every key set in the file, by path
	// secrets holds, by path, every value that took something from the
	// environment; see shown.go.
	secrets map[string]expansion
	keys    map[string]*yaml.Node // key node of every mapping entry, by path
	// bad marks paths that already have an error, so that validation does
	// not pile a second, derived complaint on the same value.
	bad  map[string]bool
	errs []*Error
	// pushTokens are the push checks' tokens seen so far, by path: a
	// token must name one check.
	pushTokens map[Secret]string
	// regionIDs are the valid region ids, by the path that defines each,
	// and regionOrder the same ids in the file's order; defaultRegionsOK
	// says whether defaults.regions names only those. See
	// validate_regions.go.
	regionIDs        map[string]string
	regionOrder      []string
	defaultRegionsOK bool

	// budget bounds the number of nodes walked. Aliases can make a small
	// file expand into an enormous tree; past the budget we stop.
	budget int
	// merging holds the mappings whose merge keys are being expanded, to
	// stop a mapping that merges itself.
	merging map[*yaml.Node]bool
}

func newParser(source string, lookup func(string) (string, bool), size int) *parser {
	return &parser{
		source:  source,
		lookup:  lookup,
		values:  map[string]*yaml.Node{},
		secrets: map[string]expansion{},
		keys:    map[string]*yaml.Node{},
		bad:     map[string]bool{},
		budget:  10_000 + 10*size,
		merging: map[*yaml.Node]bool{},
	}
}

// errorf records a problem at node n (nil: at the root) and marks path as
// reported.
func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	e := &Error{Source: p.source, Path: path, Msg: fmt.Sprintf(format, args...) + p.fromVars(path), Line: 1, Column: 1}
	if n == nil {
		n = p.root
	}
	if n != nil && n.Line > 0 {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
	p.bad[path] = true
}

// isSet reports whether the file gave path a (non-null) value.
func (p *parser) isSet(path string) bool {
	_, ok := p.values[path]
	return ok
}

// node returns the node that best locates path: its value if it was set,
// otherwise the value of the nearest ancestor that was (a missing key is
// reported where its mapping starts).
func (p *parser) node(path string) *yaml.Node {
	for {
		if n, ok := p.values[path]; ok {
			return n
		}
		if path == "" {
			return nil
		}
		path = parentPath(path)
	}
}

func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	timeType            = reflect.TypeFor[time.Time]()
	jsonValueType       = reflect.TypeFor[JSONValue]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decode stores node n into v, reporting problems under path.
func (p *parser) decode(n *yaml.Node, path string, v reflect.Value) {
	if p.budget--; p.budget < 0 {
		if p.budget == -1 {
			// errorf marks the root as reported, which stops validation
			// of a tree that was only partly read.
			p.errorf(nil, "", "the document expands to too many values; are aliases nested too deeply?")
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || isNull(n) {
		return
	}
	p.values[path] = n

	t := v.Type()
	switch {
	case t == durationType:
		p.decodeDuration(n, path, v)
		return
	case t == timeType:
		p.decodeTime(n, path, v)
		return
	case t == jsonValueType:
		p.decodeJSONValue(n, path, v.Addr().Interface().(*JSONValue))
		return
	case t == regionRuleType:
		p.decodeRegionRule(n, path, v)
		return
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		p.decodeText(n, path, v)
		return
	}

	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct && n.Kind != yaml.MappingNode && !isTextType(t.Elem()) {
			p.typeError(n, path, "a mapping")
			return
		}
		ptr := reflect.New(t.Elem())
		p.decode(n, path, ptr.Elem())
		v.Set(ptr)
	case reflect.Struct:
		p.decodeStruct(n, path, v)
	case reflect.Slice:
		p.decodeSlice(n, path, v)
	case reflect.Map:
		p.decodeMap(n, path, v)
	case reflect.String:
		if s, _, ok := p.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		p.decodeBool(n, path, v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.decodeInt(n, path, v)
	default:
		// Only reachable if a field of a type this walker does not know is
		// added to the schema; the tests parse config.example.yaml, which
		// must set every key, so they catch it.
		p.errorf(n, path, "cannot read a value of type %s", t)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func isTextType(t reflect.Type) bool {
	return t == timeType || t == jsonValueType || reflect.PointerTo(t).Implements(textUnmarshalerType)
}

// scalar returns the text of a scalar node after ${VAR} expansion. typed
// is false when expansion changed the text: the node's YAML tag was
// resolved from "${...}" and says nothing about the value that replaced it.
func (p *parser) scalar(n *yaml.Node, path, want string) (text string, typed, ok bool) {
	if n.Kind != yaml.ScalarNode {
		p.typeError(n, path, want)
		return "", false, false
	}
	x, err := expand(n.Value, p.lookup)
	if err != nil {
		p.errorf(n, path, "%v", err)
		return "", false, false
	}
	if x.secret() {
		p.secrets[path] = x
	}
	return x.value, x.value == n.Value, true
}

func (p *parser) typeError(n *yaml.Node, path, want string) {
	p.errorf(n, path, "expected %s, got %s", want, describe(n))
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:37]) + "..."
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", v)
	case "!!int", "!!float":
		return "the number " + v
	case "!!bool":
		return v
	}
	return fmt.Sprintf("%q", v)
}

func (p *parser) decodeSlice(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		p.typeError(n, path, "a list")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
	}
	v.Set(s)
}

func (p *parser) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		p.typeError(n, path, "a mapping")
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		p.errorf(n, path, "cannot read a map keyed by %s", v.Type().Key())
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, kv := range p.pairs(n, path) {
		key := kv.key.Value
		kp := joinPath(path, key)
		p.keys[kp] = kv.key
		elem := reflect.New(v.Type().Elem()).Elem()
		p.decode(kv.value, kp, elem)
		m.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

func (p *parser) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		p.typeError(n, path, "a mapping")
		return
	}
	fields := yamlFields(v.Type())
	var meant []string
	for _, kv := range p.pairs(n, path) {
		name := kv.key.Value
		kp := joinPath(path, name)
		i, ok := fields.index[name]
		if !ok && path == "" && strings.HasPrefix(name, "x-") {
			// Top-level x- keys are ignored, as in Compose files, to give
			// anchors a home ("x-defaults: &fast ...").
			continue
		}
		if !ok {
			p.errorf(kv.key, kp, "%s", unknownKey(name, fields.names))
			if s := closest(name, fields.names); s != "" {
				meant = append(meant, joinPath(path, s))
			}
			continue
		}
		p.keys[kp] = kv.key
		p.decode(kv.value, kp, v.Field(i))
	}
	// "urll: x" already says url was meant; "url is required" would only
	// repeat it.
	for _, kp := range meant {
		if !p.isSet(kp) {
			p.bad[kp] = true
		}
	}
}

// structFields maps the yaml names of a struct's fields to their indexes.
type structFields struct {
	names []string // in declaration order, for "allowed keys" messages
	index map[string]int
}

func yamlFields(t reflect.Type) structFields {
	fs := structFields{index: map[string]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fs.names = append(fs.names, name)
		fs.index[name] = i
	}
	return fs
}

type pair struct{ key, value *yaml.Node }

// pairs lists the entries of a mapping with merge keys ("<<: *anchor")
// expanded: the mapping's own keys win over merged ones, and earlier merge
// sources win over later ones, as the YAML merge key spec says. A key
// written twice in the same mapping is an error; yaml.v3 only reports that
// when it fills structs itself.
func (p *parser) pairs(n *yaml.Node, path string) []pair {
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, p.mergeSources(v, path)...)
			continue
		}
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k == nil || k.Kind != yaml.ScalarNode {
			p.errorf(n.Content[i], path, "keys must be plain strings")
			continue
		}
		own = append(own, pair{k, v})
	}
	seen := map[string]*yaml.Node{}
	out := make([]pair, 0, len(own)+len(merged))
	for _, kv := range own {
		if first, dup := seen[kv.key.Value]; dup {
			p.errorf(kv.key, joinPath(path, kv.key.Value), "key is already defined at line %d", first.Line)
			continue
		}
		seen[kv.key.Value] = kv.key
		out = append(out, kv)
	}
	for _, kv := range merged {
		if _, dup := seen[kv.key.Value]; !dup {
			seen[kv.key.Value] = kv.key
			out = append(out, kv)
		}
	}
	return out
}

// mergeSources returns the entries a merge key's value brings in: one
// mapping or a list of mappings, usually aliases.
func (p *parser) mergeSources(v *yaml.Node, path string) []pair {
	if p.budget--; p.budget < 0 {
		return nil
	}
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch {
	case v == nil:
		return nil
	case v.Kind == yaml.MappingNode:
		if p.merging[v] {
			p.errorf(v, path, "a merge key (<<) refers to a mapping that contains it")
			return nil
		}
		p.merging[v] = true
		defer delete(p.merging, v)
		return p.pairs(v, path)
	case v.Kind == yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			out = append(out, p.mergeSources(item, path)...)
		}
		return out
	}
	p.errorf(v, path, "a merge key (<<) takes a mapping or a list of mappings, got %s", describe(v))
	return nil
}
