package kgatewayv20

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const singleProviderBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
  namespace: kubelb-ai
  labels:
    app.kubernetes.io/managed-by: kubelb-ai
spec:
  type: AI
  ai:
    llm:
      hostOverride:
        host: vllm.models.svc.cluster.local
        port: 8000
      provider:
        openai:
          authToken:
            kind: SecretRef
            secretRef:
              name: openai-key
          model: gpt-4o-mini
`

const vertexBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: vertex
  namespace: kubelb-ai
spec:
  type: AI
  ai:
    llm:
      provider:
        vertexai:
          authToken:
            kind: Inline
            inline: ya29.token
          model: gemini-2.0-flash
          apiVersion: v1
          projectId: demo-project
          location: europe-west4
          modelPath: "models/gemini-2.0-flash:generateContent"
          publisher: GOOGLE
`

const failoverBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: claude-failover
  namespace: kubelb-ai
spec:
  type: AI
  ai:
    multipool:
      priorities:
      - pool:
        - provider:
            anthropic:
              authToken:
                kind: SecretRef
                secretRef:
                  name: anthropic-primary
              apiVersion: "2023-06-01"
              model: claude-sonnet-4-5
      - pool:
        - provider:
            anthropic:
              authToken:
                kind: Passthrough
              model: claude-haiku-4-5
          hostOverride:
            host: anthropic-proxy.internal
            port: 443
        - provider:
            anthropic:
              authToken:
                kind: SecretRef
                secretRef:
                  name: anthropic-backup
`

const guardedTrafficPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: openai-guard
  namespace: kubelb-ai
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: openai
  ai:
    routeType: CHAT_STREAMING
    defaults:
    - field: temperature
      value: "0.2"
      override: true
    - field: max_tokens
      value: "512"
    promptEnrichment:
      prepend:
      - role: SYSTEM
        content: Answer briefly.
      append:
      - role: USER
        content: Reply in English.
    promptGuard:
      request:
        customResponse:
          message: Blocked by policy
          statusCode: 422
        regex:
          action: REJECT
          builtins: [SSN, CREDIT_CARD]
          matches:
          - pattern: "(?i)internal[- ]only"
            name: internal-marker
        webhook:
          host:
            host: guard.kubelb-ai.svc
            port: 8080
          forwardHeaders:
          - name: x-tenant
            value: acme
          - type: RegularExpression
            name: x-user
            value: "^u-.*"
        moderation:
          openAIModeration:
            authToken:
              kind: SecretRef
              secretRef:
                name: openai-key
            model: omni-moderation-latest
      response:
        regex:
          builtins: [EMAIL, PHONE_NUMBER]
  rateLimit:
    local:
      tokenBucket:
        maxTokens: 100
        tokensPerFill: 100
        fillInterval: 1h
`

const aiGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: ai-gateway
  namespace: kubelb-ai
spec:
  kube:
    service:
      type: LoadBalancer
      extraAnnotations:
        service.beta.kubernetes.io/aws-load-balancer-type: nlb
      ports:
      - port: 8080
        nodePort: 30080
    aiExtension:
      enabled: true
      image:
        registry: cr.kgateway.dev/kgateway-dev
        repository: kgateway-ai-extension
        tag: v2.0.4
        pullPolicy: IfNotPresent
      ports:
      - name: ai-monitoring
        containerPort: 9092
      env:
      - name: LOG_LEVEL
        value: INFO
      - name: POD_IP
        valueFrom:
          fieldRef:
            fieldPath: status.podIP
`

const selfManagedGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: external
spec:
  selfManaged: {}
`

const awsBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: lambda
spec:
  type: AWS
  aws:
    accountId: "000000000000"
    region: eu-central-1
    auth:
      type: Secret
      secretRef:
        name: aws-creds
    lambda:
      functionName: echo
      invocationMode: Async
      qualifier: $LATEST
`

const extensionTrafficPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: ext
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: api
  extAuth:
    extensionRef:
      name: authz
    withRequestBody:
      maxRequestBytes: 8192
      allowPartialMessage: true
    contextExtensions:
      tenant: acme
  extProc:
    extensionRef:
      name: processor
    processingMode:
      requestBodyMode: BUFFERED
      responseHeaderMode: SKIP
  transformation:
    request:
      set:
      - name: x-user
        value: '{{ header("x-forwarded-user") }}'
      remove: [x-debug]
    response:
      add:
      - name: x-served-by
        value: kgateway
      body:
        parseAs: AsJson
        value: '{{ body }}'
`

const directResponse = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: DirectResponse
metadata:
  name: teapot
spec:
  status: 418
  body: short and stout
`

const gatewayExtension = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayExtension
metadata:
  name: authz
spec:
  type: ExtAuth
  extAuth:
    grpcService:
      authority: authz.local
      backendRef:
        name: authz
        port: 9000
`

const httpListenerPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: HTTPListenerPolicy
metadata:
  name: access-log
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: ai
  accessLog:
  - fileSink:
      path: /dev/stdout
      jsonFormat:
        start: "%START_TIME%"
        code: "%RESPONSE_CODE%"
    filter:
      orFilter:
      - statusCodeFilter: {op: GE, value: 500}
      - durationFilter: {op: GE, value: 0}
  - grpcService:
      logName: ai
      backendRef:
        name: als
        port: 4317
      additionalRequestHeadersToLog: [x-tenant]
    filter:
      headerFilter:
        header: {name: x-debug, value: "1"}
`

const managedGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: managed
spec:
  kube:
    deployment:
      replicas: 2
    envoyContainer:
      bootstrap:
        logLevel: info
        componentLogLevels:
          upstream: debug
      resources:
        limits:
          memory: 512Mi
    podTemplate:
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - key: dedicated
        operator: Equal
        value: gateway
        effect: NoSchedule
      gracefulShutdown:
        enabled: true
        sleepTimeSeconds: 10
      terminationGracePeriodSeconds: 30
    istio:
      customSidecars:
      - name: helper
        image: busybox
        env:
        - name: MODE
          value: sidecar
    stats:
      enabled: true
    floatingUserId: true
`

// TestRoundTrip decodes each example strictly, encodes it again and checks that
// nothing was lost or renamed on the way.
func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		obj  runtime.Object
	}{
		{"single provider backend", singleProviderBackend, &Backend{}},
		{"vertex ai backend", vertexBackend, &Backend{}},
		{"failover backend", failoverBackend, &Backend{}},
		{"traffic policy", guardedTrafficPolicy, &TrafficPolicy{}},
		{"gateway parameters", aiGatewayParameters, &GatewayParameters{}},
		{"self-managed gateway parameters", selfManagedGatewayParameters, &GatewayParameters{}},
		{"aws backend", awsBackend, &Backend{}},
		{"extension traffic policy", extensionTrafficPolicy, &TrafficPolicy{}},
		{"direct response", directResponse, &DirectResponse{}},
		{"gateway extension", gatewayExtension, &GatewayExtension{}},
		{"http listener policy", httpListenerPolicy, &HTTPListenerPolicy{}},
		{"managed gateway parameters", managedGatewayParameters, &GatewayParameters{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roundTrip(t, tc.doc, tc.obj)
		})
	}
}

func roundTrip(t *testing.T, doc string, obj runtime.Object) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		t.Fatalf("strict decode: %v", err)
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var want, got map[string]any
	if err := yaml.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatalf("decode input as a map: %v", err)
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode output as a map: %v", err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("round trip changed the document\ninput:\n%s\noutput:\n%s", doc, out)
	}

	// Decoding the output again must give the same Go value, and DeepCopy must too.
	again := reflect.New(reflect.TypeOf(obj).Elem()).Interface().(runtime.Object)
	if err := yaml.UnmarshalStrict(out, again); err != nil {
		t.Fatalf("strict decode of output: %v", err)
	}
	if !reflect.DeepEqual(obj, again) {
		t.Fatalf("second decode differs:\nfirst:  %#v\nsecond: %#v", obj, again)
	}
	if cp := obj.DeepCopyObject(); !reflect.DeepEqual(obj, cp) {
		t.Fatalf("DeepCopyObject differs:\noriginal: %#v\ncopy:     %#v", obj, cp)
	}
}

// TestRejectsOtherShapes feeds documents that are valid for other kgateway releases, or
// not valid at all, and expects strict decoding to fail on the unknown field.
func TestRejectsOtherShapes(t *testing.T) {
	cases := []struct {
		name, doc, field string
		obj              any
	}{
		{
			name: "v2.1 flat provider",
			doc: `
spec:
  type: AI
  ai:
    llm:
      host: vllm.models.svc
      port: 8000
      openai:
        authToken: {kind: SecretRef, secretRef: {name: openai-key}}
`,
			field: "host",
			obj:   &Backend{},
		},
		{
			name: "v2.1 priority groups",
			doc: `
spec:
  type: AI
  ai:
    priorityGroups:
    - providers:
      - name: primary
        openai:
          authToken: {kind: SecretRef, secretRef: {name: openai-key}}
`,
			field: "priorityGroups",
			obj:   &Backend{},
		},
		{
			name: "secretRef with a namespace",
			doc: `
spec:
  type: AI
  ai:
    llm:
      provider:
        openai:
          authToken: {kind: SecretRef, secretRef: {name: openai-key, namespace: other}}
`,
			field: "namespace",
			obj:   &Backend{},
		},
		{
			name: "v2.1 webhook header field",
			doc: `
spec:
  ai:
    promptGuard:
      request:
        webhook:
          host: {host: guard, port: 8080}
          forwardHeaderMatches:
          - {name: x-tenant, value: acme}
`,
			field: "forwardHeaderMatches",
			obj:   &TrafficPolicy{},
		},
		{
			name: "target ref section name",
			doc: `
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: Gateway, name: ai, sectionName: http}
`,
			field: "sectionName",
			obj:   &TrafficPolicy{},
		},
		{
			// fileKeyRef came with a later k8s.io/api than the v2.0 CRDs were built from.
			name: "env from a file key",
			doc: `
spec:
  kube:
    aiExtension:
      env:
      - name: TOKEN
        valueFrom:
          fileKeyRef: {volumeName: v, path: p, key: k}
`,
			field: "fileKeyRef",
			obj:   &GatewayParameters{},
		},
		{
			name: "sidecar restart rules",
			doc: `
spec:
  kube:
    istio:
      customSidecars:
      - name: helper
        restartPolicyRules:
        - action: Restart
`,
			field: "restartPolicyRules",
			obj:   &GatewayParameters{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := yaml.UnmarshalStrict([]byte(tc.doc), tc.obj)
			if err == nil {
				t.Fatalf("strict decode accepted a document with %q", tc.field)
			}
			if !strings.Contains(err.Error(), `"`+tc.field+`"`) {
				t.Fatalf("error does not name the field %q: %v", tc.field, err)
			}
		})
	}
}

func TestAddToScheme(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{KindBackend, KindTrafficPolicy, KindGatewayParameters, KindDirectResponse, KindGatewayExtension, KindHTTPListenerPolicy} {
		for _, k := range []string{kind, kind + "List"} {
			gvk := schema.GroupVersionKind{Group: "gateway.kgateway.dev", Version: "v1alpha1", Kind: k}
			if !s.Recognizes(gvk) {
				t.Errorf("scheme does not recognise %s", gvk)
			}
		}
	}
}
