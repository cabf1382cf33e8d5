package loader

import (
	"bufio"
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// splitWithScanner is splitDocuments as it was written first, with a
// bufio.Scanner; the faster splitter must cut every input the same way.
func splitWithScanner(data []byte) []rawDoc {
	var docs []rawDoc
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), DefaultMaxInputSize+1)
	var cur bytes.Buffer
	start, line := 1, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "---" || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "---\t") {
			docs = append(docs, rawDoc{data: bytes.Clone(cur.Bytes()), line: start})
			cur.Reset()
			start = line + 1
			if rest := strings.TrimSpace(strings.TrimPrefix(text, "---")); rest != "" && !strings.HasPrefix(rest, "#") {
				cur.WriteString(rest + "\n")
				start = line
			}
			continue
		}
		if text == "..." {
			continue
		}
		cur.WriteString(text)
		cur.WriteByte('\n')
	}
	return append(docs, rawDoc{data: cur.Bytes(), line: start})
}

func FuzzSplitDocumentsMatchesScanner(f *testing.F) {
	inputs := []string{
		"", "\n", "\n\n", "a: 1", "a: 1\n", "a: 1\r\n", "a: 1\r", "a: 1\r\r\n", "\r\n\r\n",
		"---", "---\n", "--- \n", "---\t\n", "----\n", "--- # c\na: 1\n", "--- {a: 1}\n--- [1]\r\n",
		"a: 1\n---\nb: 2\n...\n---\nc: 3", "a: 1\r\n---\r\nb: 2\r\n...\r\n", " ---\n--- x\n---x\n",
		"# only\n---\n\n---\n", "a: |\n  ---\n  x\n", twoDocs, strings.ReplaceAll(twoDocs, "\n", "\r\n"),
	}
	for _, in := range inputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, want := show(splitDocuments(in)), show(splitWithScanner(in))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
		if hasContent(in) != (len(bytes.TrimSpace(stripComments(in))) > 0) {
			t.Errorf("hasContent(%q) = %v", in, hasContent(in))
		}
	})
}

// stripComments is how hasContent was first written, as
// len(bytes.TrimSpace(stripComments(doc))) > 0.
func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out.Write(l)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

func show(docs []rawDoc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = fmt.Sprintf("%d:%s", d.line, d.data)
	}
	return out
}

func TestHasContent(t *testing.T) {
	for in, want := range map[string]bool{
		"": false, "\n \n\t\n": false, "# c\n  # d\n": false, "#c\na": true, "  x: 1 # c": true,
		"\u00a0\n": false, "--- \n": true, "# a\r\n\r\n": false,
	} {
		if got := hasContent([]byte(in)); got != want {
			t.Errorf("hasContent(%q) = %v, want %v", in, got, want)
		}
	}
}
