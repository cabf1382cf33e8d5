package agreement

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// server talks to the API server under test.
type server struct {
	cfg    *rest.Config
	client *http.Client
	dyn    *dynamic.DynamicClient
	disc   *discovery.DiscoveryClient
	mapper meta.RESTMapper
}

func newServer(kubeconfig string) (*server, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 500, 1000
	cfg.Timeout = 60 * time.Second
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, client)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, client)
	if err != nil {
		return nil, err
	}
	return &server{cfg: cfg, client: client, dyn: dyn, disc: disc}, nil
}

var (
	crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	nsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// ensureNamespace creates a namespace (dry-run creates need it to exist).
func (s *server) ensureNamespace(ctx context.Context, name string) error {
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}}
	_, err := s.dyn.Resource(nsGVR).Create(ctx, ns, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// applyCRDs installs the CRDs of the given files with server-side apply
// and waits until each is Established (used with a reused cluster; the
// harness installs them itself). It reports whether any CRD changed.
func (s *server) applyCRDs(ctx context.Context, files []string) (bool, error) {
	changed := false
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		for _, doc := range splitYAML(data) {
			var obj map[string]any
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				return false, fmt.Errorf("%s: %w", f, err)
			}
			if obj["kind"] != "CustomResourceDefinition" {
				continue
			}
			u := &unstructured.Unstructured{Object: obj}
			body, err := json.Marshal(obj)
			if err != nil {
				return false, err
			}
			before, _ := s.dyn.Resource(crdGVR).Get(ctx, u.GetName(), metav1.GetOptions{})
			after, err := s.dyn.Resource(crdGVR).Patch(ctx, u.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "kubelb-ai-agreement", Force: ptr(true)})
			if err != nil {
				return false, fmt.Errorf("applying CRD %s: %w", u.GetName(), err)
			}
			if before == nil || before.GetGeneration() != after.GetGeneration() {
				changed = true
			}
			names = append(names, u.GetName())
		}
	}
	for _, n := range names {
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			c, err := s.dyn.Resource(crdGVR).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
			for _, x := range conds {
				m, _ := x.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return changed, fmt.Errorf("CRD %s not Established: %w", n, err)
		}
	}
	return changed, nil
}

func ptr[T any](v T) *T { return &v }

// waitForKinds builds the REST mapper once every kind in want is served
// (discovery can lag behind the Established condition a little).
func (s *server) waitForKinds(ctx context.Context, want []schema.GroupVersionKind) error {
	var missing []string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		groups, err := restmapper.GetAPIGroupResources(s.disc)
		if err != nil {
			return false, nil
		}
		m := restmapper.NewDiscoveryRESTMapper(groups)
		missing = missing[:0]
		for _, gvk := range want {
			if _, err := m.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
				missing = append(missing, gvk.String())
			}
		}
		if len(missing) > 0 {
			return false, nil
		}
		s.mapper = m
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("kinds not served: %s: %w", strings.Join(missing, ", "), err)
	}
	return nil
}

// verdict is one side's answer for a document.
type verdict struct {
	accepted bool
	message  string
}

// dryRun sends doc exactly as written (YAML) to the API server as a
// dry-run create with strict field validation. The object's namespace, if
// any, must be ns. Requests that cannot even be routed (unknown or
// malformed apiVersion/kind) count as rejected, as kubectl rejects them.
func (s *server) dryRun(ctx context.Context, doc []byte, ns string) verdict {
	var head struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return verdict{message: "client: " + err.Error()}
	}
	apiVersion, _ := head.APIVersion.(string)
	kind, _ := head.Kind.(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || kind == "" || apiVersion == "" {
		return verdict{message: fmt.Sprintf("client: cannot route apiVersion %v kind %v", head.APIVersion, head.Kind)}
	}
	mapping, err := s.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: kind}, gv.Version)
	if err != nil {
		return verdict{message: "client: " + err.Error()}
	}
	p := "/apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		p = "/api/" + gv.Version
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		p += "/namespaces/" + ns
	}
	p += "/" + mapping.Resource.Resource
	u, err := url.Parse(strings.TrimSuffix(s.cfg.Host, "/") + p)
	if err != nil {
		return verdict{message: "client: " + err.Error()}
	}
	u.RawQuery = url.Values{"dryRun": {"All"}, "fieldValidation": {"Strict"}, "fieldManager": {"kubelb-ai-agreement"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(doc))
	if err != nil {
		return verdict{message: "client: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Accept", "application/json")
	for attempt := 0; ; attempt++ {
		req.Body = io.NopCloser(bytes.NewReader(doc))
		resp, err := s.client.Do(req)
		if err != nil {
			return verdict{message: "transport: " + err.Error()}
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return verdict{accepted: true, message: resp.Header.Get("Warning")}
		}
		var st metav1.Status
		msg := strings.TrimSpace(string(body))
		if json.Unmarshal(body, &st) == nil && st.Message != "" {
			msg = fmt.Sprintf("%d %s: %s", st.Code, st.Reason, st.Message)
		}
		// 429 and 5xx are the server being busy, not a verdict.
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) && attempt < 5 {
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
			continue
		}
		if resp.StatusCode >= 500 {
			return verdict{message: "server error (not a verdict): " + msg}
		}
		return verdict{message: msg}
	}
}

// isVerdict reports whether a server answer is a real decision.
func isVerdict(v verdict) bool {
	return !strings.HasPrefix(v.message, "transport: ") && !strings.HasPrefix(v.message, "server error")
}
