#!/usr/bin/env bash
# stop.sh STATE_DIR
#
# Stops the kube-apiserver and etcd that hack/testcluster/start.sh started for
# STATE_DIR: exactly the recorded PIDs, and only while each still runs the
# binary it was started as. SIGTERM first, SIGKILL after 15 seconds. The state
# directory itself is kept (logs); delete it yourself if you like.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
state=$1
[ -d "$state" ] || { echo "stop.sh: $state does not exist; nothing to stop" >&2; exit 0; }

stop_one() { # pidfile binary-name
	local pidfile=$state/$1 name=$2 pid exe
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	case $pid in '' | *[!0-9]*) rm -f "$pidfile"; return 0 ;; esac
	if ! kill -0 "$pid" 2>/dev/null; then
		rm -f "$pidfile"
		return 0
	fi
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
	exe=${exe% (deleted)}
	if [ "${exe##*/}" != "$name" ]; then
		echo "stop.sh: pid $pid runs '${exe:-?}', not $name; leaving it alone" >&2
		rm -f "$pidfile"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "stop.sh: $name (pid $pid) ignored SIGTERM; sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null
		sleep 0.2
	fi
	echo "stop.sh: stopped $name (pid $pid)" >&2
	rm -f "$pidfile"
}

# The API server first, so it does not log etcd connection errors meanwhile.
stop_one apiserver.pid kube-apiserver
stop_one etcd.pid etcd

# The watcher start.sh runs for TESTCLUSTER_WATCH_PID (a bash loop named
# testcluster-watch); it would also end by itself within two seconds.
if [ -s "$state/watch.pid" ]; then
	pid=$(cat "$state/watch.pid")
	if [ "$pid" != "$PPID" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "testcluster-watch"; then
		kill -TERM "$pid" 2>/dev/null
	fi
	rm -f "$state/watch.pid"
fi
exit 0
