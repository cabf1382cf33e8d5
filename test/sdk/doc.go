// Package sdk drives `kubelb-ai serve` with the providers' own Go SDKs
// (openai-go, anthropic-sdk-go) against fake providers. It is a module of
// its own because the SDKs are slow to build: `make test-sdk` runs it.
package sdk
