// Package mcp drives real MCP servers with the MCP SDKs' own clients. It is
// a module of its own so the SDKs stay out of kubelb-ai's dependencies:
// `make test-mcp` installs the servers (make mcp-tools) and runs it. These
// are the direct baselines that serve's MCP gateway is compared to.
package mcp
