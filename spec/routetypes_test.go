package spec

import (
	"encoding/json"
	"testing"
)

func TestDefaultRouteTypes(t *testing.T) {
	guarded := &Policies{PromptGuard: &PromptGuard{Request: []GuardRule{{Action: GuardMask, Builtins: []string{"SSN"}}}}}
	for _, tc := range []struct {
		name   string
		kubelb string
		pol    *Policies
		want   string
	}{
		{"no policies, every release", "", nil,
			`{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/responses":"Responses"}`},
		{"KubeLB 1.4 runs agentgateway v1.1.0: no Rerank", "1.4", nil,
			`{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/responses":"Responses"}`},
		{"KubeLB 1.5 runs v1.3.1: Rerank", "1.5", nil,
			`{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/rerank":"Rerank","/responses":"Responses"}`},
		{"a newer KubeLB runs the newest known: Rerank", "1.7", nil,
			`{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/rerank":"Rerank","/responses":"Responses"}`},
		{"prompt guard: no catch-all", "", guarded,
			`{"/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/responses":"Responses"}`},
		{"request rate limit reads no body: catch-all stays", "", &Policies{RateLimit: &RequestLimit{Requests: 1, Per: PerMinute}},
			`{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/messages":"Messages","/messages/count_tokens":"AnthropicTokenCount","/models":"Passthrough","/responses":"Responses"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Spec{KubeLB: tc.kubelb}
			got, _ := json.Marshal(DefaultRouteTypes(s, &Route{Policies: tc.pol}))
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// routeTypes replaces the default entirely.
	got, _ := json.Marshal(RouteTypesOf(&Spec{}, &Route{RouteTypes: map[string]string{"*": "Completions"}}))
	if string(got) != `{"*":"Completions"}` {
		t.Errorf("RouteTypesOf with routeTypes = %s", got)
	}
}

func TestBodyPolicies(t *testing.T) {
	p := &Policies{
		RateLimit:   &RequestLimit{Requests: 1, Per: PerMinute},
		TokenLimit:  &TokenLimit{Tokens: 1, Per: PerMinute},
		Prompt:      &Prompt{Prepend: []Message{{Role: RoleSystem, Content: "x"}}},
		Defaults:    []FieldDefault{{Field: "temperature", Value: 0.1}},
		PromptGuard: &PromptGuard{Response: []GuardRule{{Action: GuardMask, Builtins: []string{"SSN"}}}},
	}
	got, _ := json.Marshal(BodyPolicies(p))
	if string(got) != `["promptGuard","prompt","defaults","tokenLimit"]` {
		t.Errorf("BodyPolicies = %s", got)
	}
	if got := BodyPolicies(&Policies{RateLimit: p.RateLimit, Prompt: &Prompt{}}); got != nil {
		t.Errorf("a request limit and an empty prompt read no body, got %v", got)
	}
}

func TestCheckRouteTypes(t *testing.T) {
	const head = "apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec:\n"
	const route = "  providers: [{kind: openai}]\n  routes:\n  - name: chat\n    backends: [{providers: [openai]}]\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"valid override", head + "  target: agentgateway\n" + route + "    routeTypes: {/v1/chat/completions: Completions, /v1/models: Passthrough, \"*\": Passthrough}\n", ""},
		{"unknown type, bad keys", head + "  target: agentgateway\n" + route + "    routeTypes: {/v1/chat/completions: Completion, v1/embeddings: Embeddings, /v1/*: Messages}\n",
			"f.yaml:9:17: spec.routes[0].routeTypes: key \"/v1/*\": \"*\" is only a key of its own; agentgateway matches keys as literal path suffixes\n" +
				"f.yaml:9:17: spec.routes[0].routeTypes: \"/v1/chat/completions\": unknown route type \"Completion\" (did you mean \"Completions\"?): use one of Completions, Messages, Responses, AnthropicTokenCount, Embeddings, Rerank, Realtime, Detect, Passthrough, Models\n" +
				"f.yaml:9:17: spec.routes[0].routeTypes: key \"v1/embeddings\" must be a path suffix starting with / (e.g. /v1/embeddings) or \"*\" for every other path"},
		{"Rerank without a release", head + "  target: agentgateway\n" + route + "    routeTypes: {/v1/rerank: Rerank}\n",
			"f.yaml:9:17: spec.routes[0].routeTypes: \"/v1/rerank\": route type Rerank needs agentgateway v1.3.1 or later (KubeLB 1.5+); set spec.kubelb to the release the manifests are for, e.g. kubelb: \"1.5\""},
		{"Rerank on KubeLB 1.4", head + "  kubelb: \"1.4\"\n" + route + "    routeTypes: {/v1/rerank: Rerank}\n",
			"f.yaml:9:17: spec.routes[0].routeTypes: \"/v1/rerank\": route type Rerank needs agentgateway v1.3.1 or later (KubeLB 1.5+); set spec.kubelb to the release the manifests are for, e.g. kubelb: \"1.5\""},
		{"Rerank on KubeLB 1.5", head + "  kubelb: \"1.5\"\n" + route + "    routeTypes: {/v1/rerank: Rerank}\n", ""},
		{"passthrough bypasses body policies", head + "  target: agentgateway\n" + route +
			"    policies: {tokenLimit: {tokens: 10, per: hour}, defaults: [{field: temperature, value: 0}]}\n" +
			"    routeTypes: {/v1/models: Passthrough, /v1/files: Passthrough, /v1/realtime: Realtime, \"*\": Passthrough}\n",
			"f.yaml:10:17: spec.routes[0].routeTypes: \"*\": Passthrough forwards requests without reading them, so they would bypass this route's defaults, tokenLimit; map the path to a type the gateway parses or drop the entry\n" +
				"f.yaml:10:17: spec.routes[0].routeTypes: \"/v1/files\": Passthrough forwards requests without reading them, so they would bypass this route's defaults, tokenLimit; map the path to a type the gateway parses or drop the entry\n" +
				"f.yaml:10:17: spec.routes[0].routeTypes: \"/v1/realtime\": Realtime forwards requests without reading them, so they would bypass this route's defaults, tokenLimit; map the path to a type the gateway parses or drop the entry"},
		{"kgateway has no route types", head + "  target: kgateway-v2.1\n" + route + "    routeTypes: {/v1/chat/completions: Completions}\n",
			"f.yaml:9:17: spec.routes[0].routeTypes: target kgateway-v2.1 handles every request as chat completions and has no route types; targets that have them: agentgateway"},
		{"kubelb picks the target", head + "  kubelb: \"1.3\"\n" + route, ""},
		{"kubelb and target disagree", head + "  kubelb: \"1.5\"\n  target: kgateway-v2.1\n" + route,
			"f.yaml:4:11: spec.kubelb: KubeLB 1.5 runs agentgateway, not target kgateway-v2.1: drop target (kubelb picks it) or set the KubeLB release that runs kgateway-v2.1"},
		{"unknown kubelb", head + "  kubelb: \"2.0\"\n" + route, "f.yaml:4:11: spec.kubelb: invalid KubeLB version \"2.0\": want 1.MINOR, e.g. 1.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("f.yaml", []byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			g := f.Gateway
			Default(&g)
			got := ""
			if err := Check(&g); err != nil {
				got = f.Locate(err).Error()
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
