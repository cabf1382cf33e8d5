#!/usr/bin/env bash
# start.sh [CACHE_DIR] [STATE_DIR]
#
# Starts a throw-away Kubernetes control plane (etcd + kube-apiserver, no
# controllers, no nodes) on 127.0.0.1 for tests that need the real API
# server's validation, e.g. test/agreement.
#
#   CACHE_DIR  where the binaries are built and kept
#              (default: ${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/testcluster)
#   STATE_DIR  this instance's data, logs, keys, kubeconfig and env file
#              (default: CACHE_DIR/run)
#
# stdout: the kubeconfig path, nothing else. Progress goes to stderr.
# STATE_DIR/env can be sourced: KUBECONFIG, PATH (kubectl), TESTCLUSTER_*.
# Stop it with hack/testcluster/stop.sh STATE_DIR.
#
# Environment:
#   CRD_DIRS           colon-separated directories whose CRDs are installed
#                      (after the Gateway API CRDs), e.g. a data plane's CRDs
#   GATEWAY_API_CRDS   directory of Gateway API CRDs (default: the bundle the
#                      newest KubeLB release installs, the repository's
#                      schemas/crds/gateway-api/v1.5.1/standard); "none"
#                      installs none
#   KUBE_VERSION       k8s.io/kubernetes version to build (default v1.36.3)
#   ETCD_VERSION       go.etcd.io/etcd/server/v3 version to build (default v3.7.3)
#   TESTCLUSTER_WATCH_PID
#                      if set, a watcher stops the cluster once that process
#                      (e.g. a test binary) has exited, even if it never ran
#                      stop.sh
#
# Both binaries come from the Go module proxy (GOPROXY), built with the local
# Go toolchain; nothing is fetched from anywhere else. A cold build takes
# 7-10 minutes on two cores (and ~3.5 GB of Go caches), later starts about
# ten seconds. If a healthy
# instance already runs for STATE_DIR it is reused as it is (CRD_DIRS are not
# applied to it again).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

cache=${1:-}
[ -n "$cache" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubelb-ai/testcluster
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
state=${2:-$cache/run}
mkdir -p "$state"
state=$(cd "$state" && pwd)

KUBE_VERSION=${KUBE_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.7.3}
GATEWAY_API_CRDS=${GATEWAY_API_CRDS:-$repo/schemas/crds/gateway-api/v1.5.1/standard}

say() { printf '[testcluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

for tool in go curl openssl flock; do
	command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done

# ---- processes: remember what this run started and stop exactly that on failure
started=()
on_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "${#started[@]}" -gt 0 ]; then
		say "start failed (exit $rc); stopping what this run started"
		"$here/stop.sh" "$state" >&2 || true
	fi
}
trap on_exit EXIT

running() { # pidfile
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

readyz() { # prints nothing, succeeds when the API server answers /readyz with ok
	[ -s "$state/server" ] && [ -s "$state/pki/serving.crt" ] || return 1
	curl --silent --fail --max-time 3 --cacert "$state/pki/serving.crt" \
		-H "Authorization: Bearer $(cat "$state/pki/token")" \
		"$(cat "$state/server")/readyz" 2>/dev/null | grep -qx ok
}

if running "$state/apiserver.pid" && running "$state/etcd.pid" && [ -s "$state/kubeconfig" ] && readyz; then
	say "reusing the instance in $state"
	echo "$state/kubeconfig"
	exit 0
fi
if running "$state/apiserver.pid" || running "$state/etcd.pid"; then
	fail "an unhealthy instance runs for $state; run hack/testcluster/stop.sh $state first"
fi

t0=$(date +%s)

# ---- binaries (built once per version; a lock keeps parallel starts from racing)
# Builds run in a generated module of their own so that neither this
# repository's go.mod nor a go.work applies.
export GOWORK=off GOFLAGS=-modcacherw GOTOOLCHAIN=${GOTOOLCHAIN:-local}
bin_dir=$cache/bin/kubernetes-$KUBE_VERSION
apiserver=$bin_dir/kube-apiserver
kubectl=$bin_dir/kubectl
etcd=$cache/bin/etcd-$ETCD_VERSION/etcd

build_etcd() {
	local dir=$cache/src/etcd-$ETCD_VERSION
	say "building etcd $ETCD_VERSION (cold: about 1-3 minutes)"
	rm -rf "$dir" && mkdir -p "$dir"
	(
		cd "$dir"
		printf 'module kubelbai.local/testcluster/etcd\n\ngo 1.26.0\n' >go.mod
		# etcd's server module has replace directives, so `go install pkg@v`
		# refuses it; a tool requirement of a local module works.
		go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
		go build -trimpath -ldflags='-s -w' -o "$etcd.new" go.etcd.io/etcd/server/v3 >&2
	)
	mv "$etcd.new" "$etcd"
}

build_kube() {
	local dir=$cache/src/kubernetes-$KUBE_VERSION modfile goline staging minor
	say "building kube-apiserver and kubectl $KUBE_VERSION (cold: about 6-10 minutes)"
	rm -rf "$dir" && mkdir -p "$dir"
	(
		cd "$dir"
		printf 'module kubelbai.local/testcluster/probe\n\ngo 1.26.0\n' >go.mod
		modfile=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
		[ -s "$modfile" ] || { echo "could not download k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
		goline=$(awk '$1 == "go" { print $2; exit }' "$modfile")
		# k8s.io/kubernetes requires its staging repositories as v0.0.0 and
		# replaces them with local paths; a consumer has to point each one at
		# the published module of the same release, v0.<minor>.<patch>.
		staging=v0.${KUBE_VERSION#v1.}
		minor=${KUBE_VERSION#v1.}
		minor=${minor%%.*}
		{
			printf 'module kubelbai.local/testcluster/kubernetes\n\ngo %s\n\n' "$goline"
			printf 'require k8s.io/kubernetes %s\n\n' "$KUBE_VERSION"
			awk -v v="$staging" '
				$1 ~ /^k8s\.io\// && $2 == "v0.0.0" && !seen[$1]++ { printf "replace %s => %s %s\n", $1, $1, v }
			' "$modfile"
			printf '\ntool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kubectl\n)\n'
		} >go.mod
		go mod tidy >&2
		ld="-s -w"
		for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
			ld="$ld -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
		done
		mkdir -p out
		go build -trimpath -ldflags="$ld" -o out/ k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl >&2
	)
	mv "$dir/out/kube-apiserver" "$apiserver"
	mv "$dir/out/kubectl" "$kubectl"
}

mkdir -p "$bin_dir" "${etcd%/*}"
(
	flock 9
	[ -x "$etcd" ] || build_etcd
	{ [ -x "$apiserver" ] && [ -x "$kubectl" ]; } || build_kube
) 9>"$cache/.build.lock"
t_build=$(date +%s)

# ---- keys: a service-account signing key and a static admin token. The
# serving certificate is self-signed by kube-apiserver itself (--cert-dir).
pki=$state/pki
mkdir -p "$pki"
chmod 700 "$pki"
if [ ! -s "$pki/sa.key" ]; then
	openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
	openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
fi
if [ ! -s "$pki/token" ]; then
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pki/token"
	printf '%s,testcluster-admin,testcluster-admin,"system:masters"\n' "$(cat "$pki/token")" >"$pki/tokens.csv"
fi
chmod 600 "$pki"/*
rm -f "$pki/apiserver.crt" "$pki/apiserver.key" "$pki/serving.crt"

# ---- ports: random free loopback ports (a listener on 127.0.0.1 answers a connect)
# Below the kernel's ephemeral range: a port an outgoing connection holds
# answers no connect but cannot be bound either.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
taken=" "
ephemeral_low=32768
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
port_low=10000 port_high=$((ephemeral_low - 1))
if [ "$port_high" -le $((port_low + 1000)) ]; then port_low=20000 port_high=30000; fi
pick_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((port_low + RANDOM % (port_high - port_low)))
		case $taken in *" $p "*) continue ;; esac
		if ! in_use "$p"; then
			taken="$taken$p "
			echo "$p"
			return 0
		fi
	done
	return 1
}
etcd_port=$(pick_port) || fail "no free port"
peer_port=$(pick_port) || fail "no free port"
api_port=$(pick_port) || fail "no free port"

wait_for() { # what seconds pidfile log command...
	local what=$1 secs=$2 pidfile=$3 log=$4
	shift 4
	local deadline=$(($(date +%s) + secs))
	until "$@"; do
		if ! running "$pidfile"; then
			tail -n 25 "$log" >&2 || true
			fail "$what exited during startup (log: $log)"
		fi
		[ "$(date +%s)" -lt "$deadline" ] || { tail -n 25 "$log" >&2 || true; fail "$what not ready after ${secs}s (log: $log)"; }
		sleep 0.25
	done
}

# ---- etcd (fresh data on every start; new ports if one was taken meanwhile)
start_etcd() {
	rm -rf "$state/etcd"
	setsid "$etcd" \
		--name=testcluster --data-dir="$state/etcd" \
		--listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
		--listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
		--initial-cluster="testcluster=http://127.0.0.1:$peer_port" \
		--listen-metrics-urls="" \
		--unsafe-no-fsync --log-level=error \
		>"$state/etcd.log" 2>&1 </dev/null &
	echo $! >"$state/etcd.pid"
}
for attempt in 1 2 3; do
	start_etcd
	sleep 0.5
	if running "$state/etcd.pid" || ! grep -q "address already in use" "$state/etcd.log"; then
		break
	fi
	say "etcd's port was taken (attempt $attempt); picking others"
	etcd_port=$(pick_port) || fail "no free port"
	peer_port=$(pick_port) || fail "no free port"
done
started+=(etcd)
if [ -n "${TESTCLUSTER_WATCH_PID:-}" ]; then
	# Stops the cluster once TESTCLUSTER_WATCH_PID is gone; it ends by itself
	# once stop.sh has removed etcd.pid.
	setsid bash -c 'while kill -0 "$1" 2>/dev/null; do [ -e "$2/etcd.pid" ] || exit 0; sleep 2; done; "$3" "$2"' \
		testcluster-watch "$TESTCLUSTER_WATCH_PID" "$state" "$here/stop.sh" >>"$state/watch.log" 2>&1 </dev/null &
	echo $! >"$state/watch.pid"
fi
etcd_healthy() { curl --silent --max-time 2 "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"'; }
wait_for etcd 30 "$state/etcd.pid" "$state/etcd.log" etcd_healthy
say "etcd ready on 127.0.0.1:$etcd_port (pid $(cat "$state/etcd.pid"))"

# ---- kube-apiserver
echo "https://127.0.0.1:$api_port" >"$state/server"
setsid "$apiserver" \
	--etcd-servers="http://127.0.0.1:$etcd_port" \
	--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
	--cert-dir="$pki" \
	--token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC \
	--service-account-issuer="https://127.0.0.1:$api_port" \
	--service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
	--service-cluster-ip-range=10.96.0.0/24 --endpoint-reconciler-type=none \
	--disable-admission-plugins=ServiceAccount \
	--profiling=false --enable-priority-and-fairness=false \
	>"$state/apiserver.log" 2>&1 </dev/null &
echo $! >"$state/apiserver.pid"
started+=(kube-apiserver)
# The self-signed bundle (server certificate + its CA) appears before the
# server listens; copy it so a later restart's regeneration cannot race us.
have_cert() { [ -s "$pki/apiserver.crt" ] && cp "$pki/apiserver.crt" "$pki/serving.crt"; }
wait_for kube-apiserver 60 "$state/apiserver.pid" "$state/apiserver.log" have_cert
wait_for kube-apiserver 120 "$state/apiserver.pid" "$state/apiserver.log" readyz
say "kube-apiserver $KUBE_VERSION ready on https://127.0.0.1:$api_port (pid $(cat "$state/apiserver.pid"))"

# ---- kubeconfig and env
(
	umask 077
	cat >"$state/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testcluster
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(base64 -w0 <"$pki/serving.crt")
users:
- name: testcluster-admin
  user:
    token: $(cat "$pki/token")
contexts:
- name: testcluster
  context:
    cluster: testcluster
    user: testcluster-admin
    namespace: default
current-context: testcluster
EOF
)
cat >"$state/env" <<EOF
export KUBECONFIG="$state/kubeconfig"
export PATH="$bin_dir:\$PATH"
export TESTCLUSTER_SERVER="https://127.0.0.1:$api_port"
export TESTCLUSTER_STATE="$state"
export TESTCLUSTER_KUBE_VERSION="$KUBE_VERSION"
export TESTCLUSTER_ETCD_VERSION="$ETCD_VERSION"
EOF
t_up=$(date +%s)

# ---- CRDs: only CustomResourceDefinition documents are applied (the Gateway
# API release's ValidatingAdmissionPolicy and anything else are left out).
crd_files=$state/crds
rm -rf "$crd_files" && mkdir -p "$crd_files"
collect() { # dir
	local dir=$1 f n=0
	[ -d "$dir" ] || fail "CRD directory $dir does not exist"
	while IFS= read -r f; do
		n=$((n + 1))
		awk -v out="$crd_files/$(printf '%03d' "$(ls "$crd_files" | wc -l)")-" '
			function flush() { if (doc != "" && doc ~ /(^|\n)kind:[ \t]*CustomResourceDefinition[ \t]*(\n|$)/) { k++; f = out k ".yaml"; printf "%s", doc > f; close(f) } doc = "" }
			/^---/ { flush(); next }
			{ doc = doc $0 "\n" }
			END { flush() }
		' "$f"
	done < <(find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort)
	[ "$n" -gt 0 ] || fail "no YAML files in $dir"
}
[ "$GATEWAY_API_CRDS" = none ] || collect "$GATEWAY_API_CRDS"
IFS=: read -r -a extra <<<"${CRD_DIRS:-}"
for d in "${extra[@]}"; do
	[ -n "$d" ] && collect "$d"
done
ncrd=$(ls "$crd_files" | wc -l)
if [ "$ncrd" -gt 0 ]; then
	k=("$kubectl" --kubeconfig="$state/kubeconfig")
	"${k[@]}" apply --server-side --field-manager=kubelb-ai-testcluster --force-conflicts -f "$crd_files" >"$state/crds.log" 2>&1 ||
		{ cat "$state/crds.log" >&2; fail "installing CRDs failed"; }
	"${k[@]}" wait --for=condition=Established --timeout=120s crd --all >>"$state/crds.log" 2>&1 ||
		{ cat "$state/crds.log" >&2; fail "CRDs not Established"; }
fi
t_end=$(date +%s)
say "$ncrd CRDs established; build $((t_build - t0))s, start $((t_up - t_build))s, CRDs $((t_end - t_up))s, total $((t_end - t0))s"
say "stop with: hack/testcluster/stop.sh $state"
started=()
echo "$state/kubeconfig"
