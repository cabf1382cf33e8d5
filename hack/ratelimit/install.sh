#!/usr/bin/env bash
# install.sh
#
# Installs the real components of the global rate-limit tests (package quota):
#   - redis-server, from Debian's packages (apt-get) when it is not on PATH;
#   - envoyproxy/ratelimit, built from the Go module proxy at a pinned
#     pseudo-version of its main branch (it has no recent tags), once, into
#     ${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/ratelimit/<version>/ratelimit.
#
# stdout: the ratelimit binary's path, nothing else. Progress goes to stderr.
# Tests find the binary at that path (internal/testenv.RateLimitBinary) or
# through $KUBELB_AI_RATELIMIT.
#
# Environment:
#   RATELIMIT_VERSION  module version to build (default: the pinned one below;
#                      internal/testenv pins the same one)
set -euo pipefail

RATELIMIT_VERSION=${RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/ratelimit/$RATELIMIT_VERSION
bin=$cache/ratelimit

say() { printf '[ratelimit %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! command -v redis-server >/dev/null; then
	say "installing redis-server (apt-get)"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
	# The package starts a system-wide instance on 6379; the tests start
	# their own on free ports and do not need it.
	if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
		systemctl stop redis-server >&2 || true
	fi
fi

if [ ! -x "$bin" ]; then
	say "building envoyproxy/ratelimit $RATELIMIT_VERSION (cold: 1-3 minutes)"
	mkdir -p "$cache"
	src=$(mktemp -d)
	trap 'rm -rf "$src"' EXIT
	(
		# A throwaway module that requires the exact version: `go install
		# pkg@version` needs the module's version list, which the proxy refuses.
		export GOWORK=off GOFLAGS=-modcacherw GOTOOLCHAIN=${GOTOOLCHAIN:-local}
		cd "$src"
		printf 'module kubelbai.local/ratelimit\n\ngo 1.26.0\n' >go.mod
		go get -tool "github.com/envoyproxy/ratelimit/src/service_cmd@$RATELIMIT_VERSION" >&2
		go build -trimpath -ldflags='-s -w' -o "$bin.new" github.com/envoyproxy/ratelimit/src/service_cmd >&2
	)
	mv "$bin.new" "$bin"
fi
echo "$bin"
