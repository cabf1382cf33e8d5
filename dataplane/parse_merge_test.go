package dataplane

import (
	"encoding/json"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Two policies on one route: the rules of the one with rules, and each
// direction's webhook of whichever sets it (the later one when both do).
func TestMergePoliciesKeepsWebhooks(t *testing.T) {
	hook := func(host string) *spec.Webhook { return &spec.Webhook{Host: host, Port: 80} }
	rules := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"SSN"}}},
		Webhook: &spec.GuardWebhooks{Response: hook("old")}}}
	hooks := &spec.Policies{PromptGuard: &spec.PromptGuard{Webhook: &spec.GuardWebhooks{Request: hook("new")}}}
	for _, order := range [][2]*spec.Policies{{rules, hooks}, {hooks, rules}} {
		got, _ := json.Marshal(MergePolicies(MergePolicies(nil, order[0]), order[1]).PromptGuard)
		const want = `{"request":[{"action":"mask","builtins":["SSN"]}],"webhook":{"request":{"host":"new","port":80},"response":{"host":"old","port":80}}}`
		if string(got) != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
