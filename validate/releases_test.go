package validate

import (
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Each document of testdata/releases is valid by some releases' CRDs and
// not by others': validate judges each by the release it is asked for, and
// a refusal names the release that would accept it.
func TestVerdictsFollowTheRelease(t *testing.T) {
	for _, tc := range []struct {
		file, target string
		versions     templates.CRDVersions
		want         string // "" for valid, else a substring of the findings
	}{
		// spec.a2a is new in agentgateway v1.3.1 (the false error).
		{"a2a-backend.yaml", "agentgateway", templates.CRDVersions{KubeLB: "1.5"}, ""},
		{"a2a-backend.yaml", "agentgateway", templates.CRDVersions{DataPlane: "v1.4.1"}, ""},
		{"a2a-backend.yaml", "agentgateway", templates.CRDVersions{KubeLB: "1.4"},
			`unknown field "spec.a2a" [unknown-field] fix: spec.a2a is a field of agentgateway v1.4.1 (--data-plane-version v1.4.1), agentgateway v1.3.1 (--kubelb-version 1.5)`},
		// AgentgatewayModel is a kind of v1.4.1 only.
		{"model.yaml", "agentgateway", templates.CRDVersions{DataPlane: "v1.4.1"}, ""},
		{"model.yaml", "agentgateway", templates.CRDVersions{KubeLB: "1.5"},
			"AgentgatewayModel is a kind of agentgateway v1.4.1; agentgateway v1.3.1 does not have it [unknown-kind] fix: if the cluster runs agentgateway v1.4.1, validate with --data-plane-version v1.4.1"},
		// InferencePools are judged by the Inference Extension release the
		// data plane was built against.
		{"inferencepool.yaml", "agentgateway", templates.CRDVersions{}, ""},
		{"inferencepool.yaml", "kgateway-v2.1", templates.CRDVersions{}, ""},
		{"inferencepool-no-picker.yaml", "agentgateway", templates.CRDVersions{DataPlane: "v1.4.1"}, `inferencepool-no-picker.yaml:8:1: error: Required value`},
		{"inferencepool-v1alpha2.yaml", "kgateway-v2.0", templates.CRDVersions{}, ""},
		{"inferencepool-v1alpha2.yaml", "kgateway-v2.1", templates.CRDVersions{}, ""},
		// rules: [] is valid up to Gateway API v1.4.1.
		{"empty-rules.yaml", "kgateway-v2.0", templates.CRDVersions{}, ""},
		{"empty-rules.yaml", "kgateway-v2.1", templates.CRDVersions{}, ""},
		{"empty-rules.yaml", "kgateway-v2.1", templates.CRDVersions{GatewayAPI: "v1.5.1"}, "spec.rules"},
		{"empty-rules.yaml", "agentgateway", templates.CRDVersions{KubeLB: "1.4"}, "spec.rules"},
		{"empty-rules.yaml", "agentgateway", templates.CRDVersions{GatewayAPI: "v1.4.1"}, ""},
		// The ExternalAuth filter is experimental.
		{"externalauth-filter.yaml", "agentgateway", templates.CRDVersions{Channel: "experimental"}, ""},
		{"externalauth-filter.yaml", "agentgateway", templates.CRDVersions{},
			`unknown field "spec.rules[0].filters[0].externalAuth" [unknown-field] fix: spec.rules[0].filters[0].externalAuth is a field of Gateway API v1.6.1 experimental (--gateway-api-version v1.6.1 --gateway-api-channel experimental), Gateway API v1.5.1 experimental (--gateway-api-channel experimental)`},
	} {
		r := validatorFor(t, tc.target, tc.versions).Validate(t.Context(), loader.Load([]string{"testdata/releases/" + tc.file}, nil))
		var errs []Finding
		for _, f := range r.Findings {
			if f.Severity == SeverityError {
				errs = append(errs, f)
			}
		}
		got := findingsText(&Report{Findings: errs})
		name := tc.file + " on " + tc.target + " (" + r.CRDs.String() + ")"
		switch {
		case r.Documents != 1:
			t.Errorf("%s: %d documents", name, r.Documents)
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%s: want valid, got\n%s", name, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: want a finding with %q, got\n%s", name, tc.want, got)
		}
	}
}

// The report names the releases that judged.
func TestReportNamesTheReleases(t *testing.T) {
	for versions, want := range map[templates.CRDVersions]string{
		{}:              "KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1",
		{KubeLB: "1.4"}: "KubeLB 1.4: agentgateway v1.1.0, Gateway API v1.5.1",
		{DataPlane: "v1.4.1", GatewayAPI: "v1.6.1"}: "agentgateway v1.4.1, Gateway API v1.6.1",
	} {
		r := validatorFor(t, "agentgateway", versions).Validate(t.Context(), loader.Load([]string{"testdata/releases/a2a-backend.yaml"}, nil))
		if got := r.CRDs.String(); got != want {
			t.Errorf("%+v: report says %q, want %q", versions, got, want)
		}
	}
}

// With --target auto, manifests that use a kind of a newer release are
// judged by the oldest release that has all their kinds.
func TestAutoPicksTheReleaseTheKindsNeed(t *testing.T) {
	for file, want := range map[string]string{"model.yaml": "v1.4.1", "a2a-backend.yaml": "v1.3.1"} {
		r, err := Auto(t.Context(), loader.Load([]string{"testdata/releases/" + file}, nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.CRDs.DataPlane != want || r.Errors() > 0 {
			t.Errorf("%s: judged by %s with %d errors, want %s and none:\n%s", file, r.CRDs, r.Errors(), want, findingsText(r))
		}
	}
	in := loader.Load([]string{"testdata/releases/model.yaml"}, nil)
	for _, v := range []templates.CRDVersions{{KubeLB: "1.5"}, {DataPlane: "v1.3.1"}} {
		if got := releaseFor(templates.Agentgateway, in, v); got != v {
			t.Errorf("an explicit release %+v was overridden by the kinds: %+v", v, got)
		}
	}
}
