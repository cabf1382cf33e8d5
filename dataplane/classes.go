package dataplane

// OtherClass is a Gateway class a data plane's controller serves besides
// its own (templates.Target.GatewayClass), and what validate warns about
// it.
type OtherClass struct {
	Class string
	// Translates: the class's data plane translates between providers, so
	// a Backend it serves may fail over across provider types.
	Translates   bool
	Message, Fix string
}

// kgateway v2.1 has two GatewayClasses, kgateway (Envoy, controller
// kgateway.dev/kgateway) and agentgateway (controller
// kgateway.dev/agentgateway), the second installed when kgateway's chart
// sets agentgateway.enabled; it serves the same gateway.kgateway.dev
// Backends and, unlike the Envoy AI extension, fails over between provider
// types (kgateway v2.1 release notes, "AI Backend API changes"; MCP and
// bedrock backends work only there). KubeLB 1.3's kubelb-addons chart
// (v0.3.x) installs kgateway v2.1.2 with kgateway.agentgateway.enabled:
// false, so the class exists only where the admin turned it on: the honest
// warning is that, not that the class serves nothing. kgateway v2.0 has no
// such class (its GatewayParameters have no kube.agentgateway).
var kgateway21Agentgateway = OtherClass{
	Class:      "agentgateway",
	Translates: true,
	Message:    "class agentgateway is kgateway v2.1's agentgateway data plane, which serves these Backends only where kgateway's chart sets agentgateway.enabled: true; KubeLB 1.3's kubelb-addons chart installs kgateway with agentgateway.enabled: false",
	Fix:        "if the cluster has GatewayClass agentgateway (kubelb-addons values kgateway.agentgateway.enabled: true), keep it and --disable gateway-class; else use gatewayClassName: kgateway",
}

func (kgateway20) OtherClass() (OtherClass, bool)   { return OtherClass{}, false }
func (kgateway21) OtherClass() (OtherClass, bool)   { return kgateway21Agentgateway, true }
func (agentgateway) OtherClass() (OtherClass, bool) { return OtherClass{}, false }
