package translate

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated translation tables in docs/serve.md")

// fieldTables are the tables docs/serve.md shows, each a set of columns.
var fieldTables = []struct {
	name    string // the marker's name
	columns []string
	tables  []FieldTable
}{
	{"chat", []string{"Anthropic Messages", "Gemini / Vertex AI", "Amazon Bedrock Converse"}, []FieldTable{anthropic{}.Fields(), gemini{}.Fields(), bedrock{}.Fields()}},
	{"responses", []string{"chat completions (then as the chat table says)"}, []FieldTable{Responses{}.Fields()}},
	{"messages", []string{"chat completions (then as the chat table says)"}, []FieldTable{Messages{}.Fields()}},
	{"embeddings", []string{"Gemini", "Vertex AI", "Amazon Bedrock"}, []FieldTable{geminiEmbedder{}.Fields(), vertexEmbedder{}.Fields(), bedrockEmbedder{}.Fields()}},
}

func renderFieldTable(columns []string, tables []FieldTable) string {
	var b strings.Builder
	b.WriteString("| member | " + strings.Join(columns, " | ") + " |\n|---|" + strings.Repeat("---|", len(columns)) + "\n")
	members := map[string]bool{}
	for _, t := range tables {
		for m := range t {
			members[m] = true
		}
	}
	for _, m := range slices.Sorted(maps.Keys(members)) {
		row := []string{"`" + m + "`"}
		for _, t := range tables {
			row = append(row, strings.ReplaceAll(t[m], "|", "\\|"))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// docs/serve.md's translation tables are the FieldTables, rendered: what
// the docs say of each member is what the code does (the tests beside
// each translation hold the tables against the published schemas).
func TestFieldTablesInDocs(t *testing.T) {
	const path = "../../docs/serve.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ft := range fieldTables {
		begin := fmt.Sprintf("<!-- fields %s: generated from proxy/translate; go test ./proxy/translate -run TestFieldTablesInDocs -update-docs -->\n", ft.name)
		end := fmt.Sprintf("<!-- end fields %s -->\n", ft.name)
		i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
		if i < 0 || j < i {
			t.Errorf("%s has no generated %s table (markers %q ... %q)", path, ft.name, begin, end)
			continue
		}
		want := renderFieldTable(ft.columns, ft.tables)
		if string(doc[i+len(begin):j]) == want {
			continue
		}
		if !*updateDocs {
			t.Errorf("%s's %s table is stale; rerun with -update-docs and review", path, ft.name)
			continue
		}
		doc = slices.Concat(doc[:i+len(begin)], []byte(want), doc[j:])
	}
	if *updateDocs {
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
