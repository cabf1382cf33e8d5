// Package sdk drives `kubelb-ai serve` with the providers' own Go SDKs
// (openai-go, anthropic-sdk-go) against fake providers. It is a module of
// its own because the SDKs are slow to build: `make test-sdk` runs it, and
// then TestNodeSDKs, which drives serve with the Node SDKs pinned in node/
// (openai, @anthropic-ai/sdk, the Vercel AI SDK) once make has installed
// them.
package sdk
