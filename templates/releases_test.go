package templates

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated table in docs/validate.md")

// releaseTable renders the kubelb table of targets.yaml for the docs.
func releaseTable() string {
	var b strings.Builder
	b.WriteString("| KubeLB | target | data plane CRDs | Gateway API CRDs |\n|---|---|---|---|\n")
	inTable := map[string]bool{}
	for _, r := range Releases() {
		t, _ := LookupTarget(r.Target)
		fmt.Fprintf(&b, "| %s | `%s` | %s %s | %s |\n", r.KubeLB, r.Target, t.CRDs.Project, r.DataPlane, r.GatewayAPI)
		inTable[t.CRDs.Project+" "+r.DataPlane] = true
	}
	var more []string
	for _, t := range Targets() {
		for _, v := range t.CRDs.Releases {
			if !inTable[t.CRDs.Project+" "+v] {
				more = append(more, t.CRDs.Project+" "+v)
			}
		}
	}
	fmt.Fprintf(&b, "\nAlso embedded, for `--data-plane-version` and `--gateway-api-version`: %s; Gateway API %s. Each Gateway API bundle comes in its %s channels.\n",
		strings.Join(more, ", "), strings.Join(GatewayAPIVersions(), ", "), strings.Join(GatewayAPIChannels, " and "))
	return b.String()
}

const (
	tableBegin = "<!-- releases: generated from templates/targets.yaml; go test ./templates -run TestReleaseTableInDocs -update -->\n"
	tableEnd   = "<!-- end releases -->\n"
)

// The docs' table of releases is the data, rendered.
func TestReleaseTableInDocs(t *testing.T) {
	const path = "../docs/validate.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := bytes.Index(doc, []byte(tableBegin)), bytes.Index(doc, []byte(tableEnd))
	if begin < 0 || end < begin {
		t.Fatalf("%s has no generated release table (markers %q ... %q)", path, tableBegin, tableEnd)
	}
	got := string(doc[begin+len(tableBegin) : end])
	want := releaseTable()
	if got == want {
		return
	}
	if *update {
		out := slices.Concat(doc[:begin+len(tableBegin)], []byte(want), doc[end:])
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's release table is stale; rerun with -update and review:\n%s", path, want)
}

func TestCRDVersionsResolve(t *testing.T) {
	for _, tc := range []struct {
		target string
		in     CRDVersions
		want   string // String() of the result, or "error: ..." substring
	}{
		{"agentgateway", CRDVersions{}, "KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1"},
		{"agentgateway", CRDVersions{KubeLB: "1.4"}, "KubeLB 1.4: agentgateway v1.1.0, Gateway API v1.5.1"},
		{"agentgateway", CRDVersions{KubeLB: "v1.4.3"}, "KubeLB 1.4: agentgateway v1.1.0, Gateway API v1.5.1"},
		{"agentgateway", CRDVersions{KubeLB: "1.9"}, "KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1"},
		{"kgateway-v2.0", CRDVersions{}, "KubeLB 1.2: kgateway v2.0.5, Gateway API v1.3.0"},
		{"kgateway-v2.1", CRDVersions{}, "KubeLB 1.3: kgateway v2.1.2, Gateway API v1.4.1"},
		{"agentgateway", CRDVersions{DataPlane: "v1.4.1", GatewayAPI: "v1.6.1"}, "agentgateway v1.4.1, Gateway API v1.6.1"},
		{"agentgateway", CRDVersions{KubeLB: "1.5", DataPlane: "v1.3.1"}, "KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1"},
		{"kgateway-v2.1", CRDVersions{Channel: "experimental"}, "KubeLB 1.3: kgateway v2.1.2, Gateway API v1.4.1 experimental"},
		{"kgateway-v2.1", CRDVersions{KubeLB: "1.4"}, "error: KubeLB 1.4 runs agentgateway, not kgateway-v2.1"},
		{"kgateway-v2.1", CRDVersions{DataPlane: "v1.3.1"}, "error: kgateway-v2.1 has no release v1.3.1 here: known are v2.1.2"},
		{"agentgateway", CRDVersions{GatewayAPI: "v1.2.0"}, "error: no Gateway API release v1.2.0 here: known are v1.3.0, v1.4.1, v1.5.1, v1.6.1"},
		{"agentgateway", CRDVersions{Channel: "Experimental"}, `error: no Gateway API channel "Experimental"`},
		{"agentgateway", CRDVersions{KubeLB: "1.1"}, "error: KubeLB 1.1 has no AI gateway"},
		{"nope", CRDVersions{}, `error: unknown target "nope"`},
	} {
		got, err := tc.in.Resolve(tc.target)
		s := got.String()
		if err != nil {
			s = "error: " + err.Error()
		}
		if !strings.HasPrefix(s, tc.want) {
			t.Errorf("%+v.Resolve(%s) = %q, want %q", tc.in, tc.target, s, tc.want)
		}
	}
}

func TestCRDVersionsTarget(t *testing.T) {
	for in, want := range map[CRDVersions]string{
		{}:                    "",
		{KubeLB: "1.2"}:       "kgateway-v2.0",
		{KubeLB: "1.5"}:       "agentgateway",
		{DataPlane: "v2.1.2"}: "kgateway-v2.1",
		{DataPlane: "v1.4.1"}: "agentgateway",
		{DataPlane: "v9"}:     "error",
	} {
		got, err := in.Target()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%+v.Target() = %q, want %q", in, got, want)
		}
	}
}

// Each KubeLB release names a target and versions that target and the
// embedded Gateway API list have, and every target has a release.
func TestReleaseTableIsConsistent(t *testing.T) {
	for _, r := range Releases() {
		if _, err := (CRDVersions{KubeLB: r.KubeLB}).Resolve(r.Target); err != nil {
			t.Errorf("KubeLB %s: %v", r.KubeLB, err)
		}
	}
	for _, tg := range Targets() {
		if len(tg.KubeLB) == 0 || tg.CRDs.Project == "" || len(tg.CRDs.Releases) == 0 {
			t.Errorf("target %s: no KubeLB release or no CRD releases", tg.Name)
		}
	}
}

func TestPairings(t *testing.T) {
	var got []string
	for _, tg := range TargetNames() {
		p, err := Pairings(tg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p {
			got = append(got, v.String())
		}
	}
	want := []string{
		"KubeLB 1.2: kgateway v2.0.5, Gateway API v1.3.0",
		"KubeLB 1.3: kgateway v2.1.2, Gateway API v1.4.1",
		"KubeLB 1.4: agentgateway v1.1.0, Gateway API v1.5.1",
		"KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1",
		"agentgateway v1.4.1, Gateway API v1.6.1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("pairings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
