package fatfs

import (
	"sort"
	"strings"
)

// node is one file or directory of the tree Build writes.
type node struct {
	name     string // as given (original case)
	dir      bool
	data     []byte
	children map[string]*node
	path     string
}

func (n *node) sorted() []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	// fatfsgen sorts os.listdir: code-point order of the original names,
	// files and directories together.
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// buildTree turns entries into a tree; parents of a file need no entry of
// their own.
func buildTree(entries []Entry) (*node, error) {
	root := &node{dir: true, children: map[string]*node{}}
	for _, e := range entries {
		if e.Path == "" || strings.HasPrefix(e.Path, "/") {
			return nil, invalidf("entry path %q must be relative and non-empty", e.Path)
		}
		parts := strings.Split(strings.TrimSuffix(e.Path, "/"), "/")
		cur := root
		for i, p := range parts {
			if p == "" || p == "." || p == ".." || strings.ContainsRune(p, 0) {
				return nil, invalidf("entry path %q: bad component %q", e.Path, p)
			}
			last := i == len(parts)-1
			child, ok := cur.children[p]
			if !ok {
				child = &node{name: p, dir: !last || e.Dir, path: strings.Join(parts[:i+1], "/")}
				if child.dir {
					child.children = map[string]*node{}
				}
				cur.children[p] = child
			} else if child.dir != (!last || e.Dir) {
				return nil, invalidf("%q is given both as a file and as a directory", child.path)
			} else if last && !e.Dir {
				return nil, invalidf("file %q is given twice", e.Path)
			}
			if last && !e.Dir {
				child.data = e.Data
			}
			cur = child
		}
	}
	return root, nil
}
