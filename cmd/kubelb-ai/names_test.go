package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every flag that takes a name (a provider, a listener, a target, a
// format, a rule...) refuses one that does not exist, with exit 2, before
// anything listens or sends. The test walks every flag of every command:
// a new flag that takes a string must be listed here as a name (with a
// value that names nothing) or as free text.
func TestEveryNameFlagRefusesUnknownNames(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--provider", "openai", "--output-dir", dir); code != 0 {
		t.Fatal(errOut)
	}
	t.Setenv("OPENAI_API_KEY", "sk-test-0123456789")
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	// What each command needs besides the flag under test.
	base := map[string][]string{
		"generate": {"--provider", "openai"},
		"validate": {dir},
		"migrate":  {"--to", "agentgateway", "-f", dir, "--output-dir", filepath.Join(t.TempDir(), "out")},
		"import":   {"-f", dir, "-o", "-"},
		"serve":    {"-f", dir, "--admin", "127.0.0.1:0", "--listen", "http=127.0.0.1:0"},
		"apply":    {"-f", dir},
		"diff":     {"-f", dir},
		"delete":   {"-f", dir},
		"status":   {},
		"version":  {},
	}
	// Flags that take names, and a value that names nothing.
	names := map[string]string{
		"target": "nosuch", "to": "nosuch", "from-target": "nosuch", "kubelb-version": "9.9",
		"output": "xml", "log-format": "xml", "fail-on": "nosuch", "dry-run": "maybe", "guard-webhook-failure": "ajar",
		"provider": "openia", "model": "openia=m", "auth": "openia=env", "api-key-env": "openia=VAR", "host": "openia=h:1",
		"failover": "openai,openia", "guard": "mask=NOSUCH", "service-type": "Foo", "rate-limit": "5/fortnight",
		"token-limit": "5/fortnight", "enable": "nosuch", "disable": "nosuch", "severity": "nosuch=error",
		"upstream": "openia=http://127.0.0.1:1", "listen": "nosuch=127.0.0.1:0",
		"data-plane-version": "v9.9.9", "gateway-api-version": "v0.0.1", "gateway-api-channel": "nightly",
		"max-input-size": "lots", "wait": "forever", "secrets": "nosuch", "allow-origin": "not an origin", "allow-host": "not a host!",
		"client-mode": "Lenient", "limit-scope": "regional", "rate-limit-failure-mode": "Ajar",
		"mcp-sessions": "forever", "mcp-failure": "ajar", "mcp-prefix": "sometimes", "metrics-compat": "envoy",
		"tracing-protocol": "thrift", "tracing-sampling": "lots",
	}
	// Flags of free text: paths, addresses, names of things to create,
	// provider settings passed on as they are, and kubectl's connection
	// flags (client-go checks those, as kubectl). --mcp-session-key is a
	// secret: its error never echoes it (TestServeMCPSessionKey).
	free := []string{"filename", "from", "output-dir", "crd", "admin", "namespace", "gateway", "applyset",
		"vertex-project", "vertex-location", "bedrock-region", "azure-endpoint", "azure-deployment", "azure-api-version",
		"kubeconfig", "context", "cluster", "user", "token", "server", "tls-server-name", "request-timeout", "client-key",
		"client-certificate", "certificate-authority", "cache-dir", "as", "as-group", "as-uid", "as-user-extra",
		"client-key-hash", "client-key-header", "jwt-issuer", "jwt-audience", "jwt-jwks", "allow", "limit-key",
		"rate-limit-service", "rate-limit-domain", "rate-limit-redis", "mcp", "mcp-key", "mcp-path", "mcp-session-key",
		"tracing-endpoint"}
	// import's -o is the file to write.
	pathOutput := map[string]bool{"import": true}

	root := newRootCmd("kubelb-ai", IOStreams{})
	var tried int
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			switch f.Value.Type() {
			case "bool", "duration", "int", "int32", "int64":
				return
			}
			bad, isName := names[f.Name]
			if f.Name == "output" && pathOutput[c.Name()] {
				isName = false
			}
			if !isName {
				if !slices.Contains(free, f.Name) && !(f.Name == "output" && pathOutput[c.Name()]) {
					t.Errorf("%s --%s takes a %s: list it as a name (with a value that names nothing) or as free text", c.CommandPath(), f.Name, f.Value.Type())
				}
				return
			}
			args := append([]string{c.Name()}, base[c.Name()]...)
			if c.Name() == "init" {
				args = []string{"init", "--yes", "--output-dir", filepath.Join(t.TempDir(), "out")}
			}
			if f.Name == "listen" {
				args = slices.DeleteFunc(args, func(a string) bool { return strings.HasPrefix(a, "http=") || a == "--listen" })
			}
			args = append(args, "--"+f.Name+"="+bad)
			tried++
			code, _, errOut := runCmd(t, args...)
			shown := strings.SplitN(bad, "=", 2)[0]
			if f.Name == "failover" {
				shown = "openia"
			}
			if code != 2 || !strings.Contains(errOut, shown) {
				t.Errorf("kubelb-ai %s: exit %d, want 2 naming %q:\n%s", strings.Join(args, " "), code, shown, errOut)
			}
		})
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(root)
	if tried < 30 {
		t.Errorf("only %d flags tried", tried)
	}
}
