package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

var update = flag.Bool("update", false, "rewrite the golden files (review the diff)")

func init() { now = func() time.Time { return time.Unix(1764000000, 0) } }

// golden compares got with testdata file name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./proxy/translate -update, then review)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", name, got, want)
	}
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return append(out.Bytes(), '\n')
}

// refusedRequests are the requests of testdata/requests a translation
// refuses, with the member it names.
var refusedRequests = map[string]string{
	"parallel.json gemini":  "parallel_tool_calls",
	"parallel.json bedrock": "parallel_tool_calls",
}

// Every OpenAI request of testdata/requests in each provider's format.
func TestRequests(t *testing.T) {
	files, _ := filepath.Glob("testdata/requests/*.json")
	var n int
	for _, f := range files {
		base := filepath.Base(f)
		if strings.Count(base, ".") > 1 {
			continue // an output
		}
		n++
		in, _ := os.ReadFile(f)
		for _, format := range []string{"anthropic", "gemini", "bedrock"} {
			if format == "bedrock" && base == "images.json" {
				continue // an image by URL: Bedrock wants bytes (TestRequestErrors)
			}
			tr, _ := For(format)
			out, err := tr.Request(in, "backend-model")
			if member, ok := refusedRequests[base+" "+format]; ok {
				var ue *UnsupportedError
				if !errors.As(err, &ue) || ue.Member != member {
					t.Errorf("%s to %s: %v, want %s refused", base, format, err, member)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s to %s: %v", base, format, err)
			}
			golden(t, "requests/"+strings.TrimSuffix(base, ".json")+"."+format+".json", indent(t, out))
		}
	}
	if n < 4 {
		t.Fatalf("only %d request cases", n)
	}
}

// Requests that cannot be translated are refused with the reason.
func TestRequestErrors(t *testing.T) {
	for _, c := range []struct{ format, body, want string }{
		{"anthropic", `{"messages":"hi"}`, "not an OpenAI chat completion request"},
		{"anthropic", `{"messages":[{"role":"oracle","content":"x"}]}`, `role "oracle"`},
		{"anthropic", `{"messages":[{"role":"user","content":[{"type":"input_audio"}]}]}`, `"input_audio"`},
		{"anthropic", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,xyz"}}]}]}`, "base64"},
		{"anthropic", `{"n":2,"messages":[{"role":"user","content":"x"}]}`, "one choice"},
		{"bedrock", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`, "images as data"},
		{"gemini", `{"messages":[{"role":"tool","tool_call_id":"c9","content":"x"}]}`, `tool_call_id "c9"`},
		{"gemini", `{"messages":[{"role":"user","content":7}]}`, "want a string or a list of parts"},
	} {
		tr, _ := For(c.format)
		if _, err := tr.Request([]byte(c.body), ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want an error with %q", c.format, c.body, err, c.want)
		}
	}
}

// Every provider answer of testdata/responses in OpenAI's format; a file
// named error-NNN.* is an answer with that status.
func TestResponses(t *testing.T) {
	files, _ := filepath.Glob("testdata/responses/*.json")
	for _, f := range files {
		base := filepath.Base(f)
		parts := strings.Split(base, ".")
		if len(parts) != 3 {
			continue // an output
		}
		status := 200
		if code, ok := strings.CutPrefix(parts[0], "error-"); ok {
			status, _ = strconv.Atoi(code)
		}
		in, _ := os.ReadFile(f)
		tr, _ := For(parts[1])
		out, used := tr.Response(status, in, "backend-model")
		golden(t, "responses/"+parts[0]+"."+parts[1]+".openai.json", indent(t, out))
		if used.Seen != (status == 200) {
			t.Errorf("%s: usage seen %v", base, used.Seen)
		}
	}
}

// Every provider stream of testdata/streams as OpenAI chunks, the same
// whatever the pieces the stream arrives in: whole, byte by byte, and cut
// in two at every byte boundary.
func TestStreams(t *testing.T) {
	files, _ := filepath.Glob("testdata/streams/*.sse")
	events, _ := filepath.Glob("testdata/streams/*.bedrock.events.json")
	files = append(files, events...)
	for _, f := range files {
		base := filepath.Base(f)
		parts := strings.Split(base, ".")
		in, _ := os.ReadFile(f)
		switch {
		case strings.HasSuffix(base, ".events.json"):
			in = encodeEvents(t, in) // Bedrock's binary frames
			parts = parts[:2]
		case len(parts) != 3:
			continue
		}
		tr, _ := For(parts[1])
		run := func(pieces [][]byte) []byte {
			s := tr.Stream("backend-model", true)
			var out []byte
			for _, p := range pieces {
				out = append(out, s.Feed(p)...)
			}
			return append(out, s.End()...)
		}
		whole := run([][]byte{in})
		golden(t, "streams/"+parts[0]+"."+parts[1]+".openai.sse", whole)
		var bytewise [][]byte
		for i := range in {
			bytewise = append(bytewise, in[i:i+1])
		}
		if got := run(bytewise); !bytes.Equal(got, whole) {
			t.Errorf("%s byte by byte:\n%s\nwhole:\n%s", base, got, whole)
		}
		for i := 1; i < len(in); i++ {
			if got := run([][]byte{in[:i], in[i:]}); !bytes.Equal(got, whole) {
				t.Fatalf("%s cut at byte %d:\n%s\nwhole:\n%s", base, i, got, whole)
			}
		}
	}
}

// encodeEvents writes a list of {event|exception, payload} as AWS's
// binary event stream, with AWS's own encoder.
func encodeEvents(t *testing.T, list []byte) []byte {
	t.Helper()
	var events []struct {
		Event     string          `json:"event"`
		Exception string          `json:"exception"`
		Payload   json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(list, &events); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, e := range events {
		msg := eventstream.Message{Payload: e.Payload}
		if e.Exception != "" {
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
			msg.Headers.Set(":exception-type", eventstream.StringValue(e.Exception))
		} else {
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
			msg.Headers.Set(":event-type", eventstream.StringValue(e.Event))
		}
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		if err := enc.Encode(&out, msg); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}
