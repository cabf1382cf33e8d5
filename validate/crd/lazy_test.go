package crd_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// widgetCRD has one good and one broken CEL rule. CEL rules are compiled on
// the first validation of their kind, so a broken rule is never an AddCRD
// error (nor was it before: the apiserver's CEL validator reports rules
// that do not compile when validating).
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
            x-kubernetes-validations:
            - {rule: "self.size < 10", message: size must be below 10}
            - {rule: "self.size.nope(", message: broken}
`

func TestCELCompiledOnFirstUse(t *testing.T) {
	var c apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal([]byte(widgetCRD), &c); err != nil {
		t.Fatal(err)
	}
	s := crd.NewSet()
	if err := s.AddCRD(&c); err != nil {
		t.Fatalf("AddCRD: %v", err)
	}
	doc := []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 12}\n")
	// First use from several goroutines at once (run with -race).
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var msgs []string
			for _, e := range s.ValidateYAML(context.Background(), doc) {
				msgs = append(msgs, e.Origin+": "+e.Error())
			}
			results[i] = strings.Join(msgs, "\n")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != results[0] {
			t.Errorf("goroutine %d saw %q, goroutine 0 %q", i, r, results[0])
		}
	}
	for _, want := range []string{"cel: spec: Invalid value: size must be below 10", "rule compile error"} {
		if !strings.Contains(results[0], want) {
			t.Errorf("findings %q lack %q", results[0], want)
		}
	}
}
