package cluster

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// placeholderRE matches the ${VARIABLE} placeholders generate writes into
// Secrets (the envsubst syntax).
var placeholderRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// MissingEnvError names the variables Secrets need and the environment lacks.
type MissingEnvError struct{ Variables []string }

func (e *MissingEnvError) Error() string {
	return fmt.Sprintf("the Secrets take their keys from the environment, which lacks %s: export %s and run again; nothing was applied",
		strings.Join(e.Variables, ", "), e.Variables[0])
}

// ResolveSecrets returns copies of objs whose Secrets have their ${VARIABLE}
// placeholders filled from lookup, and a Redactor that hides the filled
// values. Every missing variable is reported at once, before anything is
// sent.
func ResolveSecrets(objs []*unstructured.Unstructured, lookup func(string) (string, bool)) ([]*unstructured.Unstructured, *Redactor, error) {
	red := &Redactor{}
	missing := map[string]bool{}
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o
		if o.GetKind() != "Secret" || o.GroupVersionKind().Group != "" {
			continue
		}
		c := o.DeepCopy()
		for _, field := range []string{"stringData", "data"} {
			m, ok := c.Object[field].(map[string]any)
			if !ok {
				continue
			}
			for k, v := range m {
				s, ok := v.(string)
				if !ok || !placeholderRE.MatchString(s) {
					continue
				}
				if field == "data" {
					continue // base64 cannot hold a placeholder
				}
				m[k] = placeholderRE.ReplaceAllStringFunc(s, func(p string) string {
					name := placeholderRE.FindStringSubmatch(p)[1]
					val, ok := lookup(name)
					if !ok || val == "" {
						missing[name] = true
						return p
					}
					red.add(val)
					return val
				})
			}
		}
		out[i] = c
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(missing))
		for n := range missing {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, red, &MissingEnvError{Variables: names}
	}
	return out, red, nil
}

// Redactor hides secret values in text shown to the user (errors from the
// API server may quote a value).
type Redactor struct{ values []string }

func (r *Redactor) add(v string) {
	if len(v) >= 4 {
		r.values = append(r.values, v)
	}
}

// Redact replaces every known secret value in s.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}
