package generate

import "github.com/kubelb-ai/kubelb-ai/spec"

// tracing takes a policy's collector as the Spec's tracing; the Spec has
// one collector, so a second policy's is reported and dropped. Whether
// content may be recorded is not in any manifest: it reads as false.
func (p *parser) tracing(id string, t *spec.Tracing) {
	s := &p.g.Spec
	if s.Observability != nil && s.Observability.Tracing != nil {
		p.issue(id, "a second tracing policy; the Spec has one collector (%s)", s.Observability.Tracing.Service)
		return
	}
	if s.Observability == nil {
		s.Observability = &spec.Observability{}
	}
	s.Observability.Tracing = t
}
