package generate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Migration is a gateway read from one target's manifests and rendered for
// another.
type Migration struct {
	From, To string
	Gateway  *spec.AIGateway
	Objects  []Object
	// Notes say what was repaired on the way: known mistakes of KubeLB's
	// tutorials whose meaning is clear (the RateLimitPolicy kind that never
	// existed, secretRef.namespace, a development image tag, a URL rewrite
	// the data plane overrides anyway), and what became of literal keys.
	Notes []string
	// LiteralSecrets name (namespace/name) the rendered Secrets whose key
	// was a literal in the manifests read: with SecretsKeep they hold it,
	// with SecretsEnv a ${VARIABLE} placeholder in its place.
	LiteralSecrets []string
}

// SecretMode is what Migrate does with a Secret that holds a literal key.
type SecretMode string

const (
	// SecretsKeep carries the key over into the new target's Secret,
	// rewritten only where that target's format differs.
	SecretsKeep SecretMode = "keep"
	// SecretsEnv writes the ${VARIABLE} placeholder generate writes: the
	// key is taken from the environment when the manifests are applied.
	SecretsEnv SecretMode = "env"
)

// SecretModes lists the modes, for flags and messages.
func SecretModes() []string { return []string{string(SecretsKeep), string(SecretsEnv)} }

// MigrateOptions are Migrate's choices beyond the manifests.
type MigrateOptions struct {
	// From is the target the manifests were written for ("" detects it
	// with dataplane.Detect); To the target to render for.
	From, To string
	// Secrets is what becomes of literal keys (default SecretsKeep).
	Secrets SecretMode
}

// MigrationError lists everything in the manifests that the new target
// cannot express or that the Spec cannot carry over: migrate changes the
// data plane, never the gateway's meaning, so nothing is dropped silently.
type MigrationError struct {
	From, To string
	Problems []Issue
}

func (e *MigrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot migrate from %s to %s without changing what the gateway does:", e.From, e.To)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}

// Migrate reads manifests written for target from ("" detects it with
// dataplane.Detect) and renders the same gateway for target to, carrying
// literal keys over (SecretsKeep).
func Migrate(objs []map[string]any, from, to string) (*Migration, error) {
	return MigrateWith(objs, MigrateOptions{From: from, To: to})
}

// MigrateWith is Migrate with options.
func MigrateWith(objs []map[string]any, o MigrateOptions) (*Migration, error) {
	to := o.To
	if _, err := templates.LookupTarget(to); err != nil {
		return nil, err
	}
	switch o.Secrets {
	case "":
		o.Secrets = SecretsKeep
	case SecretsKeep, SecretsEnv:
	default:
		return nil, fmt.Errorf("unknown secrets mode %q: use %s", o.Secrets, strings.Join(SecretModes(), " or "))
	}
	in, err := importFor(objs, o.From, to)
	if err != nil {
		return nil, err
	}
	m := &Migration{From: in.From, To: to, Notes: in.Notes}
	if len(in.Issues) > 0 {
		return nil, &MigrationError{From: in.From, To: to, Problems: in.Issues}
	}
	g := in.Gateway
	g.Spec.Target = to
	spec.Default(g)
	if err := spec.Check(g); err != nil {
		return nil, &MigrationError{From: in.From, To: to, Problems: specProblems(g, in.From, err)}
	}
	if m.Objects, err = Render(g); err != nil {
		return nil, err
	}
	m.Gateway = g
	m.literalSecrets(in, o.Secrets)
	return m, nil
}

// literalSecrets puts the literal keys read into the rendered Secrets of
// their providers (SecretsKeep), or notes the placeholder that replaces
// them (SecretsEnv).
func (m *Migration) literalSecrets(in *Imported, mode SecretMode) {
	for _, p := range m.Gateway.Spec.Providers {
		lit, ok := in.literals[p.Name]
		if !ok {
			continue
		}
		for _, o := range m.Objects {
			sec, isSecret := o.Object.(*corev1.Secret)
			if !isSecret || sec.Name != dataplane.SecretName(p.Name) {
				continue
			}
			id := sec.Namespace + "/" + sec.Name
			m.LiteralSecrets = append(m.LiteralSecrets, id)
			if mode == SecretsEnv {
				m.note("Secret %s: the literal key is replaced by the placeholder %s; export %s before applying (envsubst < FILE | kubectl apply -f -) or serving", id, placeholders(sec), strings.Join(envNames(sec), " and "))
				continue
			}
			data, rewritten := secretData(facts(m.To).AddsBearer, sec.StringData, lit.values)
			sec.StringData = data
			how := "unchanged"
			if rewritten != "" {
				how = rewritten
			}
			m.note("Secret %s: carries the literal key of Secret/%s over %s", id, lit.secret, how)
		}
	}
}

// secretData is the literal Secret rewritten for target: the keys the
// rendered Secret has (plus Bedrock's session token), with a leading
// "Bearer " removed from Authorization on agentgateway, which adds it
// itself (kgateway strips it, so both forms work there). rewritten says what
// changed, "" for nothing.
func secretData(addsBearer bool, rendered map[string]string, lit secretValues) (map[string]string, string) {
	out := map[string]string{}
	for k := range rendered {
		out[k] = lit[k]
	}
	if v, ok := lit[dataplane.KeySessionToken]; ok && rendered[dataplane.KeyAccessKey] != "" {
		out[dataplane.KeySessionToken] = v
	}
	if v, ok := out[dataplane.KeyAuthorization]; ok && addsBearer {
		if raw, had := strings.CutPrefix(v, "Bearer "); had {
			out[dataplane.KeyAuthorization] = raw
			return out, `without the "Bearer " prefix in Authorization (agentgateway adds it itself)`
		}
	}
	return out, ""
}

// placeholders and envNames describe a rendered Secret's ${VAR} markers.
func placeholders(sec *corev1.Secret) string {
	var out []string
	for _, k := range sortedKeys(sec.StringData) {
		out = append(out, k+": "+sec.StringData[k])
	}
	return strings.Join(out, ", ")
}

func envNames(sec *corev1.Secret) []string {
	var out []string
	if sec == nil {
		return nil
	}
	for _, k := range sortedKeys(sec.StringData) {
		if v, ok := dataplane.ParseEnvMarker(sec.StringData[k]); ok {
			out = append(out, v)
		}
	}
	return out
}

// Imported is a Spec read from a target's manifests.
type Imported struct {
	From    string
	Gateway *spec.AIGateway
	// Notes say what was repaired (see Migration.Notes) and which
	// variables to export for keys the manifests held as literals.
	Notes []string
	// Issues are what the Spec cannot carry: rendering it gives manifests
	// without them.
	Issues []Issue
	// literals are the literal keys of the Secrets read, by provider.
	literals map[string]literalSecret

	// GatewayObject is the manifests' first Gateway and HTTPRoutes all
	// their HTTPRoutes, as written (the repairs are the Spec's only): what
	// serve listens on and routes by.
	GatewayObject *gwv1.Gateway
	HTTPRoutes    []*gwv1.HTTPRoute
	// RouteTypes are the route types each AI backend object of the
	// manifests maps paths to, by its name; nil for a backend with none
	// (its data plane then takes every request as chat completions).
	RouteTypes map[string]map[string]string
	// CORS are the manifests' CORS policy objects, with their targets
	// (the Spec has no place for them: they attach to Gateways, listeners,
	// routes and rules).
	CORS []dataplane.CORSPolicy
	// AccessControls are the manifests' checks of callers the Spec cannot
	// carry, as "Kind/name field" (e.g. "TrafficPolicy/auth extAuth"):
	// rendering the Spec, or serving it, would let those callers through.
	AccessControls []string
	// ClientKeys are the API keys the policy the Spec's clients come from
	// accepts, read from every Secret or ConfigMap it selects as
	// agentgateway reads them (literal keys included, which the Spec never
	// carries); nil when it checks no API keys. When its keys are not
	// among the manifests, AccessControls says so instead.
	ClientKeys []dataplane.ClientKey
}

// Import reads manifests written for target from ("" detects it with
// dataplane.Detect) into a Spec, repairing the KubeLB tutorial's known mistakes
// as Migrate does. A Secret's literal key is not an issue: the Spec names
// the variable to take it from (auth.env), and a note says so.
func Import(objs []map[string]any, from string) (*Imported, error) {
	return importFor(objs, from, "")
}

// importFor is Import for manifests that will be rendered for target to
// ("" for the source target), which decides what the notes say.
func importFor(objs []map[string]any, from, to string) (*Imported, error) {
	if from == "" {
		from = dataplane.Detect(objs)
	}
	if _, err := templates.LookupTarget(from); err != nil {
		return nil, err
	}
	if to == "" {
		to = from
	}
	m := &Migration{From: from, To: to}
	repaired, problems := m.repair(objs)
	p, err := parse(from, repaired)
	if err != nil {
		return nil, fmt.Errorf("reading the manifests as %s: %w", from, err)
	}
	g, issues, literals := &p.g, p.issues, p.literals
	for _, is := range issues {
		switch {
		case is.LiteralSecret != "":
			// Noted below, per provider using the Secret.
		case is.MissingSecret != "":
			m.note("%s: Secret %s is not among the manifests; the Spec reads the key from the provider's default variable, and rendering writes a Secret with a ${VARIABLE} placeholder (leave it out if the Secret exists in the cluster)", is.Object, is.MissingSecret)
		default:
			problems = append(problems, is)
		}
	}
	for i := range g.Spec.Providers {
		p := &g.Spec.Providers[i]
		if lit, ok := literals[p.Name]; ok {
			vars := envNames(secret(p, metav1.ObjectMeta{}))
			m.note("Secret/%s holds a literal key, which kubelb-ai.yaml never stores: provider %s takes it from $%s (auth.env); export %s before kubelb-ai serve, or before applying manifests generated from the Spec",
				lit.secret, p.Name, strings.Join(vars, " and $"), strings.Join(vars, " and "))
		}
	}
	in := &Imported{From: from, Gateway: g, Notes: m.Notes, Issues: problems, literals: literals, RouteTypes: p.backendRouteTypes,
		CORS: dataplane.CORSPolicies(objs), AccessControls: p.accessControls, ClientKeys: p.keys}
	if err := in.readListening(objs); err != nil {
		return nil, err
	}
	return in, nil
}

// ImportAs is Import for a target the user named (serve's --target): it
// refuses one that the manifests' AI backends plainly are not written for,
// as reading them as that target would find none of them.
func ImportAs(objs []map[string]any, target string) (*Imported, error) {
	if target != "" {
		backends := slices.ContainsFunc(objs, func(o map[string]any) bool {
			av, _ := o["apiVersion"].(string)
			kind, _ := o["kind"].(string)
			group, _, _ := strings.Cut(av, "/")
			return dataplane.IsBackend(group, kind)
		})
		if detected := dataplane.Detect(objs); backends && detected != target {
			return nil, fmt.Errorf("--target %s: the manifests are written for %s; drop --target, or move them with: kubelb-ai migrate --to %s -f PATH", target, detected, target)
		}
	}
	return Import(objs, target)
}

// readListening decodes the Gateway and HTTPRoutes of objs as they are.
func (i *Imported) readListening(objs []map[string]any) error {
	for _, o := range objs {
		switch o["kind"] {
		case "Gateway":
			if i.GatewayObject == nil {
				i.GatewayObject = &gwv1.Gateway{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, i.GatewayObject); err != nil {
					return fmt.Errorf("reading the Gateway: %w", err)
				}
			}
		case "HTTPRoute":
			r := &gwv1.HTTPRoute{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, r); err != nil {
				return fmt.Errorf("reading an HTTPRoute: %w", err)
			}
			i.HTTPRoutes = append(i.HTTPRoutes, r)
		}
	}
	return nil
}

// repair returns a copy of objs with the tutorials' known mistakes fixed
// where their meaning is clear, noting each fix, and the problems where it
// is not.
func (m *Migration) repair(objs []map[string]any) ([]map[string]any, []Issue) {
	var out []map[string]any
	var problems []Issue
	for _, orig := range objs {
		o, err := deepCopy(orig)
		if err != nil {
			problems = append(problems, Issue{Object: objectID(orig), Message: err.Error()})
			continue
		}
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		id := objectID(o)
		ns, _ := objpath.Get(o, "metadata", "namespace").(string)
		switch {
		case dataplane.IsTutorialRateLimit(av, kind):
			policy, err := m.rateLimitPolicy(o, ns)
			if err != nil {
				problems = append(problems, Issue{Object: id, Message: err.Error()})
				continue
			}
			out = append(out, policy)
			continue
		case dataplane.RoleOf(schema.FromAPIVersionAndKind(av, kind).Group, kind) == dataplane.RoleParameters:
			if image, ok := objpath.Get(o, "spec", "kube", "aiExtension", "image").(map[string]any); ok {
				// Render pins the target's release image; a development tag
				// (the tutorial's *-main) is what it replaces.
				if tag, _ := image["tag"].(string); tag != "" {
					delete(image, "tag")
					m.imageNote(id, tag)
				}
			}
		case kind == "HTTPRoute":
			m.dropPathRewrites(o, id)
		}
		walkObjects(o, "", func(path string, node map[string]any) {
			ref, ok := node["secretRef"].(map[string]any)
			if !ok {
				return
			}
			refNS, has := ref["namespace"].(string)
			switch {
			case !has:
			case refNS == ns || refNS == "" || ns == "":
				delete(ref, "namespace")
				m.note("%s: %s.secretRef.namespace removed (a secretRef always names a Secret in the object's own namespace)", id, path)
			default:
				problems = append(problems, Issue{Object: id, Message: fmt.Sprintf("%s.secretRef.namespace %s: a secretRef can only name a Secret in the object's own namespace (%s); move the Secret", path, refNS, ns)})
			}
		})
		out = append(out, o)
	}
	return out, problems
}

// imageNote says what becomes of the AI extension image tag of the
// manifests: agentgateway has no AI extension; kgateway gets the image of
// its release, which is only news when the tag differs.
func (m *Migration) imageNote(id, tag string) {
	to := facts(m.To)
	if !to.AIExtension {
		m.note("%s: AI extension image tag %s dropped: %s has no AI extension, so it needs no image", id, tag, m.To)
		return
	}
	if pinned := to.AIExtensionImage.Tag; tag != pinned {
		m.note("%s: AI extension image tag %s replaced by %s's release tag %s", id, tag, m.To, pinned)
	}
}

func (m *Migration) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

// rateLimitPolicy rewrites the tutorial's RateLimitPolicy {targetRef,
// limits[{requests, unit}]} as the source target's real rate-limit policy.
func (m *Migration) rateLimitPolicy(o map[string]any, ns string) (map[string]any, error) {
	route, _ := objpath.Get(o, "spec", "targetRef", "name").(string)
	if kind, _ := objpath.Get(o, "spec", "targetRef", "kind").(string); kind != "HTTPRoute" || route == "" {
		return nil, fmt.Errorf("spec.targetRef: only a RateLimitPolicy targeting an HTTPRoute by name can be migrated")
	}
	limits, _ := objpath.Get(o, "spec", "limits").([]any)
	if len(limits) != 1 {
		return nil, fmt.Errorf("spec.limits: %d limits; a route has one request rate limit", len(limits))
	}
	first, _ := limits[0].(map[string]any)
	n, unit, err := spec.ParseRate(fmt.Sprintf("%v/%v", first["requests"], first["unit"]))
	if err != nil {
		return nil, fmt.Errorf("spec.limits[0]: %v", err)
	}
	obj, err := dataplane.RateLimitFor(m.From, ns, route, spec.RequestLimit{Requests: n, Per: unit})
	if err != nil {
		return nil, err
	}
	out, err := dataplane.ToMap(obj)
	if err != nil {
		return nil, err
	}
	m.note("%s: RateLimitPolicy (a kind no kgateway release has) read as %d requests per %s on HTTPRoute %s", objectID(o), n, unit, route)
	return out, nil
}

// dropPathRewrites removes URLRewrite filters that only set the request
// path of a rule whose backends are all AI backends: kgateway's AI
// extension overwrites the path with the provider's, so such a filter
// never had an effect there (on agentgateway, generate renders the one
// rewrite its routes need).
func (m *Migration) dropPathRewrites(o map[string]any, id string) {
	rules, _ := objpath.Get(o, "spec", "rules").([]any)
	for i, r := range rules {
		rule, _ := r.(map[string]any)
		filters, _ := rule["filters"].([]any)
		refs, _ := rule["backendRefs"].([]any)
		if len(filters) == 0 || len(refs) == 0 || !slices.ContainsFunc(refs, isAIRef) || slices.ContainsFunc(refs, func(x any) bool { return !isAIRef(x) }) {
			continue
		}
		kept := filters[:0:0]
		for j, f := range filters {
			fm, _ := f.(map[string]any)
			rw, _ := fm["urlRewrite"].(map[string]any)
			if fm["type"] == "URLRewrite" && len(rw) == 1 && rw["path"] != nil {
				m.note("%s: spec.rules[%d].filters[%d] (a path rewrite) removed: the data plane sets the provider's path on AI backends", id, i, j)
				continue
			}
			kept = append(kept, f)
		}
		if len(kept) == 0 {
			delete(rule, "filters")
		} else {
			rule["filters"] = kept
		}
	}
}

func isAIRef(x any) bool {
	ref, _ := x.(map[string]any)
	group, _ := ref["group"].(string)
	kind, _ := ref["kind"].(string)
	return dataplane.IsBackend(group, kind)
}

// specProblems names, for each complaint of spec.Check about the migrated
// Spec, the object of the manifests it came from.
func specProblems(g *spec.AIGateway, from string, err error) []Issue {
	var out []Issue
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		out = append(out, Issue{Object: specObject(g, from, line), Message: line})
	}
	return out
}

// specObject maps the Spec path at the start of msg back to an object of
// the manifests: a backend, a route (whose policies the route's path names)
// or the backend that holds a provider.
func specObject(g *spec.AIGateway, from, msg string) string {
	backendKind := dataplane.Default().Facts().API.Backend
	if a, err := dataplane.Lookup(from); err == nil {
		backendKind = a.Facts().API.Backend
	}
	var i, j int
	routes := g.Spec.Routes
	switch {
	case scan2(msg, "spec.routes[%d].backends[%d]", &i, &j) && i < len(routes) && j < len(routes[i].Backends) && routes[i].Backends[j].Name != "":
		return backendKind + "/" + routes[i].Backends[j].Name
	case scan(msg, "spec.routes[%d]", &i) && i < len(routes):
		return "HTTPRoute/" + routes[i].Name
	case scan(msg, "spec.providers[%d]", &i) && i < len(g.Spec.Providers):
		name := g.Spec.Providers[i].Name
		for _, r := range routes {
			for _, b := range r.Backends {
				if slices.Contains(b.Providers, name) && b.Name != "" {
					return backendKind + "/" + b.Name
				}
			}
		}
		return "provider " + name
	}
	return "Gateway/" + g.Spec.Gateway.Name
}

func scan2(s, format string, i, j *int) bool {
	n, _ := fmt.Sscanf(s, format, i, j)
	return n == 2
}

func scan(s, format string, i *int) bool {
	n, _ := fmt.Sscanf(s, format, i)
	return n == 1
}

func objectID(o map[string]any) string {
	kind, _ := o["kind"].(string)
	name, _ := objpath.Get(o, "metadata", "name").(string)
	return kind + "/" + name
}

func deepCopy(o map[string]any) (map[string]any, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(data, &out)
}

// walkObjects calls fn for every object inside v with its field path.
func walkObjects(v any, path string, fn func(string, map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(path, t)
		keys := slices.Sorted(maps.Keys(t))
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walkObjects(t[k], p, fn)
		}
	case []any:
		for i, x := range t {
			walkObjects(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// LiteralKey is the credential a provider's Secret holds as a literal in
// the manifests read (by Secret key: Authorization, or Bedrock's accessKey,
// secretKey and sessionToken), and the Secret's name: what a cluster would
// use, and so what serve uses. ok is false when the Secret names a
// ${VARIABLE} or is not among the manifests.
func (i *Imported) LiteralKey(provider string) (values map[string]string, secret string, ok bool) {
	lit, ok := i.literals[provider]
	if !ok {
		return nil, "", false
	}
	return maps.Clone(lit.values), lit.secret, true
}

// facts are the entry of a target already looked up.
func facts(target string) templates.Target {
	t, _ := templates.LookupTarget(target)
	return t
}
