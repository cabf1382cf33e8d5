package dataplane

import "testing"

// agentgateway's randomSampling is CEL that evaluates to a share or a
// boolean; only constants read back as a Spec share.
func TestSamplingLiteral(t *testing.T) {
	cases := map[string]struct {
		r  float64
		ok bool
	}{
		"0.25": {0.25, true}, " 1.0 ": {1, true}, "1": {1, true}, "true": {1, true}, "false": {0, true},
		"1.5": {0, false}, "-0.1": {0, false}, "random() < 0.1": {0, false}, `request.headers["x"] == "1"`: {0, false},
	}
	for expr, c := range cases {
		r, ok := samplingLiteral(expr)
		if ok != c.ok || ok && r != c.r {
			t.Errorf("samplingLiteral(%q) = %v, %v; want %v, %v", expr, r, ok, c.r, c.ok)
		}
	}
}

func TestPercent(t *testing.T) {
	for r, want := range map[float64]int{0: 0, 0.05: 5, 0.07: 7, 0.29: 29, 0.57: 57, 1: 100} {
		if got := percent(r); got != want {
			t.Errorf("percent(%v) = %d, want %d", r, got, want)
		}
	}
}
