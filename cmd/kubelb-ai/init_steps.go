package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// printNextSteps ends init with the commands to go on with and a request
// per route on the listener's real port.
func printNextSteps(w io.Writer, dir string, g *spec.AIGateway, written []string, a *answers) {
	how := ""
	if a.detected != "" && a.Target == g.Spec.Target {
		how = " (" + a.detected + ")"
	}
	fmt.Fprintf(w, "Wrote %d files to %s for target %s%s:\n", len(written), dir, g.Spec.Target, how)
	for _, p := range written {
		fmt.Fprintln(w, "  "+p)
	}
	specFile := filepath.Join(dir, generate.SpecFileName)
	gw := g.Spec.Gateway
	port := gw.Listeners[0].Port
	fmt.Fprintf(w, `
Next steps:
  # check the manifests as the API server will
  kubelb-ai validate --strict --target %[1]s %[2]s
  # compare with KubeLB's management cluster, then apply (the Secrets take the API keys from your environment)
  kubelb-ai diff -f %[2]s
  kubelb-ai apply -f %[2]s --wait
  kubelb-ai status -n %[5]s
  # or run the same routes on this machine, without a cluster
  kubelb-ai serve -f %[2]s
  # keep %[3]s in git; regenerate the manifests from it with
  kubelb-ai generate --from %[3]s --output-dir %[2]s --force
  # the same answers without questions
  kubelb-ai init --yes %[4]s

Try each route once the Gateway has an address (with serve: GATEWAY=127.0.0.1):
  GATEWAY=$(kubectl get gateway -n %[5]s %[6]s -o jsonpath='{.status.addresses[0].value}')
`, g.Spec.Target, dir, specFile, shellJoin(a.flags()), gw.Namespace, gw.Name)
	// With client keys, the example calls as the first client.
	auth := ""
	if c := g.Spec.Clients; c != nil && len(c.APIKeys) > 0 && c.APIKeys[0].Env != "" {
		auth = fmt.Sprintf(` -H "authorization: Bearer $%s"`, c.APIKeys[0].Env)
		if c.Header != "" {
			auth = fmt.Sprintf(` -H "%s: $%s"`, c.Header, c.APIKeys[0].Env)
		}
	}
	for _, e := range generate.Examples(g) {
		fmt.Fprintf(w, "  curl -s http://$GATEWAY:%d%s -H 'content-type: application/json'%s -d '%s'\n", port, e.Path, auth, e.Body)
	}
	if len(g.Spec.MCP) > 0 {
		fmt.Fprintln(w, "\nList the MCP servers' tools through the gateway (serve runs it too):")
		for _, m := range g.Spec.MCP {
			fmt.Fprintf(w, "  npx @modelcontextprotocol/inspector --cli http://$GATEWAY:%d%s --transport http --method tools/list\n", port, m.Path)
		}
	}
}

// shellJoin quotes what a POSIX shell would split or expand.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, s := range args {
		if s == "" || strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;!#~") {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		out[i] = s
	}
	return strings.Join(out, " ")
}
