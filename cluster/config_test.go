package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// CheckConfig refuses, without connecting, flags that would leave client-go
// at its default http://localhost:8080, and accepts those that name a
// server.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // not in a pod
	t.Setenv("KUBERNETES_MASTER", "")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const clusters = "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:6443\"}}, {name: noserver, cluster: {insecure-skip-tls-verify: true}}]\n" +
		"contexts: [{name: c, context: {cluster: c, user: u}}, {name: nocluster, context: {user: u}}, {name: noserver, context: {cluster: noserver, user: u}}]\nusers: [{name: u, user: {token: x}}]\n"
	good := write("good", clusters+"current-context: c\n")
	noCurrent := write("no-current", clusters)
	empty := write("empty", "")
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		name                         string
		env, kubeconfig, ctx, server string
		want                         string // "" for no error
	}{
		{name: "KUBECONFIG names no file", env: missing, want: "no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config (KUBECONFIG names " + missing + ", which does not exist)"},
		{name: "KUBECONFIG names files, none there", env: missing + string(filepath.ListSeparator) + missing + "2", want: "none of which exists"},
		{name: "an empty kubeconfig", env: empty, want: "no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config (" + empty + " holds no cluster)"},
		{name: "--kubeconfig missing", env: missing, kubeconfig: missing, want: "--kubeconfig " + missing + " does not exist"},
		{name: "no current context", env: noCurrent, want: "has no current context: name one with --context"},
		{name: "unknown --context", env: good, ctx: "nope", want: `context "nope" is not in the kubeconfig`},
		{name: "context without cluster", env: good, ctx: "nocluster", want: `context "nocluster" of the kubeconfig names no cluster`},
		{name: "cluster without server", env: good, ctx: "noserver", want: `cluster "noserver" of the kubeconfig has no server`},
		{name: "a kubeconfig", env: good},
		{name: "--kubeconfig", env: missing, kubeconfig: good},
		{name: "--context", env: noCurrent, ctx: "c"},
		{name: "--server without kubeconfig", env: missing, server: "https://127.0.0.1:6443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tc.env)
			flags := genericclioptions.NewConfigFlags(false)
			flags.KubeConfig, flags.Context, flags.APIServer = &tc.kubeconfig, &tc.ctx, &tc.server
			err := CheckConfig(flags)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want no error, got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.HasPrefix(tc.want, "no kubeconfig") && !errors.Is(err, ErrNoKubeconfig) {
				t.Errorf("%v is not ErrNoKubeconfig", err)
			}
			if _, err := New(flags); tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("New: got %v, want %q", err, tc.want)
			}
		})
	}
}
