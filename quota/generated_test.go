package quota

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// The rate-limit service's configuration generate renders (the
// ratelimit-config ConfigMap of the golden manifests) is one this package
// reads, and limits what the Spec says: 1000 requests a day per client on
// route openai of clients-apikeys.
func TestGeneratedConfigMaps(t *testing.T) {
	files, _ := filepath.Glob("../testdata/golden/*/clients-*.yaml")
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var cm struct {
				Kind string            `json:"kind"`
				Data map[string]string `json:"data"`
			}
			if err := yaml.Unmarshal([]byte(doc), &cm); err != nil || cm.Kind != "ConfigMap" {
				continue
			}
			found++
			cfg, err := ParseConfig([]byte(cm.Data["config.yaml"]))
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if !strings.HasSuffix(f, "agentgateway/clients-apikeys.yaml") {
				continue
			}
			now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
			m := NewMemory(cfg, func() time.Time { return now })
			alice := [][]Entry{{{Key: "route", Value: "openai"}, {Key: "client", Value: "alice"}}}
			for i := 1; i <= 1001; i++ {
				r, err := m.ShouldRateLimit(context.Background(), cfg.Domain, alice, 1)
				if err != nil {
					t.Fatal(err)
				}
				if want := OK; i == 1001 {
					want = OverLimit
					if r.Code != want {
						t.Errorf("request %d: %v, want %v", i, r.Code, want)
					}
				} else if r.Code != want {
					t.Fatalf("request %d: %v, want %v", i, r.Code, want)
				}
			}
			ci := [][]Entry{{{Key: "route", Value: "openai"}, {Key: "client", Value: "ci"}}}
			if r, _ := m.ShouldRateLimit(context.Background(), cfg.Domain, ci, 1); r.Code != OK {
				t.Errorf("another client is limited by alice's count: %v", r.Code)
			}
		}
	}
	if found < 3 {
		t.Errorf("found %d ConfigMaps in the clients goldens", found)
	}
}
