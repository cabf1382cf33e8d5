package generate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// keyHash is the sha256 of "test", as agentgateway stores it.
const keyHash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// keysPolicy is an AgentgatewayPolicy on the golden's route whose
// apiKeyAuthentication is auth.
func keysPolicy(name, auth string) string {
	return fmt.Sprintf(`apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: %s, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  traffic:
    apiKeyAuthentication: %s
`, name, auth)
}

// importKeys imports the agentgateway golden single-openai.yaml with docs
// added (before it when first is set).
func importKeys(t *testing.T, first bool, docs ...string) *Imported {
	t.Helper()
	base, err := os.ReadFile("../testdata/golden/agentgateway/single-openai.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(base) + "\n---\n" + strings.Join(docs, "\n---\n")
	if first {
		text = strings.Join(docs, "\n---\n") + "\n---\n" + string(base)
	}
	objs, err := DecodeManifests([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	in, err := ImportAs(objs, "agentgateway")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// Import reads every key the policy selects, as agentgateway reads it, into
// Imported.ClientKeys; keys it cannot find are an access control (serve
// refuses them), never an open route. No message holds a key.
func TestImportClientKeys(t *testing.T) {
	literal := `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: kubelb, labels: {team: ml}}
stringData:
  plain: sk-plain
  meta: '{"key":"sk-meta","metadata":{"group":"sales","n":3}}'
  broken: '{"key":"sk-broken","keyHash":"` + keyHash + `"}'
data:
  hashed: ` + b64(`{"keyHash":"sha256:`+strings.ToUpper(strings.TrimPrefix(keyHash, "sha256:"))+`"}`) + `
`
	hashes := `apiVersion: v1
kind: ConfigMap
metadata: {name: hashes, namespace: kubelb, labels: {team: ml}}
data:
  ci: '{"keyHash":"` + keyHash + `","metadata":{"client":"ci"}}'
`
	otherNS := `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: elsewhere, labels: {team: ml}}
stringData: {other: sk-other}
`
	unlabelled := `apiVersion: v1
kind: Secret
metadata: {name: more, namespace: kubelb}
stringData: {more: sk-more}
`
	invalid := `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: kubelb}
stringData: {a: '{"metadata":{}}', b: "  "}
`
	literalKeys := `[{"Value":"","Hash":"` + keyHash + `","Metadata":null,"Source":"Secret kubelb/keys hashed"},` +
		`{"Value":"sk-meta","Hash":"","Metadata":{"group":"sales","n":3},"Source":"Secret kubelb/keys meta"},` +
		`{"Value":"sk-plain","Hash":"","Metadata":null,"Source":"Secret kubelb/keys plain"}]`
	for _, tc := range []struct {
		name   string
		first  bool
		docs   []string
		keys   string // JSON of ClientKeys
		access []string
	}{
		{"secretRef", false, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), literal, otherNS}, literalKeys, nil},
		{"secretRef before the policy", true, []string{literal, keysPolicy("auth", "{secretRef: {name: keys}}")}, literalKeys, nil},
		{"policy before the Secret", true, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), literal}, literalKeys, nil},
		{"secretRef absent", false, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), unlabelled}, "null",
			[]string{"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secret keys) are not among the manifests"}},
		{"secretRef in another namespace", false, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), otherNS}, "null",
			[]string{"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secret keys) are not among the manifests"}},
		{"secretSelector", false, []string{keysPolicy("auth", "{secretSelector: {matchLabels: {team: ml}}}"), unlabelled, literal, otherNS, hashes}, literalKeys, nil},
		{"secretSelector matching nothing", false, []string{keysPolicy("auth", "{secretSelector: {matchLabels: {team: ops}}}"), literal}, "null",
			[]string{"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secrets labelled team=ops) are not among the manifests"}},
		{"configMapSelector", false, []string{keysPolicy("auth", "{configMapSelector: {matchLabels: {team: ml}}}"), literal, hashes},
			`[{"Value":"","Hash":"` + keyHash + `","Metadata":{"client":"ci"},"Source":"ConfigMap kubelb/hashes ci"}]`, nil},
		{"configMapSelector matching nothing", false, []string{keysPolicy("auth", "{configMapSelector: {matchLabels: {team: ml}}}"), literal}, "null",
			[]string{"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (ConfigMaps labelled team=ml) are not among the manifests"}},
		{"no valid entry", false, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), invalid}, "null",
			[]string{"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secret keys) hold no key agentgateway accepts"}},
		{"two policies checking differently", false, []string{keysPolicy("auth", "{secretRef: {name: keys}}"), keysPolicy("auth2", "{secretRef: {name: more}}"), literal, unlabelled}, literalKeys,
			[]string{"AgentgatewayPolicy/auth2 client checks that differ from AgentgatewayPolicy/auth's"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := importKeys(t, tc.first, tc.docs...)
			got, _ := json.Marshal(in.ClientKeys)
			if string(got) != tc.keys {
				t.Errorf("client keys\n got %s\nwant %s", got, tc.keys)
			}
			if !slices.Equal(in.AccessControls, tc.access) {
				t.Errorf("access controls %q, want %q", in.AccessControls, tc.access)
			}
			if c := in.Gateway.Spec.Clients; c == nil || len(c.APIKeys) != 0 {
				t.Errorf("the Spec's clients %+v: want a key check without keys it cannot carry", c)
			}
			var said []string
			for _, is := range in.Issues {
				said = append(said, is.String())
			}
			said = append(append(said, in.Notes...), in.AccessControls...)
			if all := strings.Join(said, "\n"); strings.Contains(all, "sk-") {
				t.Errorf("a message holds a key:\n%s", all)
			}
			if tc.name == "secretRef" && !strings.Contains(strings.Join(said, "\n"), "Secret kubelb/keys entry broken is not an API key agentgateway accepts") {
				t.Errorf("the rejected entry is not reported:\n%s", strings.Join(said, "\n"))
			}
			if tc.name == "configMapSelector" && strings.Contains(strings.Join(said, "\n"), "ConfigMap/hashes") {
				t.Errorf("the keys' ConfigMap is reported as unused:\n%s", strings.Join(said, "\n"))
			}
		})
	}
}

// generate's own client-keys Secret reads back both into the Spec and, as
// written, into ClientKeys, in either order of the objects.
func TestImportGeneratedClientKeys(t *testing.T) {
	g := clientsSpec(t, `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  target: agentgateway
  providers: [{kind: openai}]
  clients:
    apiKeys: [{name: app, env: APP_KEY, metadata: {tier: gold}}, {name: ci, env: CI_KEY}]
`)
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Encode(objs, "yaml")
	docs, err := DecodeManifests(out)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(docs)
	in, err := ImportAs(docs, "agentgateway")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(in.ClientKeys)
	want := `[{"Value":"${APP_KEY}","Hash":"","Metadata":{"client":"app","tier":"gold"},"Source":"Secret kubelb/ai-gateway-client-keys app"},` +
		`{"Value":"${CI_KEY}","Hash":"","Metadata":{"client":"ci"},"Source":"Secret kubelb/ai-gateway-client-keys ci"}]`
	if string(got) != want {
		t.Errorf("client keys\n got %s\nwant %s", got, want)
	}
	if len(in.AccessControls) > 0 || len(in.Issues) > 0 {
		t.Errorf("access controls %q issues %v", in.AccessControls, in.Issues)
	}
	if keys := in.Gateway.Spec.Clients.APIKeys; len(keys) != 2 || keys[0].Env != "APP_KEY" || keys[1].Env != "CI_KEY" {
		t.Errorf("the Spec's keys %+v", keys)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
