package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Category groups rendered objects by what they do, independent of the
// target's kind names; `generate <category>` prints one group.
type Category int

// Categories in the order objects are emitted: what others refer to first.
const (
	CategorySecret Category = iota
	CategoryGatewayParameters
	CategoryGateway
	CategoryBackend
	CategoryRoute
	CategoryRateLimit
	CategoryAIPolicy
	CategoryCORS
	// CategoryTraffic is a route's one policy of all its traffic fields,
	// when the Spec has clients or the route a global limit.
	CategoryTraffic
	// CategoryRateLimitService is the rate-limit service's configuration
	// (the ConfigMap envoyproxy/ratelimit reads) and what points the data
	// plane at it.
	CategoryRateLimitService
	// CategoryMCPPolicy is an MCP gateway's authorization policy.
	CategoryMCPPolicy
	// CategoryTracing is the gateway-wide policy sending spans to the
	// OpenTelemetry collector.
	CategoryTracing
	categoryAll
)

var categoryNames = [...]string{"secret", "gateway-parameters", "gateway", "backend", "route", "rate-limit", "ai-policy", "cors", "traffic", "rate-limit-service", "mcp-policy", "tracing"}

func (c Category) String() string {
	if c >= 0 && c < categoryAll {
		return categoryNames[c]
	}
	return "all"
}

// CategoryNames lists the categories in the order of the command line contract.
func CategoryNames() []string {
	return []string{"gateway", "gateway-parameters", "backend", "route", "secret", "rate-limit", "ai-policy", "cors", "traffic", "rate-limit-service", "mcp-policy", "tracing"}
}

// ParseCategory maps a generate argument to its category; "all" selects every one.
func ParseCategory(s string) (Category, error) {
	if s == "all" || s == "" {
		return categoryAll, nil
	}
	for i, n := range categoryNames {
		if n == s {
			return Category(i), nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q: use all, %s", s, strings.Join(CategoryNames(), ", "))
}

// KubeObject is a typed Kubernetes object: Gateway API, core or one of the
// project's own API types.
type KubeObject interface {
	metav1.Object
	runtime.Object
}

// Object is one rendered object and the category it belongs to.
type Object struct {
	Category Category
	Object   KubeObject
}

// Kind returns the object's kind.
func (o Object) Kind() string { return o.Object.GetObjectKind().GroupVersionKind().Kind }

// Select keeps the objects of category c (all of them for "all").
func Select(objs []Object, c Category) []Object {
	if c == categoryAll {
		return objs
	}
	var out []Object
	for _, o := range objs {
		if o.Category == c {
			out = append(out, o)
		}
	}
	return out
}

// Encode renders objects as a YAML stream (documents separated by ---) or,
// for json, as one object or a v1 List, like kubectl get -o json. Keys are
// sorted, so output is byte-for-byte deterministic.
func Encode(objs []Object, format string) ([]byte, error) {
	maps := make([]map[string]any, len(objs))
	for i, o := range objs {
		m, err := dataplane.ToMap(o.Object)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", o.Kind(), o.Object.GetName(), err)
		}
		maps[i] = m
	}
	switch format {
	case "json":
		var v any = map[string]any{"apiVersion": "v1", "kind": "List", "items": maps}
		if len(maps) == 1 {
			v = maps[0]
		}
		out, err := json.MarshalIndent(v, "", "  ")
		return append(out, '\n'), err
	case "yaml", "":
		var buf bytes.Buffer
		for i, m := range maps {
			if i > 0 {
				buf.WriteString("---\n")
			}
			out, err := yaml.Marshal(m)
			if err != nil {
				return nil, err
			}
			buf.Write(out)
		}
		return buf.Bytes(), nil
	default:
		return nil, fmt.Errorf("unknown format %q: use yaml or json", format)
	}
}

// FileName is the file an object is written to in --output-dir.
func FileName(o Object, format string) string {
	ext := ".yaml"
	if format == "json" {
		ext = ".json"
	}
	return strings.ToLower(o.Kind()) + "-" + o.Object.GetName() + ext
}

// SpecFileName is the Spec written beside the manifests.
const SpecFileName = "kubelb-ai.yaml"

// WriteDir writes one file per object plus kubelb-ai.yaml into dir. Without
// force it refuses, before writing anything, if any of the files exists.
// Files are written whole (temporary file, then rename); Secrets are 0600.
func WriteDir(dir string, g *spec.AIGateway, objs []Object, format string, force bool) ([]string, error) {
	type file struct {
		path string
		data []byte
		mode os.FileMode
	}
	specData, err := spec.Marshal(g)
	if err != nil {
		return nil, err
	}
	files := []file{{filepath.Join(dir, SpecFileName), specData, 0o644}}
	seen := map[string]bool{SpecFileName: true}
	for _, o := range objs {
		data, err := Encode([]Object{o}, format)
		if err != nil {
			return nil, err
		}
		name := FileName(o, format)
		if seen[name] {
			return nil, fmt.Errorf("two objects would be written to %s: give them different names", name)
		}
		seen[name] = true
		mode := os.FileMode(0o644)
		if o.Category == CategorySecret {
			mode = 0o600
		}
		files = append(files, file{filepath.Join(dir, name), data, mode})
	}
	if !force {
		var existing []string
		for _, f := range files {
			if _, err := os.Lstat(f.path); err == nil {
				existing = append(existing, f.path)
			}
		}
		if len(existing) > 0 {
			return nil, fmt.Errorf("%w: %s (use --force to overwrite)", os.ErrExist, strings.Join(existing, ", "))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		if err := writeFileAtomic(f.path, f.data, f.mode); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	return written, nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Notes explains, for the rendered Secrets, where their values come from.
func Notes(objs []Object) []string {
	var notes []string
	for _, o := range objs {
		if o.Category != CategorySecret {
			continue
		}
		m, err := dataplane.ToMap(o.Object)
		if err != nil {
			continue
		}
		data, _ := m["stringData"].(map[string]any)
		var parts []string
		for _, k := range sortedKeys(data) {
			if v, ok := dataplane.ParseEnvMarker(fmt.Sprint(data[k])); ok {
				parts = append(parts, fmt.Sprintf("%s from $%s", k, v))
			}
		}
		if len(parts) > 0 {
			notes = append(notes, fmt.Sprintf("Secret %s/%s holds a placeholder, not a key: it takes %s from the environment when kubelb-ai apply or serve reads it (with kubectl: envsubst < FILE | kubectl apply -f -)",
				o.Object.GetNamespace(), o.Object.GetName(), strings.Join(parts, " and ")))
		}
	}
	return notes
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
