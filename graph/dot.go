package graph

import "strings"

// Dot renders the graph in Graphviz DOT syntax. Nodes and edges are listed
// in sorted order so the text is stable for golden tests and diffs. Edges
// point from a node to each of its dependencies. label may be nil, in which
// case the ID is used as the label.
func (g *Graph[T]) Dot(label func(id string, v T) string) string {
	var b strings.Builder
	b.WriteString("digraph {\n")
	b.WriteString("\trankdir=LR;\n")
	ids := g.IDs()
	for _, id := range ids {
		l := id
		if label != nil {
			l = label(id, g.nodes[id])
		}
		b.WriteString("\t" + dotQuote(id) + " [label=" + dotQuote(l) + "];\n")
	}
	for _, id := range ids {
		for _, dep := range g.Deps(id) {
			b.WriteString("\t" + dotQuote(id) + " -> " + dotQuote(dep) + ";\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote makes a DOT double-quoted string. Only the quote and backslash
// need escaping; newlines become DOT's centred line break "\n".
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return `"` + r.Replace(s) + `"`
}
