package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// A stream still running at the drain deadline is cut, and so is a
// request whose upstream has not answered yet; before, Serve returned
// when the drain time was over, before their handlers logged, and neither
// had an access log line. Now each has one, with what the client got: the
// stream's 200 and the other's nothing (status 0), both aborted by the
// drain; and Serve still returns within its bound.
func TestDrainDeadlineLogsCutRequests(t *testing.T) {
	silentArrived := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/silent") {
			silentArrived <- struct{}{}
			<-r.Context().Done() // never answers
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; ; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	defer func() {
		slow.CloseClientConnections() // a regression leaves them open
		slow.Close()
	}()

	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	extra, err := generate.DecodeManifests([]byte(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: slow, namespace: kubelb}
spec:
  parentRefs: [{name: ai-gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /slow}}]
    backendRefs: [{name: slow, port: 80}]
`))
	if err != nil {
		t.Fatal(err)
	}
	ups := map[string]*url.URL{}
	ups["slow"], _ = url.Parse(slow.URL)
	logs := &testenv.Buffer{}
	cfg, err := buildObjs(append(renderMaps(t, g), extra...), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: ups,
		Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, time.Minute), Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan map[string]string, 1)
	done := make(chan error, 1)
	const drainTime = 300 * time.Millisecond
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Admin: "127.0.0.1:0", Drain: drainTime, Ready: func(a map[string]string) { addrs <- a }})
	}()
	base := "http://" + (<-addrs)["http"]

	// The stream: read its first event, then keep reading until cut.
	streamEnded := make(chan error, 1)
	resp, err := http.Get(base + "/slow/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "data: 0\n" {
		t.Fatalf("first event: %q %v", line, err)
	}
	go func() {
		for {
			if _, err := br.ReadString('\n'); err != nil {
				streamEnded <- err
				return
			}
		}
	}()
	// The request its upstream never answers.
	silentDone := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "/slow/silent")
		if err == nil {
			resp.Body.Close()
		}
		silentDone <- err
	}()
	select {
	case <-silentArrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the silent request never reached its upstream")
	}

	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(drainTime + afterDrain + 3*time.Second):
		t.Fatal("Serve did not return after the drain time")
	}
	if took := time.Since(stopped); took < drainTime || took > drainTime+afterDrain+time.Second {
		t.Errorf("Serve returned %s after it was stopped, want the drain time (%s) and at most %s more", took, drainTime, afterDrain)
	}
	for what, ch := range map[string]chan error{"the stream": streamEnded, "the silent request": silentDone} {
		select {
		case err := <-ch:
			if err == nil {
				t.Errorf("%s was not cut", what)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("%s was not cut: its connection stays open after Serve returned", what)
		}
	}

	// Both lines are there as soon as Serve has returned.
	lines := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			lines[m["path"].(string)] = m
		}
	}
	for path, status := range map[string]float64{"/slow/stream": 200, "/slow/silent": 0} {
		l := lines[path]
		if l == nil {
			t.Errorf("no access log line for %s:\n%s", path, logs.String())
			continue
		}
		if l["status"] != status || l["aborted"] != "drain" || l["route"] != "kubelb/slow" {
			t.Errorf("%s's log line: %v, want status %v aborted by the drain", path, l, status)
		}
	}
}
