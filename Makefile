# kubelb-ai build, test and maintenance targets. `make help` lists them.
GO        ?= go
BIN       ?= bin
PREFIX    ?= $(shell $(GO) env GOPATH)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
TOOLS     := $(GO) tool -modfile=hack/tools/go.mod

.PHONY: help build install test test-apiserver test-sdk test-prism lint generate check-generated fuzz bench-generate bench-validate bench-apply bench-serve bench-mcp krew clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# Static, as the krew archives are: with cgo the linker exports every symbol
# (kustomize imports plugin) and start-up maps 25 MB more of the binary.
build: ## build bin/kubelb-ai and the kubectl plugin bin/kubectl-kubelb_ai
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kubelb-ai ./cmd/kubelb-ai
	cp $(BIN)/kubelb-ai $(BIN)/kubectl-kubelb_ai

install: build ## put kubelb-ai and kubectl-kubelb_ai into $(PREFIX)/bin (on PATH for Go users)
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/kubelb-ai $(BIN)/kubectl-kubelb_ai $(PREFIX)/bin/

test: ## run every test with the race detector
	$(GO) test -race -count=1 ./...

SHARED   ?= $(or $(KUBELB_AI_SHARED),../shared)
TESTCACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kubelb-ai/testcluster

test-apiserver: ## tests against a real kube-apiserver that hack/testcluster builds (~11 min cold, ~2 min warm)
	KUBELB_AI_APISERVER=1 $(GO) test -count=1 -timeout 45m -v -run '^(TestAgreement|TestCorpus)$$' ./test/agreement
	KUBELB_AI_APISERVER=1 $(GO) test -count=1 -timeout 20m ./cluster/...
	KUBELB_AI_APISERVER=1 $(GO) test -count=1 -timeout 10m -run '^TestClusterCommands$$' ./cmd/kubelb-ai
	@state=$$(mktemp -d) && trap 'hack/testcluster/stop.sh '"$$state"' >/dev/null 2>&1; rm -rf '"$$state" EXIT && \
	  kubeconfig=$$(GATEWAY_API_CRDS=schemas/crds/gateway-api/v1.4.1/standard CRD_DIRS=$(SHARED)/crds/kgateway/v2.1.2 hack/testcluster/start.sh $(TESTCACHE) $$state) && \
	  KUBELB_AI_TEST_KUBECONFIG=$$kubeconfig $(GO) test -count=1 -v -run '^(TestValidateCRDsFromCluster|TestInitDetectsTarget)$$' ./cmd/kubelb-ai

.PHONY: ratelimit-tools
ratelimit-tools: ## redis-server (apt) and envoyproxy/ratelimit (built once, cached under ~/.cache) for the global rate-limit tests (package quota)
	hack/ratelimit/install.sh

.PHONY: mcp-tools test-mcp
mcp-tools: ## Node 22, the MCP conformance suite, Inspector and server-everything (npm, pinned in hack/mcp/node) and go-sdk's everything-server, cached under ~/.cache
	hack/mcp/install.sh

test-mcp: mcp-tools ## MCP SDK clients (go-sdk, own module test/mcp) against the real MCP servers
	cd test/mcp && $(GO) vet ./... && $(GO) test -race -count=1 ./...

SDK_NODE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kubelb-ai/sdk-node
test-sdk: ## the providers' Go SDKs (openai-go, anthropic-sdk-go), then their Node SDKs and the Vercel AI SDK (npm, pinned in test/sdk/node), through serve
	cd test/sdk && $(GO) vet ./... && $(GO) test -race -count=1 ./...
	@sum=$$(cat test/sdk/node/package.json test/sdk/node/package-lock.json | sha256sum | cut -c1-16) && dir=$(SDK_NODE_DIR)/$$sum && \
	  if [ ! -f $$dir/node_modules/.package-lock.json ]; then \
	    mkdir -p $$dir && cp test/sdk/node/package.json test/sdk/node/package-lock.json $$dir/ && \
	    (cd $$dir && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || exit 1; fi && \
	  cd test/sdk && KUBELB_AI_NODE_SDK=$$dir $(GO) test -race -count=1 -v -run '^TestNodeSDKs$$' ./...

PRISM_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kubelb-ai/prism
test-prism: ## the requests serve sends upstream checked against the providers' OpenAPI specs by Prism (npm, pinned in hack/prism)
	@sum=$$(cat hack/prism/package.json hack/prism/package-lock.json | sha256sum | cut -c1-16) && dir=$(PRISM_DIR)/$$sum && \
	  if [ ! -x $$dir/node_modules/.bin/prism ]; then \
	    mkdir -p $$dir && cp hack/prism/package.json hack/prism/package-lock.json $$dir/ && \
	    (cd $$dir && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || exit 1; fi && \
	  KUBELB_AI_PRISM=$$dir/node_modules/.bin/prism $(GO) test -count=1 -v -run '^TestUpstreamRequestsMatchProviderSpecs$$' ./proxy

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS) staticcheck ./...

# api/<package> -> schemas/crds/<data plane>/<release>: each package models one
# release's CRDs and names it in a //kubelbai:crds line of its doc.go
# (templates/targets.yaml says which KubeLB release runs it).
CRD_DIRS := $(shell grep -H '^//kubelbai:crds ' api/*/doc.go | sed 's|^api/\([^/]*\)/doc.go://kubelbai:crds |\1:|')
# The Gateway API releases KubeLB installs (and those its data planes were
# built against), copied as shipped in the sigs.k8s.io/gateway-api module,
# whose download the Go checksum database verifies.
GATEWAY_API_VERSIONS := v1.3.0 v1.4.1 v1.5.1 v1.6.1
# The Gateway API Inference Extension releases the data planes were built
# against (templates/targets.yaml crds.inferenceExtension).
INFERENCE_EXTENSION_VERSIONS := v0.5.1 v1.1.0 v1.4.0 v1.5.0

generate: ## regenerate the API types' deepcopy code, the embedded CRDs in schemas/crds (controller-gen) and their compact form in schemas/compact
	$(TOOLS) controller-gen object paths=./api/...
	@for m in $(CRD_DIRS); do pkg=$${m%%:*}; dir=schemas/crds/$${m##*:}; \
	  rm -rf $$dir && $(TOOLS) controller-gen crd:crdVersions=v1 paths=./api/$$pkg/... output:crd:dir=$$dir || exit 1; done
	@rm -rf schemas/crds/gateway-api && for v in $(GATEWAY_API_VERSIONS); do \
	  gwdir=$$($(GO) mod download -json sigs.k8s.io/gateway-api@$$v | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && test -n "$$gwdir" || exit 1; \
	  for ch in standard experimental; do mkdir -p schemas/crds/gateway-api/$$v/$$ch && \
	    for f in $$gwdir/config/crd/$$ch/gateway.networking.*.yaml; do \
	      case $$f in *_vap_*) ;; *) install -m 0644 $$f schemas/crds/gateway-api/$$v/$$ch/ ;; esac; done; done; done
	@rm -rf schemas/crds/inference-extension && for v in $(INFERENCE_EXTENSION_VERSIONS); do \
	  dir=$$($(GO) mod download -json sigs.k8s.io/gateway-api-inference-extension@$$v | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && test -n "$$dir" || exit 1; \
	  mkdir -p schemas/crds/inference-extension/$$v && install -m 0644 $$dir/config/crd/bases/inference.networking.*.yaml schemas/crds/inference-extension/$$v/; done
	$(GO) run ./hack/compactcrds

check-generated: generate ## fail if `make generate` changes anything (CI)
	@git diff --exit-code -- api schemas || { echo "generated files are stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api schemas)" || { git status --porcelain -- api schemas; echo "make generate created files: commit them"; exit 1; }

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME each (failures land in testdata/fuzz as regressions)
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./spec
	$(GO) test -run '^$$' -fuzz '^FuzzParseManifests$$' -fuzztime $(FUZZTIME) ./generate
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./validate
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./validate/loader
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeYAMLMatchesTwoPass$$' -fuzztime $(FUZZTIME) ./validate/crd
	$(GO) test -run '^$$' -fuzz '^FuzzCELMatchesUpstream$$' -fuzztime $(FUZZTIME) ./validate/crd
	$(GO) test -run '^$$' -fuzz '^FuzzSchemaPassMatchesUpstream$$' -fuzztime $(FUZZTIME) ./validate/crd
	$(GO) test -run '^$$' -fuzz '^FuzzSet$$' -fuzztime $(FUZZTIME) ./proxy/jsonbody
	$(GO) test -run '^$$' -fuzz '^FuzzDecoder$$' -fuzztime $(FUZZTIME) ./proxy/sse
	$(GO) test -run '^$$' -fuzz '^FuzzElements$$' -fuzztime $(FUZZTIME) ./proxy/jsonbody
	$(GO) test -run '^$$' -fuzz '^FuzzTranslations$$' -fuzztime $(FUZZTIME) ./proxy/translate
	$(GO) test -run '^$$' -fuzz '^FuzzMasker$$' -fuzztime $(FUZZTIME) ./proxy/guard
	$(GO) test -run '^$$' -fuzz '^FuzzGuardReject$$' -fuzztime $(FUZZTIME) ./proxy
	$(GO) test -run '^$$' -fuzz '^FuzzStream$$' -fuzztime $(FUZZTIME) ./proxy/redact
	$(GO) test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime $(FUZZTIME) ./proxy/auth
	$(GO) test -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime $(FUZZTIME) ./proxy/expr
	$(GO) test -run '^$$' -fuzz '^FuzzParseMessage$$' -fuzztime $(FUZZTIME) ./proxy/mcp
	$(GO) test -run '^$$' -fuzz '^FuzzOpenSession$$' -fuzztime $(FUZZTIME) ./proxy/mcp
	$(GO) test -run '^$$' -fuzz '^FuzzParseConfig$$' -fuzztime $(FUZZTIME) ./quota
	$(GO) test -run '^$$' -fuzz '^FuzzParseClientKey$$' -fuzztime $(FUZZTIME) ./dataplane

bench-generate: build ## wall time of `version` and a 10-provider `generate`, median of repeated runs
	$(GO) run ./hack/benchcmd -runs 41 -out $(BIN)/bench-generate.txt -- $(BIN)/kubelb-ai

bench-validate: build ## validate vs kubeconform and kubectl-validate on 5,000 documents
	$(GO) run ./hack/benchvalidate -out $(BIN)/bench-validate.txt -- $(BIN)/kubelb-ai

krew: ## release archives of the kubectl plugin into dist/ and plugins/kubelb-ai.yaml, e.g. make krew VERSION=v0.1.0
	$(GO) run ./hack/krew -version $(VERSION)

bench-apply: build ## apply of 300 objects vs kubectl apply --server-side on one real kube-apiserver
	$(GO) run ./hack/benchapply -shared $(SHARED) -out $(BIN)/bench-apply.txt -- $(BIN)/kubelb-ai

PORTKEY_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kubelb-ai/portkey
bench-serve: build ## serve vs a direct call, a bare Go reverse proxy and Portkey (npm, pinned in hack/benchserve/portkey) on loopback
	@sum=$$(cat hack/benchserve/portkey/package.json hack/benchserve/portkey/package-lock.json | sha256sum | cut -c1-16) && dir=$(PORTKEY_DIR)/$$sum && \
	  if [ ! -f $$dir/node_modules/@portkey-ai/gateway/build/start-server.js ]; then \
	    mkdir -p $$dir && cp hack/benchserve/portkey/package.json hack/benchserve/portkey/package-lock.json $$dir/ && \
	    (cd $$dir && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || exit 1; fi && \
	  cp hack/benchserve/portkey/loopback.cjs $$dir/ && \
	  $(GO) run ./hack/benchserve -portkey $$dir -out $(BIN)/bench-serve.txt -- $(BIN)/kubelb-ai

bench-mcp: build ## tools/call through serve's MCP gateway vs directly to the same go-sdk server, and serve's CPU per new session, on loopback (~30 s)
	cd test/mcp && KUBELB_AI_BENCH_MCP=$(abspath $(BIN)/kubelb-ai) KUBELB_AI_BENCH_MCP_OUT=$(abspath $(BIN)/bench-mcp.txt) \
	  $(GO) test -count=1 -timeout 5m -run '^TestBenchMCP$$' .
	@cat $(BIN)/bench-mcp.txt

clean: ## remove build output
	rm -rf $(BIN)
