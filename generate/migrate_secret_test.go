package generate

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

const (
	tutorialPath = "../testdata/tutorial/kubelb-1.2-aigateway.yaml"
	// tutorialKey is the fake key of the tutorial fixture's Secret.
	tutorialKey = "sk-tutorial-FAKE-key-do-not-use-7f3a9c"
)

func readTutorial(t *testing.T) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(tutorialPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Bearer "+tutorialKey) {
		t.Fatalf("%s no longer holds the fake key this test looks for", tutorialPath)
	}
	objs, err := DecodeManifests(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// noKey fails when text holds the tutorial's key or a part of it long enough
// to matter.
func noKey(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, "7f3a9c") || strings.Contains(text, "FAKE-key") {
		t.Errorf("%s prints the key:\n%s", what, text)
	}
}

// The tutorial, whose Secret holds a literal key, migrates to every target:
// with SecretsKeep the new Secret holds the key in the target's format,
// with SecretsEnv the generator's placeholder; the key is in no note, the
// Spec names the variable only, and every object passes the upstream CRDs.
func TestMigrateTutorialLiteralSecret(t *testing.T) {
	ctx := context.Background()
	for _, to := range templates.TargetNames() {
		for _, mode := range []SecretMode{SecretsKeep, SecretsEnv} {
			t.Run(to+"/"+string(mode), func(t *testing.T) {
				m, err := MigrateWith(readTutorial(t), MigrateOptions{To: to, Secrets: mode})
				if err != nil {
					noKey(t, "the error", err.Error())
					t.Fatal(err)
				}
				notes := strings.Join(m.Notes, "\n")
				noKey(t, "the notes", notes)
				if fmt.Sprint(m.LiteralSecrets) != "[kubelb/openai-secret]" {
					t.Errorf("LiteralSecrets = %v", m.LiteralSecrets)
				}
				want := "${OPENAI_API_KEY}"
				switch {
				case mode == SecretsEnv:
				case to == templates.Agentgateway:
					want = tutorialKey // agentgateway adds "Bearer " itself
				default:
					want = "Bearer " + tutorialKey // kgateway strips it: kept as it was
				}
				var sec *corev1.Secret
				for _, o := range m.Objects {
					if s, ok := o.Object.(*corev1.Secret); ok {
						sec = s
					}
				}
				if sec == nil || sec.Name != "openai-secret" || len(sec.StringData) != 1 || sec.StringData[dataplane.KeyAuthorization] != want {
					t.Fatalf("the Secret: %v", sec != nil && sec.StringData[dataplane.KeyAuthorization] == want)
				}
				specData, err := spec.Marshal(m.Gateway)
				if err != nil {
					t.Fatal(err)
				}
				noKey(t, "kubelb-ai.yaml", string(specData))
				if !strings.Contains(string(specData), "env: OPENAI_API_KEY") {
					t.Errorf("the Spec does not name the variable:\n%s", specData)
				}
				for _, release := range upstreamCRDs[to] {
					set := crdSet(t, release)
					for _, o := range m.Objects {
						obj, err := dataplane.ToMap(o.Object)
						if err != nil {
							t.Fatal(err)
						}
						what := o.Kind() + " " + o.Object.GetName()
						if o.Kind() == "Secret" {
							checkSecret(t, what, obj)
							continue
						}
						if o.Kind() == "ConfigMap" {
							checkRateLimitConfig(t, what, obj)
							continue
						}
						if errs := set.Validate(ctx, obj); len(errs) > 0 {
							t.Errorf("%s is rejected by the %s CRDs:\n%v", what, release, errs.ToAggregate())
						}
					}
				}
			})
		}
	}
}

// Import reads the literal key's Secret as the provider's variable, with a
// note naming it, and no issue.
func TestImportLiteralSecret(t *testing.T) {
	in, err := Import(readTutorial(t), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range in.Issues {
		t.Errorf("issue: %s", is)
	}
	notes := strings.Join(in.Notes, "\n")
	noKey(t, "the notes", notes)
	if !strings.Contains(notes, "Secret/openai-secret holds a literal key") || !strings.Contains(notes, "export OPENAI_API_KEY") {
		t.Errorf("no note naming the variable:\n%s", notes)
	}
	if strings.Contains(notes, "agentgateway") {
		t.Errorf("an import for kgateway-v2.0 speaks of agentgateway:\n%s", notes)
	}
	if p := in.Gateway.Spec.Providers; len(p) != 1 || p[0].Auth.Source != spec.AuthEnv || p[0].Auth.Env != "OPENAI_API_KEY" {
		t.Errorf("providers: %+v", p)
	}
}

// Bedrock's literal Secret keeps its access key, secret key and session
// token (agentgateway is the target that has Bedrock).
func TestMigrateLiteralBedrockSecret(t *testing.T) {
	objs := manifestsFor(t, spec.Options{Providers: []string{"bedrock"}}, templates.Agentgateway)
	for _, o := range objs {
		if o["kind"] == "Secret" {
			o["stringData"] = map[string]any{dataplane.KeyAccessKey: "AKIAFAKE7f3a9c", dataplane.KeySecretKey: "secret-FAKE-key-7f3a9c", dataplane.KeySessionToken: "token-7f3a9c"}
		}
	}
	m, err := Migrate(objs, "", templates.Agentgateway)
	if err != nil {
		noKey(t, "the error", err.Error())
		t.Fatal(err)
	}
	noKey(t, "the notes", strings.Join(m.Notes, "\n"))
	for _, o := range m.Objects {
		if s, ok := o.Object.(*corev1.Secret); ok {
			if s.StringData[dataplane.KeyAccessKey] != "AKIAFAKE7f3a9c" || s.StringData[dataplane.KeySecretKey] != "secret-FAKE-key-7f3a9c" || s.StringData[dataplane.KeySessionToken] != "token-7f3a9c" {
				t.Errorf("the Bedrock Secret lost a key: %v", secretValues(s.StringData))
			}
		}
	}
}

// A Secret that holds its key base64-encoded in data is carried over too.
func TestMigrateLiteralSecretInData(t *testing.T) {
	objs := readTutorial(t)
	for _, o := range objs {
		if o["kind"] == "Secret" {
			delete(o, "stringData")
			o["data"] = map[string]any{dataplane.KeyAuthorization: base64.StdEncoding.EncodeToString([]byte("Bearer " + tutorialKey))}
		}
	}
	m, err := Migrate(objs, "", templates.Agentgateway)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Objects {
		if s, ok := o.Object.(*corev1.Secret); ok && (s.StringData[dataplane.KeyAuthorization] != tutorialKey || len(s.Data) > 0) {
			t.Errorf("the Secret does not hold the raw key in stringData")
		}
	}
}

// A stray %v or %#v of literal keys prints their names only.
func TestSecretValuesRedacted(t *testing.T) {
	v := secretValues{dataplane.KeyAuthorization: "Bearer " + tutorialKey}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%v %s %+v %#v", v, v, v, v), fmt.Sprintf("%v", literalSecret{secret: "x", values: v})} {
		noKey(t, "formatting", s)
	}
}

// The AI extension image note says what happens on the target at hand:
// agentgateway needs no image; kgateway gets its release's tag, and a tag
// that already is that release is not worth a note.
func TestImageTagNote(t *testing.T) {
	objs := manifestsFor(t, spec.Options{Providers: []string{"openai"}}, templates.KgatewayV21)
	in, err := Import(objs, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Join(in.Notes, "\n"); strings.Contains(n, "image") {
		t.Errorf("importing the release's own tag: %s", n)
	}
	v20 := facts(templates.KgatewayV20).AIExtensionImage.Tag
	v21 := facts(templates.KgatewayV21).AIExtensionImage.Tag
	for to, want := range map[string]string{
		templates.KgatewayV20:  fmt.Sprintf("AI extension image tag %s replaced by kgateway-v2.0's release tag %s", v21, v20),
		templates.Agentgateway: fmt.Sprintf("AI extension image tag %s dropped: agentgateway has no AI extension", v21),
	} {
		m, err := Migrate(objs, "", to)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Join(m.Notes, "\n")
		if !strings.Contains(n, want) {
			t.Errorf("to %s: no %q in\n%s", to, want, n)
		}
		if to != templates.Agentgateway && strings.Contains(n, "agentgateway") {
			t.Errorf("to %s, a note speaks of agentgateway:\n%s", to, n)
		}
	}
}

// manifestsFor renders o for target and reads the result back as a user's
// files.
func manifestsFor(t *testing.T, o spec.Options, target string) []map[string]any {
	t.Helper()
	o.Target = target
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeManifests(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
