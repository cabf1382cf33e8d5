package main

import (
	"bufio"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the command once per test run, for the tests that need a
// real process (signals, a terminal, kubectl's plugin lookup).
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kubelb-ai-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "kubelb-ai")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

// serveProcess is `kubelb-ai serve` running as a process of its own.
type serveProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *testenv.Buffer
	listener       string // base URL of listener "http"
	admin          string
	exited         chan error
}

func startServeProcess(t *testing.T, env []string, args ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{stdout: &testenv.Buffer{}, stderr: &testenv.Buffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(binary(t), append([]string{"serve", "--listen", "http=127.0.0.1:0", "--admin", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := regexp.MustCompile(`^serving (listener http|admin) .*on (http://\S+)`)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.stdout.Write([]byte(sc.Text() + "\n"))
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				if m[1] == "admin" {
					p.admin = m[2]
				} else {
					p.listener = m[2]
				}
				if p.admin != "" && p.listener != "" {
					close(ready)
				}
			}
		}
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	select {
	case <-ready:
	case err := <-p.exited:
		t.Fatalf("serve exited: %v\n%s%s", err, p.stdout.String(), p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s\n%s%s", p.stdout.String(), p.stderr.String())
	}
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
}

func send(t *testing.T, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Keys never reach serve's output: the process's standard output and
// error (the access log, in both formats, with failovers, an unreachable
// provider, a refused reload and the drain), /config and /metrics are read
// in full and searched for every key, the client's own and the providers',
// plain and base64-encoded. --log-bodies adds the prompt and still no key.
func TestServeNeverShowsKeys(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai,mistral,anthropic", "--failover", "openai,mistral",
		"--rate-limit", "1000/minute", "--output-dir", dir); code != 0 {
		t.Fatalf("generate: %s", errOut)
	}
	keys := map[string]string{"openai": "sk-openai-Zq81xVb", "mistral": "mistral-Kp2ru7Yw", "anthropic": "sk-ant-Hh4Jt0Lm"}
	openai := fakeprovider.New(t, fakeprovider.OpenAI, keys["openai"])
	mistral := fakeprovider.New(t, fakeprovider.OpenAI, keys["mistral"])
	env := []string{"OPENAI_API_KEY=" + keys["openai"], "MISTRAL_API_KEY=" + keys["mistral"], "ANTHROPIC_API_KEY=" + keys["anthropic"]}
	const clientKey = "sk-client-Ww3Ee9Rr"
	const prompt = "the secret plan is tangerine"
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + prompt + `"}]}`

	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			for _, bodies := range []bool{false, true} {
				args := []string{"-f", dir, "--log-format", format, "--upstream", "openai=" + openai.URL, "--upstream", "mistral=" + mistral.URL,
					"--upstream", "anthropic=http://127.0.0.1:1", "--drain", "5s"}
				if bodies {
					args = append(args, "--log-bodies")
				}
				p := startServeProcess(t, env, args...)
				auth := map[string]string{"Authorization": "Bearer " + clientKey, "x-api-key": clientKey}
				if code, out := send(t, p.listener+"/openai/v1/chat/completions", body, auth); code != 200 {
					t.Fatalf("openai route: %d %s", code, out)
				}
				openai.Fail(fakeprovider.Fault{Status: 503})
				if code, out := send(t, p.listener+"/openai/v1/chat/completions", body, auth); code != 200 {
					t.Fatalf("failover to mistral: %d %s", code, out)
				}
				if code, _ := send(t, p.listener+"/anthropic/v1/messages", `{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"`+prompt+`"}]}`, auth); code != 502 {
					t.Errorf("unreachable anthropic: %d, want 502", code)
				}
				// A change that does not validate is refused and its
				// findings logged; the broken Secret holds a key.
				secret := filepath.Join(dir, "zz-broken.yaml")
				os.WriteFile(secret, []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: broken, namespace: kubelb}\ndata: {Authorization: \"Bearer "+keys["openai"]+"\"}\n"), 0o644)
				p.cmd.Process.Signal(syscall.SIGHUP)
				waitFor(t, func() bool { return strings.Contains(p.stderr.String(), "reload refused") }, "a refused reload in the log")
				if !strings.Contains(p.stderr.String(), "illegal base64") {
					t.Errorf("the refused reload's findings are not logged:\n%s", p.stderr.String())
				}
				os.Remove(secret)
				config, metrics := get(t, p.admin+"/config"), get(t, p.admin+"/metrics")
				waitFor(t, func() bool { return strings.Count(p.stderr.String(), "kubelb/anthropic") >= 1 }, "the last request's log line")
				p.stop(t)

				all := p.stdout.String() + p.stderr.String() + config + metrics
				if !strings.Contains(all, "failover") || !strings.Contains(all, "kubelb/openai") {
					t.Fatalf("the log lacks the requests:\n%s", p.stderr.String())
				}
				if got := strings.Contains(p.stderr.String(), prompt); got != bodies {
					t.Errorf("--log-bodies=%v, prompt in the log: %v", bodies, got)
				}
				for _, k := range []string{keys["openai"], keys["mistral"], keys["anthropic"], clientKey} {
					for _, form := range []string{k, base64.StdEncoding.EncodeToString([]byte(k)), base64.StdEncoding.EncodeToString([]byte("Bearer " + k))} {
						if strings.Contains(all, form) {
							t.Errorf("serve's output holds a key (%q):\n%s", form, all)
						}
					}
				}
			}
		})
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// --mcp-session-key takes 64 hex digits or env:VAR; a bad one is refused
// without being echoed (it is a secret, perhaps one mistyped), and an
// unset variable is named.
func TestServeMCPSessionKey(t *testing.T) {
	const bad = "0123456789abcdef-not-hex"
	key, err := mcpSessionKey(bad, func(string) (string, bool) { return "", false })
	if err == nil || key != nil {
		t.Fatalf("a bad key was taken: %x", key)
	}
	if strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "64 hex digits") {
		t.Errorf("error %q echoes the key or does not say what a key is", err)
	}
	good := strings.Repeat("ab", 32)
	lookup := func(k string) (string, bool) { return good, k == "MCP_KEY" }
	for _, flag := range []string{good, "env:MCP_KEY"} {
		if key, err := mcpSessionKey(flag, lookup); err != nil || len(key) != 32 || key[0] != 0xab {
			t.Errorf("%q: %x %v", flag, key, err)
		}
	}
	if _, err := mcpSessionKey("env:UNSET", lookup); err == nil || !strings.Contains(err.Error(), "UNSET") {
		t.Errorf("an unset variable: %v", err)
	}
	a, _ := mcpSessionKey("", lookup)
	b, _ := mcpSessionKey("", lookup)
	if len(a) != 32 || string(a) == string(b) {
		t.Errorf("no flag: keys %x and %x, want two random 32-byte keys", a, b)
	}
}
