package agentgatewayv14

const (
	// GroupName is the API group of the agentgateway resources.
	GroupName = "agentgateway.dev"
	// Version is the only API version these types model.
	Version = "v1alpha1"
)
