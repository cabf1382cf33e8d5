package dataplane

import (
	"encoding/json"
	"testing"
)

// CORSPolicies reads each data plane's CORS block with its targets into
// neutral terms, and nothing else: a policy without CORS, another group's
// kind of the same name, or a kgateway v2.0-only object are not CORS.
func TestCORSPolicies(t *testing.T) {
	obj := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	objs := []map[string]any{
		obj(`{"apiVersion":"gateway.kgateway.dev/v1alpha1","kind":"TrafficPolicy","metadata":{"name":"tp","namespace":"ns","creationTimestamp":"2025-01-01T00:00:00Z"},
			"spec":{"targetRefs":[{"kind":"Gateway","name":"gw","sectionName":"http"}],"cors":{"allowOrigins":["https://a.test"],"allowMethods":["GET"],"maxAge":60,"allowCredentials":true}}}`),
		obj(`{"apiVersion":"gateway.kgateway.dev/v1alpha1","kind":"TrafficPolicy","metadata":{"name":"off","namespace":"ns"},"spec":{"targetSelectors":[{"kind":"HTTPRoute","matchLabels":{"app":"x"}}],"cors":{"disable":{}}}}`),
		obj(`{"apiVersion":"agentgateway.dev/v1alpha1","kind":"AgentgatewayPolicy","metadata":{"name":"ap","namespace":"ns"},"spec":{"targetRefs":[{"kind":"HTTPRoute","name":"r"}],"traffic":{"cors":{"allowOrigins":["*"],"exposeHeaders":["x-id"]}}}}`),
		obj(`{"apiVersion":"gateway.kgateway.dev/v1alpha1","kind":"TrafficPolicy","metadata":{"name":"none","namespace":"ns"},"spec":{"targetRefs":[{"kind":"HTTPRoute","name":"r"}]}}`),
		obj(`{"apiVersion":"example.com/v1","kind":"TrafficPolicy","metadata":{"name":"other"},"spec":{"cors":{"allowOrigins":["*"]}}}`),
	}
	got, err := json.Marshal(CORSPolicies(objs))
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"Kind":"TrafficPolicy","Namespace":"ns","Name":"tp","Created":"2025-01-01T00:00:00Z","Filter":{"allowOrigins":["https://a.test"],"allowCredentials":true,"allowMethods":["GET"],"maxAge":60},"Disabled":false,"Targets":[{"Kind":"Gateway","Name":"gw","SectionName":"http","MatchLabels":null}],"Referable":true},` +
		`{"Kind":"TrafficPolicy","Namespace":"ns","Name":"off","Created":"","Filter":{},"Disabled":true,"Targets":[{"Kind":"HTTPRoute","Name":"","SectionName":"","MatchLabels":{"app":"x"}}],"Referable":true},` +
		`{"Kind":"AgentgatewayPolicy","Namespace":"ns","Name":"ap","Created":"","Filter":{"allowOrigins":["*"],"exposeHeaders":["x-id"]},"Disabled":false,"Targets":[{"Kind":"HTTPRoute","Name":"r","SectionName":"","MatchLabels":null}],"Referable":false}]`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
