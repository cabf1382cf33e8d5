package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --severity RULE=error|warning sets one rule's severity over --strict;
// unknown rules and severities are usage errors naming what exists.
func TestValidateSeverityFlag(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dup.yaml")
	dup := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ai}\n---\n"
	if err := os.WriteFile(p, []byte(dup+dup), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{p}, 0, "warning: ConfigMap c is defined twice"},
		{[]string{"--strict", p}, 0, "warning: ConfigMap c is defined twice"}, // an update, maybe: assumed
		{[]string{"--strict", "--severity", "duplicate-object=warning", p}, 0, "[duplicate-object]"},
		{[]string{"--severity", "duplicate-object=error", p}, 1, "error: ConfigMap c is defined twice"},
		{[]string{"--severity", "duplicate-objekt=error", p}, 2, `unknown rule "duplicate-objekt" for --severity: lint and reference rules are duplicate-object,`},
		{[]string{"--severity", "duplicate-object=fatal", p}, 2, `unknown severity "fatal": use error or warning`},
		{[]string{"--severity", "duplicate-object", p}, 2, "want RULE=error or RULE=warning"},
	}
	for _, c := range cases {
		code, out, errOut := runCmd(t, append([]string{"validate"}, c.args...)...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("validate %s: exit %d, want %d with %q:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, out, errOut)
		}
	}
	_, help, _ := runCmd(t, "validate", "--help")
	for _, want := range []string{"--severity", "duplicate-object, ref-unresolved, ref-invalid, ref-grant, ref-secret-key,\n  failover-mixed, policy-conflict\n", "tenant-gateway"} {
		if !strings.Contains(help, want) {
			t.Errorf("validate --help lacks %q", want)
		}
	}
}
