package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// --allow-host and --allow-origin open serve to a Host and a web origin;
// others stay refused, on the listener and the admin address alike, and a
// malformed value is a usage error.
func TestServeAllowHostAndOrigin(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai", "--output-dir", dir); code != 0 {
		t.Fatalf("generate: %s", errOut)
	}
	t.Setenv("OPENAI_API_KEY", "sk-k")
	if code, _, errOut := runCmd(t, "serve", "-f", dir, "--allow-origin", "localhost:3000"); code != exitUsage || !strings.Contains(errOut, "--allow-origin localhost:3000") {
		t.Errorf("a malformed --allow-origin: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "serve", "-f", dir, "--allow-host", "http://x.test"); code != exitUsage || !strings.Contains(errOut, "--allow-host http://x.test") {
		t.Errorf("a malformed --allow-host: exit %d %s", code, errOut)
	}

	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-k")
	p := startServeProcess(t, []string{"OPENAI_API_KEY=sk-k"}, "-f", dir, "--upstream", "openai="+openai.URL,
		"--allow-host", "my-laptop.test", "--allow-origin", "http://localhost:3000")
	ask := func(url, host, origin string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Content-Type", "application/json")
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	chat := p.listener + "/openai/v1/chat/completions"
	if code, _, body := ask(chat, "evil.example", ""); code != http.StatusMisdirectedRequest {
		t.Errorf("a foreign Host: %d %s", code, body)
	}
	if code, _, body := ask(chat, "", "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("a foreign origin: %d %s", code, body)
	}
	if n := len(openai.Requests()); n != 0 {
		t.Fatalf("the provider was called %d times", n)
	}
	if code, _, body := ask(chat, "my-laptop.test", ""); code != 200 {
		t.Errorf("--allow-host my-laptop.test: %d %s", code, body)
	}
	if code, h, body := ask(chat, "", "http://localhost:3000"); code != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("--allow-origin http://localhost:3000: %d %v %s", code, h, body)
	}
	req, _ := http.NewRequest("GET", p.admin+"/config", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("/config for a foreign Host: %d", resp.StatusCode)
	}
	p.stop(t)
}

// A listener bound beyond loopback is served, with a warning that anyone
// who reaches it spends the keys; a runtime error (a busy port) is not
// followed by the usage hint, which belongs to usage errors only.
func TestServeWarnsAndRuntimeErrors(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai", "--output-dir", dir); code != 0 {
		t.Fatal(errOut)
	}
	open := exec.Command(binary(t), "serve", "-f", dir, "--listen", "http=0.0.0.0:0", "--admin", "127.0.0.1:0")
	open.Env = append(os.Environ(), "OPENAI_API_KEY=sk-0123456789")
	stderr := &testenv.Buffer{}
	open.Stderr = stderr
	if err := open.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { open.Process.Kill(); open.Wait() })
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "reachable beyond this machine") }, "the warning about 0.0.0.0")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cmd := exec.Command(binary(t), "serve", "-f", dir, "--listen", "http="+busy.Addr().String(), "--admin", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=sk-0123456789")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), "address already in use") || strings.Contains(string(out), "--help") {
		t.Errorf("a busy port: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, "serve", "--no-such-flag"); code != 2 || !strings.Contains(errOut, "--help") {
		t.Errorf("an unknown flag: exit %d, want the usage hint:\n%s", code, errOut)
	}
}

// serve starts and reloads by one verdict: the tutorial's defects, which
// serve works around, are warnings at both; any other error refuses the
// manifests at both, in serve's words.
func TestServeStartAndReloadAgree(t *testing.T) {
	tutorial, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tutorial", "kubelb-1.2-aigateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "tutorial.yaml")
	if err := os.WriteFile(file, tutorial, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"OPENAI_API_KEY=sk-0123456789"}
	p := startServeProcess(t, env, "-f", file)
	waitFor(t, func() bool {
		return strings.Contains(p.stderr.String(), "serve enforces the tutorial's RateLimitPolicy")
	}, "the tutorial's findings as warnings")

	// The same files again: reloaded, not refused.
	if err := os.WriteFile(file, append(tutorial, "\n# touched\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(p.stderr.String(), "msg=reloaded") }, "the reload of the same manifests")
	if strings.Contains(p.stderr.String(), "refused") {
		t.Errorf("a reload of the manifests serve started on was refused:\n%s", p.stderr.String())
	}

	// A defect serve cannot work around: refused at reload and at start.
	broken := strings.Replace(string(tutorial), "kind: HTTPRoute\n", "kind: HTTPRoute\nbogus: 1\n", 1)
	if broken == string(tutorial) {
		t.Fatal("the tutorial has no HTTPRoute to break")
	}
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(p.stderr.String(), "serve cannot run these manifests") }, "the reload refused")
	code, _, errOut := runCmd(t, "serve", "-f", file, "--listen", "http=127.0.0.1:0", "--admin", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, "serve cannot run these manifests") || !strings.Contains(errOut, "bogus") {
		t.Errorf("start on broken manifests: exit %d\n%s", code, errOut)
	}
}
