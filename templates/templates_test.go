package templates

import "testing"

func TestCatalogCoversEveryProviderOfEveryTarget(t *testing.T) {
	for _, tg := range Targets() {
		for _, p := range tg.Providers {
			if _, ok := LookupProvider(p); !ok {
				t.Errorf("target %s lists provider %q that the catalog lacks", tg.Name, p)
			}
		}
	}
	if got := len(ProviderKinds()); got != 8 {
		t.Errorf("catalog has %d providers, want the 8 of the command-line contract", got)
	}
	for _, p := range Providers() {
		if p.Host == "" || p.Port == 0 || p.Path == "" || p.Format == "" {
			t.Errorf("provider %s lacks host, port, path or format", p.Kind)
		}
		if !p.NoKey && p.APIKeyEnv == "" {
			t.Errorf("provider %s needs a key but has no default variable", p.Kind)
		}
	}
}

func TestTargetForKubeLB(t *testing.T) {
	for in, want := range map[string]string{
		"1.2": KgatewayV20, "v1.2.1": KgatewayV20, "1.3": KgatewayV21,
		"1.4": Agentgateway, "1.5": Agentgateway, "1.9": Agentgateway,
	} {
		got, err := TargetForKubeLB(in)
		if err != nil || got.Name != want {
			t.Errorf("TargetForKubeLB(%q) = %q, %v; want %q", in, got.Name, err, want)
		}
	}
	for _, bad := range []string{"1.1", "2.0", "one", "", "1"} {
		if _, err := TargetForKubeLB(bad); err == nil {
			t.Errorf("TargetForKubeLB(%q) succeeded, want an error", bad)
		}
	}
}

func TestDefaultTargetIsKgatewayV21(t *testing.T) {
	if got := DefaultTarget().Name; got != KgatewayV21 {
		t.Fatalf("default target %s, want %s (DESIGN §6)", got, KgatewayV21)
	}
	if _, err := LookupTarget("kgateway-v3"); err == nil {
		t.Fatal("unknown target accepted")
	}
}
