package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Clients that send slowly or idle are cut off: headers within the header
// timeout, the body within the body timeout (408, the provider never
// called), and a kept-alive connection closes after the idle timeout. The
// body timeout does not bound the answer: a provider slower than it still
// answers.
func TestClientTimeouts(t *testing.T) {
	const limit = 300 * time.Millisecond
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	up, _ := url.Parse(f.URL)
	cfg, err := buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": up},
		Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 10*time.Second), BodyTimeout: limit})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveConfigWith(t, cfg, ServeOptions{HeaderTimeout: limit, IdleTimeout: limit})
	addr := strings.TrimPrefix(base, "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
		return c
	}
	closedWithin := func(c net.Conn, what string) {
		t.Helper()
		start := time.Now()
		if _, err := io.ReadAll(c); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: closed after %s", what, took)
		}
	}

	// Headers that never end.
	c := dial()
	io.WriteString(c, "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	closedWithin(c, "slow headers")

	// A body that never arrives.
	c = dial()
	io.WriteString(c, "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"model\":")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "did not arrive") {
		t.Errorf("slow body: %d %s", resp.StatusCode, b)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("the provider was called %d times for an incomplete body", n)
	}

	// A kept-alive connection after its request.
	c = dial()
	io.WriteString(c, "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(chat))+"\r\n\r\n"+chat)
	br := bufio.NewReader(c)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("kept-alive request: %d close=%v", resp.StatusCode, resp.Close)
	}
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: %v, want EOF", err)
	}
	if took := time.Since(start); took < limit/2 || took > 5*time.Second {
		t.Errorf("idle connection closed after %s, want about %s", took, limit)
	}

	// A provider slower than the body timeout still answers.
	f.Fail(fakeprovider.Fault{Delay: 3 * limit})
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 {
		t.Errorf("slow provider: %d %s", resp.StatusCode, out)
	}
}
