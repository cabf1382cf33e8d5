package crd_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// CRD bundles the tests validate against. Shared ones come from the shared
// directory beside the repository, Gateway API from the module cache.
const (
	gwapi  = "gateway-api"
	kgw212 = "kgateway/v2.1.2"
	kgw205 = "kgateway/v2.0.5"
	agw110 = "agentgateway/v1.1.0"
	agw131 = "agentgateway/v1.3.1"
	agw141 = "agentgateway/v1.4.1"
)

var agwAll = []string{agw110, agw131, agw141}

// sets caches compiled sets across tests: compiling is the expensive part
// and each bundle only needs it once.
var sets = struct {
	sync.Mutex
	m map[string]*crd.Set
}{m: map[string]*crd.Set{}}

func bundleDir(t testing.TB, bundle string) string {
	t.Helper()
	if bundle == gwapi {
		return testenv.GatewayAPICRDDir(t)
	}
	return filepath.Join(testenv.SharedDir(t), "crds", filepath.FromSlash(bundle))
}

// setFor returns a Set holding the given bundles.
func setFor(t testing.TB, bundles ...string) *crd.Set {
	t.Helper()
	key := strings.Join(bundles, "+")
	dirs := make([]string, len(bundles))
	for i, b := range bundles {
		dirs[i] = bundleDir(t, b)
	}
	sets.Lock()
	defer sets.Unlock()
	if s, ok := sets.m[key]; ok {
		return s
	}
	s := crd.NewSet()
	start := time.Now()
	if err := s.AddFiles(dirs...); err != nil {
		t.Fatalf("loading %s: %v", key, err)
	}
	t.Logf("compiled %s: %d kinds in %v", key, len(s.GVKs()), time.Since(start))
	sets.m[key] = s
	return s
}

type validationCase struct {
	name    string
	bundles []string // every bundle is checked on its own
	doc     string
	want    []string // substrings, each must match some error; none means valid
	notWant []string // substrings no error may contain
}

// skipped is the apiserver's note that CEL rules did not run.
const skipped = "some validation rules were not checked because the object was invalid"

var cases = []validationCase{
	// --- kgateway Backend -------------------------------------------------
	{
		name:    "kgateway AI backend with openai",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
  namespace: ai-gateway
spec:
  type: AI
  ai:
    llm:
      openai:
        model: gpt-4o-mini
        authToken:
          kind: SecretRef
          secretRef:
            name: openai-api-key
`,
	},
	{
		name:    "unknown field secretRef.namespace",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
spec:
  type: AI
  ai:
    llm:
      openai:
        authToken:
          kind: SecretRef
          secretRef:
            name: openai-api-key
            namespace: secrets
`,
		want: []string{`spec.ai.llm.openai.authToken.secretRef.namespace: Forbidden: unknown field "spec.ai.llm.openai.authToken.secretRef.namespace"`},
	},
	{
		name:    "enum violation blocks CEL",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: static
spec:
  type: static
  static:
    hosts:
    - host: api.example.com
      port: 443
`,
		want: []string{
			`spec.type: Unsupported value: "static": supported values: "AI", "AWS", "Static", "DynamicForwardProxy", "MCP"`,
			skipped,
		},
	},
	{
		name:    "missing required fields",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: static
spec:
  static:
    hosts:
    - host: api.example.com
`,
		want: []string{"spec.type: Required value", "spec.static.hosts[0].port: Required value", skipped},
	},
	{
		name:    "CEL: type Static without static block",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: static
spec:
  type: Static
  dynamicForwardProxy: {}
`,
		want: []string{
			`spec: Invalid value: static backend must be specified when type is 'Static'`,
		},
		notWant: []string{"exactly one of the fields in [ai aws static dynamicForwardProxy mcp]"},
	},
	{
		name:    "v2.0-shaped provider block on v2.1.2",
		bundles: []string{kgw212},
		doc:     v20AIBackend,
		want: []string{
			`unknown field "spec.ai.llm.provider"`,
			`spec.ai.llm: Invalid value: exactly one of the fields in [openai azureopenai anthropic gemini vertexai bedrock] must be set`,
		},
		notWant: []string{skipped},
	},
	{
		name:    "v2.0-shaped provider block on v2.0.5",
		bundles: []string{kgw205},
		doc:     v20AIBackend,
	},
	{
		name:    "v2.1-shaped AI backend on v2.0.5",
		bundles: []string{kgw205},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
spec:
  type: AI
  ai:
    llm:
      openai:
        authToken:
          kind: Passthrough
`,
		want: []string{`unknown field "spec.ai.llm.openai"`, "spec.ai.llm.provider: Required value"},
	},
	{
		name:    "kgateway MCP targets: list-map key duplicate and CEL",
		bundles: []string{kgw212},
		doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: mcp
spec:
  type: MCP
  mcp:
    targets:
    - name: tools
      static: {host: tools.internal, port: 8080}
    - name: tools
      static: {host: tools2.internal, port: 8080}
`,
		want: []string{
			`spec.mcp.targets[1]: Duplicate value: {"name":"tools"}`,
			`spec.mcp.targets: Invalid value: target names must be unique`,
		},
	},

	// --- Gateway API ------------------------------------------------------
	{
		name:    "Gateway and HTTPRoute to an AgentgatewayBackend",
		bundles: []string{gwapi},
		doc:     gateway + "---\n" + httpRoute,
	},
	{
		name:    "Gateway listeners with the same name",
		bundles: []string{gwapi},
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ai-gateway
spec:
  gatewayClassName: agentgateway
  listeners:
  - name: http
    protocol: HTTP
    port: 80
  - name: http
    protocol: HTTP
    port: 8080
`,
		want: []string{`spec.listeners[1]: Duplicate value: {"name":"http"}`},
	},
	{
		name:    "listener port of the wrong type",
		bundles: []string{gwapi},
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ai-gateway
spec:
  gatewayClassName: agentgateway
  listeners:
  - name: http
    protocol: HTTP
    port: "80"
`,
		want: []string{`spec.listeners[0].port: Invalid value: "string": spec.listeners[0].port in body must be of type integer: "string"`, skipped},
	},
	{
		name:    "bad metadata.name",
		bundles: []string{gwapi},
		doc:     strings.Replace(httpRoute, "name: openai-route", "name: OpenAI_Route", 1),
		want:    []string{`metadata.name: Invalid value: "OpenAI_Route": a lowercase RFC 1123 subdomain must consist of`},
	},
	{
		name:    "bad metadata.namespace and label",
		bundles: []string{gwapi},
		doc: strings.Replace(httpRoute, "namespace: ai-gateway", `namespace: AI
  labels:
    app.kubernetes.io/name: "-bad"`, 1),
		want: []string{
			`metadata.namespace: Invalid value: "AI": a lowercase RFC 1123 label must consist of`,
			`metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of`,
		},
	},
	{
		name:    "numeric label value",
		bundles: []string{gwapi},
		doc: strings.Replace(httpRoute, "namespace: ai-gateway", `namespace: ai-gateway
  labels:
    version: 1`, 1),
		want: []string{"metadata: Invalid value: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string"},
	},
	{
		name:    "unknown metadata field",
		bundles: []string{gwapi},
		doc:     strings.Replace(httpRoute, "namespace: ai-gateway", "namespace: ai-gateway\n  label:\n    a: b", 1),
		want:    []string{`unknown field "metadata.label"`},
	},
	{
		name:    "generateName only",
		bundles: []string{gwapi},
		doc:     strings.Replace(httpRoute, "name: openai-route", "generateName: openai-", 1),
	},
	{
		name:    "missing name",
		bundles: []string{gwapi},
		doc:     strings.Replace(httpRoute, "name: openai-route", "labels: {a: b}", 1),
		want:    []string{"metadata.name: Required value: name or generateName is required"},
	},
	{
		name:    "duplicate YAML keys",
		bundles: []string{gwapi},
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: first
  name: second
spec:
  parentRefs:
  - name: ai-gateway
`,
		want: []string{`line 6: key "name" already set in map`},
	},
	{
		name:    "default value makes the CEL rule pass",
		bundles: []string{gwapi},
		// path.value is unset and defaults to "/", so the rule
		// self.value.startsWith('/') has a value to check. Without
		// defaulting before CEL it fails with "no such key: value".
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: exact-root
spec:
  parentRefs:
  - name: ai-gateway
  rules:
  - matches:
    - path:
        type: Exact
`,
		notWant: []string{"no such key"},
	},
	{
		name:    "defaulted path type triggers the CEL rule",
		bundles: []string{gwapi},
		// type defaults to PathPrefix, and a PathPrefix must start with "/".
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: relative
spec:
  parentRefs:
  - name: ai-gateway
  rules:
  - matches:
    - path:
        value: openai
`,
		want: []string{`spec.rules[0].matches[0].path: Invalid value: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`},
	},
	{
		name:    "status is dropped on create",
		bundles: []string{gwapi},
		// Gateway has a status subresource, so the apiserver clears status
		// before validating; only unknown status fields (found while
		// decoding) would be reported.
		doc: gateway + `status:
  addresses: not-a-list
`,
	},
	{
		name:    "namespace on a cluster-scoped object is ignored",
		bundles: []string{gwapi},
		doc: `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: agentgateway
  namespace: ai-gateway
spec:
  controllerName: agentgateway.dev/agentgateway
`,
	},
	{
		name:    "unserved version",
		bundles: []string{gwapi},
		doc:     strings.Replace(httpRoute, "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1alpha1", 1),
		want:    []string{`kind: Invalid value: "HTTPRoute": no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v1alpha1"`},
	},
	{
		name:    "missing kind",
		bundles: []string{gwapi},
		doc:     "apiVersion: gateway.networking.k8s.io/v1\nmetadata:\n  name: x\n",
		want:    []string{"kind: Required value"},
	},
	{
		name:    "YAML syntax error",
		bundles: []string{gwapi},
		doc:     "apiVersion: [\n",
		want:    []string{"did not find expected node content"},
	},

	// --- agentgateway -----------------------------------------------------
	{
		name:    "AgentgatewayPolicy local rate limit",
		bundles: agwAll,
		doc:     rateLimitPolicy,
	},
	{
		name:    "AgentgatewayPolicy rate limit with both requests and tokens",
		bundles: agwAll,
		doc:     strings.Replace(rateLimitPolicy, "- requests: 60", "- requests: 60\n        tokens: 10000", 1),
		want:    []string{`spec.traffic.rateLimit.local[0]: Invalid value: exactly one of the fields in [requests tokens] must be set`},
	},
	{
		name:    "AgentgatewayPolicy rate limit unit enum",
		bundles: agwAll,
		doc:     strings.Replace(rateLimitPolicy, "unit: Minutes", "unit: minute", 1),
		want:    []string{`spec.traffic.rateLimit.local[0].unit: Unsupported value: "minute"`, skipped},
	},
	{
		name:    "AgentgatewayBackend AI with secret auth",
		bundles: agwAll,
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: openai
  namespace: ai-gateway
spec:
  ai:
    provider:
      openai:
        model: gpt-4o-mini
  policies:
    auth:
      secretRef:
        name: openai-api-key
`,
	},
	{
		name:    "MCP target with static backendRef",
		bundles: agwAll,
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: mcp
spec:
  mcp:
    targets:
    - name: tools
      static:
        backendRef:
          name: mcp-server
        port: 8080
        protocol: StreamableHTTP
`,
	},
	{
		name:    "MCP target with backendRef directly under targets[]",
		bundles: agwAll,
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: mcp
spec:
  mcp:
    targets:
    - name: tools
      backendRef:
        name: mcp-server
        port: 8080
`,
		want: []string{
			`unknown field "spec.mcp.targets[0].backendRef"`,
			`spec.mcp.targets[0]: Invalid value: exactly one of the fields in [selector static] must be set`,
		},
	},
}

const v20AIBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
spec:
  type: AI
  ai:
    llm:
      provider:
        openai:
          model: gpt-4o-mini
          authToken:
            kind: SecretRef
            secretRef:
              name: openai-api-key
`

const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ai-gateway
  namespace: ai-gateway
spec:
  gatewayClassName: agentgateway
  listeners:
  - name: http
    protocol: HTTP
    port: 80
    allowedRoutes:
      namespaces:
        from: Same
`

const httpRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: openai-route
  namespace: ai-gateway
spec:
  parentRefs:
  - name: ai-gateway
    sectionName: http
  hostnames:
  - llm.example.com
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /openai
    backendRefs:
    - group: agentgateway.dev
      kind: AgentgatewayBackend
      name: openai
`

const rateLimitPolicy = `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: llm-rate-limit
  namespace: ai-gateway
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: openai-route
  traffic:
    rateLimit:
      local:
      - requests: 60
        unit: Minutes
`

func TestValidate(t *testing.T) {
	ctx := context.Background()
	for _, tc := range cases {
		for _, b := range tc.bundles {
			t.Run(b+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := setFor(t, b)
				var errs field.ErrorList
				for _, doc := range strings.Split(tc.doc, "\n---\n") {
					errs = append(errs, s.ValidateYAML(ctx, []byte(doc))...)
				}
				checkErrors(t, errs, tc.want, tc.notWant)
			})
		}
	}
}

func checkErrors(t *testing.T, errs field.ErrorList, want, notWant []string) {
	t.Helper()
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	if len(want) == 0 && len(errs) > 0 {
		t.Errorf("want no errors, got:\n%s", strings.Join(msgs, "\n"))
		return
	}
	for _, w := range want {
		if !containsAny(msgs, w) {
			t.Errorf("no error contains %q; got:\n%s", w, strings.Join(msgs, "\n"))
		}
	}
	for _, nw := range notWant {
		if containsAny(msgs, nw) {
			t.Errorf("an error contains %q; got:\n%s", nw, strings.Join(msgs, "\n"))
		}
	}
}

func containsAny(msgs []string, sub string) bool {
	for _, m := range msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}

func TestErrorOrigins(t *testing.T) {
	s := setFor(t, gwapi)
	doc := strings.Replace(httpRoute, "  hostnames:", "  hostname: x\n  hostnames:", 1)
	doc = strings.Replace(doc, "  name: openai-route", "  name: openai-route\n  name: openai-route", 1)
	var unknown, dup int
	for _, e := range s.ValidateYAML(context.Background(), []byte(doc)) {
		switch e.Origin {
		case crd.OriginUnknownField:
			unknown++
			if e.Field != "spec.hostname" || e.Type != field.ErrorTypeForbidden {
				t.Errorf("unexpected unknown-field error: %#v", e)
			}
		case crd.OriginDuplicateField:
			dup++
		default:
			t.Errorf("unexpected error: %v", e)
		}
	}
	if unknown != 1 || dup != 1 {
		t.Errorf("got %d unknown-field and %d duplicate-field errors, want 1 and 1", unknown, dup)
	}
}

// TestValidateDoesNotMutate guards the contract that callers can keep using
// their object (for example to print it) after validation.
func TestValidateDoesNotMutate(t *testing.T) {
	s := setFor(t, gwapi)
	obj, errs := crd.DecodeYAML([]byte(gateway))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	before, _ := crd.DecodeYAML([]byte(gateway))
	if errs := s.Validate(context.Background(), obj); len(errs) > 0 {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(obj, before) {
		t.Errorf("Validate modified its input:\n%v\n%v", obj, before)
	}
}

func TestDefault(t *testing.T) {
	s := setFor(t, gwapi)
	obj, _ := crd.DecodeYAML([]byte(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  parentRefs:
  - name: gw
  bogus: true
`))
	got, err := s.Default(obj)
	if err != nil {
		t.Fatal(err)
	}
	spec := got["spec"].(map[string]any)
	if _, ok := spec["bogus"]; ok {
		t.Error("unknown field not pruned")
	}
	rules, _ := spec["rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("want the defaulted rule, got spec %v", spec)
	}
	match := rules[0].(map[string]any)["matches"].([]any)[0].(map[string]any)
	if want := map[string]any{"type": "PathPrefix", "value": "/"}; !reflect.DeepEqual(match["path"], want) {
		t.Errorf("defaulted path = %v, want %v", match["path"], want)
	}
	parent := spec["parentRefs"].([]any)[0].(map[string]any)
	if parent["group"] != "gateway.networking.k8s.io" || parent["kind"] != "Gateway" {
		t.Errorf("parentRef not defaulted: %v", parent)
	}

	if _, err := s.Default(map[string]any{"apiVersion": "example.com/v1", "kind": "Nope"}); err == nil {
		t.Error("want an error for an unknown kind")
	}
}

func TestAddFiles(t *testing.T) {
	s := setFor(t, gwapi)
	// The standard channel also ships ValidatingAdmissionPolicy documents,
	// which must be skipped rather than rejected.
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "Gateway"},
		{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"},
		{Group: "gateway.networking.k8s.io", Version: "v1beta1", Kind: "HTTPRoute"},
		{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "GatewayClass"},
	} {
		if !s.Lookup(gvk) {
			t.Errorf("Lookup(%v) = false", gvk)
		}
	}
	if s.Lookup(schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingAdmissionPolicy"}) {
		t.Error("non-CRD document was added")
	}
	if err := crd.NewSet().AddFiles(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("want an error for a missing path")
	}
}

// TestConcurrentValidate exercises one Set from many goroutines; run with
// -race, it checks that compiled validators are safe to share.
func TestConcurrentValidate(t *testing.T) {
	s := setFor(t, gwapi)
	docs := []string{gateway, httpRoute, strings.Replace(httpRoute, "value: /openai", "value: openai", 1)}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				doc := docs[(i+j)%len(docs)]
				errs := s.ValidateYAML(context.Background(), []byte(doc))
				if wantErr := doc != gateway && doc != httpRoute; wantErr != (len(errs) > 0) {
					t.Errorf("unexpected result %v", errs)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

// BenchmarkCompileGatewayAPI measures loading and compiling every Gateway
// API standard CRD version, the start-up cost of a validating command. CEL
// rules are compiled on the first validation of a kind and are not included.
func BenchmarkCompileGatewayAPI(b *testing.B) {
	dir := testenv.GatewayAPICRDDir(b)
	for b.Loop() {
		if err := crd.NewSet().AddFiles(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateYAMLHTTPRoute adds strict YAML decoding to
// BenchmarkValidateHTTPRoute, the per-document cost of a lint run.
func BenchmarkValidateYAMLHTTPRoute(b *testing.B) {
	s := setFor(b, gwapi)
	doc := []byte(httpRoute)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if errs := s.ValidateYAML(ctx, doc); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

// BenchmarkValidateHTTPRoute measures validating a typical, valid HTTPRoute
// (already decoded) against a compiled set.
func BenchmarkValidateHTTPRoute(b *testing.B) {
	s := setFor(b, gwapi)
	obj, errs := crd.DecodeYAML([]byte(httpRoute))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if errs := s.Validate(ctx, obj); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
