package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// The cluster commands end to end against a real API server with kgateway
// v2.1's CRDs (make test-apiserver), and through a real kubectl as its
// plugin.
func TestClusterCommands(t *testing.T) {
	tc := testenv.StartCluster(t, filepath.Join(testenv.SharedDir(t), "crds/kgateway/v2.1.2"))
	kc := []string{"--kubeconfig", tc.Kubeconfig}
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai,anthropic", "--rate-limit", "5/second", "-n", "team-a", "--output-dir", dir); code != 0 {
		t.Fatal(errOut)
	}
	os.WriteFile(filepath.Join(dir, "namespace.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n"), 0o644)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCmd(t, append(args, kc...)...)
	}

	// Every variable missing is named, and nothing is sent.
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("ANTHROPIC_API_KEY", "")
	code, _, errOut := run("apply", "-f", dir)
	if code != exitUsage || !strings.Contains(errOut, "ANTHROPIC_API_KEY, OPENAI_API_KEY") || !strings.Contains(errOut, "nothing was applied") {
		t.Fatalf("missing keys: exit %d\n%s", code, errOut)
	}
	const key = "sk-live-abcdefghijklmnop"
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("ANTHROPIC_API_KEY", key+"-anthropic")

	code, out, errOut := run("apply", "-f", dir)
	if code != 0 || !strings.Contains(out, "gateway.gateway.networking.k8s.io/ai-gateway (namespace team-a) applied") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run("diff", "-f", dir); code != 0 || out != "" {
		t.Fatalf("diff right after apply: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("OPENAI_API_KEY", key+"-rotated")
	code, out, errOut = run("diff", "-f", dir)
	if code != exitFindings || !strings.Contains(out, "*** (after)") {
		t.Fatalf("diff after a key rotation: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "sk-live") {
		t.Fatalf("diff shows a key:\n%s", out)
	}
	code, out, _ = run("diff", "-f", dir, "-o", "json")
	if code != exitFindings || !strings.Contains(out, `"differences": 1`) {
		t.Errorf("diff -o json: exit %d\n%s", code, out)
	}

	code, out, errOut = run("status", "-n", "team-a")
	if code != 0 || !strings.Contains(out, "listener:   http port 8080 HTTP") || !strings.Contains(out, "curl -s http://$GATEWAY:8080/openai/v1/chat/completions") ||
		!strings.Contains(out, "/anthropic/v1/messages") || !strings.Contains(out, "not accepted") {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}

	// The manifests' target is not what the cluster runs.
	agw := t.TempDir()
	runCmd(t, "generate", "--target", "agentgateway", "--provider", "openai", "--output-dir", agw)
	code, _, errOut = run("apply", "-f", agw)
	if code != exitUsage || !strings.Contains(errOut, "this cluster has kgateway-v2.1 CRDs, the manifests are for agentgateway") || !strings.Contains(errOut, "kubelb-ai migrate --to kgateway-v2.1") {
		t.Errorf("target mismatch: exit %d\n%s", code, errOut)
	}
	// Invalid manifests are stopped before anything is sent.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: team-a}\nspec: {gatewayClassName: kgateway, listeners: [{name: http, port: 70000, protocol: HTTP}]}\n"), 0o644)
	code, _, errOut = run("apply", "-f", bad)
	if code != exitFindings || !strings.Contains(errOut, "bad.yaml:4:") || !strings.Contains(errOut, "nothing was sent") {
		t.Errorf("invalid manifests: exit %d\n%s", code, errOut)
	}

	// The kubectl plugin, through the harness's real kubectl.
	if tc.Kubectl == "" {
		t.Fatal("the harness did not say where its kubectl is")
	}
	{
		bin := t.TempDir()
		plugin := filepath.Join(bin, "kubectl-kubelb_ai")
		if err := os.Symlink(binary(t), plugin); err != nil {
			t.Fatal(err)
		}
		kubectl := func(args ...string) (string, error) {
			cmd := exec.Command(tc.Kubectl, args...)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+tc.Kubeconfig)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		out, err := kubectl("kubelb-ai", "--help")
		if err != nil || !strings.Contains(out, "kubectl kubelb-ai [command]") {
			t.Errorf("kubectl kubelb-ai --help: %v\n%s", err, out)
		}
		out, err = kubectl("kubelb-ai", "status", "-n", "team-a")
		if err != nil || !strings.Contains(out, "port 8080") {
			t.Errorf("kubectl kubelb-ai status: %v\n%s", err, out)
		}
		if out, err := kubectl("plugin", "list"); err != nil || !strings.Contains(out, "kubectl-kubelb_ai") {
			t.Errorf("kubectl plugin list: %v\n%s", err, out)
		}
	}

	// delete asks, or needs --yes without a terminal; the namespace stays.
	if code, _, errOut := run("delete", "-f", dir); code != exitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("delete without --yes: exit %d\n%s", code, errOut)
	}
	code, out, errOut = run("delete", "-f", dir, "--yes")
	if code != 0 || !strings.Contains(out, "httproute.gateway.networking.k8s.io/openai (namespace team-a) deleted") || strings.Contains(out, "namespace/team-a deleted") {
		t.Fatalf("delete: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run("status", "-n", "team-a"); code != exitUsage || !strings.Contains(errOut, "no gateway applied by kubelb-ai in namespace team-a") {
		t.Errorf("status after delete: exit %d\n%s", code, errOut)
	}
}

// An API server that does not answer: exit 2 with its address, for each
// command, and nothing claimed as applied.
func TestClusterCommandsUnreachable(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai", "--output-dir", dir); code != 0 {
		t.Fatal(errOut)
	}
	t.Setenv("OPENAI_API_KEY", "sk-unreachable-test-key")
	for _, args := range [][]string{{"apply", "-f", dir}, {"diff", "-f", dir}, {"status", "-f", dir}, {"delete", "-f", dir, "--yes"}} {
		code, out, errOut := runCmd(t, append(args, "--server", "https://127.0.0.1:1", "--request-timeout", "5s")...)
		if code != exitUsage || !strings.Contains(errOut, "127.0.0.1:1") || strings.Contains(out, " applied") || strings.Contains(out+errOut, "sk-unreachable") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

// Without a kubeconfig, every command that talks to a cluster stops with
// exit 2 and the way out before connecting: client-go's fallback,
// localhost:8080, is serve's default port. init's target detection is
// skipped quietly, and --server still names a cluster.
func TestClusterCommandsWithoutKubeconfig(t *testing.T) {
	dir := t.TempDir()
	manifests := filepath.Join(dir, "manifests")
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai", "--output-dir", manifests); code != 0 {
		t.Fatal(errOut)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", filepath.Join(home, "no-kubeconfig"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_MASTER", "")
	t.Setenv("OPENAI_API_KEY", "sk-no-kubeconfig-test-key")
	// Whatever answers on localhost:8080 must not be asked.
	var dialled atomic.Int32
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080"} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Logf("cannot watch %s (%v): relying on the messages and timing", addr, err)
			continue
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				dialled.Add(1)
				c.Close()
			}
		}()
	}
	const want = "no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config"
	for _, args := range [][]string{
		{"status"}, {"status", "-A"}, {"status", "-f", manifests}, {"diff", "-f", manifests}, {"apply", "-f", manifests},
		{"apply", "-f", manifests, "--dry-run=server"}, {"delete", "-f", manifests, "--yes"},
		{"validate", "--crds-from-cluster", manifests},
	} {
		start := time.Now()
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage || !strings.Contains(errOut, want) || strings.Contains(out+errOut, "8080") || strings.Contains(out, " applied") || strings.Contains(out, " deleted") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v took %v: it tried to connect", args, d)
		}
	}
	// What needs no cluster works without one.
	if code, out, errOut := runCmd(t, "apply", "-f", manifests, "--dry-run=client"); code != 0 || !strings.Contains(out, "applied (dry run)") {
		t.Errorf("apply --dry-run=client: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, "init", "--yes", "--output-dir", filepath.Join(dir, "init"))
	if code != 0 || strings.Contains(out, "detected") || errOut != "" {
		t.Errorf("init without a kubeconfig: exit %d\n%s%s", code, out, errOut)
	}
	if n := dialled.Load(); n > 0 {
		t.Errorf("%d connections to localhost:8080", n)
	}
	// --server names a cluster without a kubeconfig: this one does not answer.
	code, _, errOut = runCmd(t, "status", "--server", "https://127.0.0.1:1", "--request-timeout", "5s")
	if code != exitUsage || !strings.Contains(errOut, "127.0.0.1:1") || strings.Contains(errOut, "no kubeconfig") {
		t.Errorf("status --server: exit %d\n%s", code, errOut)
	}
}
