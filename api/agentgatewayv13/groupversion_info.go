package agentgatewayv13

const (
	// GroupName is the API group of the agentgateway resources.
	GroupName = "agentgateway.dev"
	// Version is the only API version these types model.
	Version = "v1alpha1"

	// KindAgentgatewayBackend is the kind of AgentgatewayBackend objects.
	KindAgentgatewayBackend = "AgentgatewayBackend"
	// KindAgentgatewayPolicy is the kind of AgentgatewayPolicy objects.
	KindAgentgatewayPolicy = "AgentgatewayPolicy"
	// KindAgentgatewayParameters is the kind of AgentgatewayParameters objects.
	KindAgentgatewayParameters = "AgentgatewayParameters"
)
