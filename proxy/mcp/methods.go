package mcp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// initKey names a target's answer to a gateway-made initialize.
type initKey struct{ target, version string }

type initAnswer struct {
	version string
	// sessionful: the target gave a session id, so every stateless
	// request needs an initialize of its own.
	sessionful bool
}

// initTarget begins a session with t: initialize with params, then
// notifications/initialized.
func (g *Gateway) initTarget(ctx context.Context, t *target, params json.RawMessage, st *state) (*upstream, json.RawMessage, error) {
	init := &message{ID: json.RawMessage(`"kubelb-ai-initialize"`), Method: "initialize", Params: params}
	initialized := &message{Method: "notifications/initialized"}
	u := &upstream{t: t}
	var resp *message
	if t.SSE {
		c, err := g.dialSSE(ctx, t, st.fwd)
		if err != nil {
			return nil, nil, err
		}
		u.sse = c
		s, err := g.traced(ctx, t, init, "", "", c.send)
		if err == nil {
			resp, err = firstResponse(s)
		}
		if err != nil {
			c.close()
			return nil, nil, err
		}
	} else {
		s, err := g.traced(ctx, t, init, "", "", func(ctx context.Context, m *message) (stream, error) {
			hs, err := g.post(ctx, t, call{header: st.fwd, body: encode(m)})
			if err != nil {
				return nil, err // not a nil *httpStream in a stream
			}
			return hs, nil
		})
		if err != nil {
			return nil, nil, err
		}
		hs, _ := httpOf(s)
		u.sid = hs.sid
		if resp, err = firstResponse(s); err != nil {
			return nil, nil, err
		}
	}
	var res struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	if err := resultOf(resp, &res); err != nil {
		u.close(g, st)
		return nil, nil, fmt.Errorf("target %s: initialize: %w", t.Name, err)
	}
	u.version = res.ProtocolVersion
	s, err := g.send(ctx, &state{fwd: st.fwd}, u, initialized, "")
	if err != nil {
		u.close(g, st)
		return nil, nil, err
	}
	if s != nil {
		s.close()
	}
	return u, resp.Result, nil
}

// close ends a session the gateway began.
func (u *upstream) close(g *Gateway, st *state) {
	if u.sse != nil {
		u.sse.close()
	} else if u.sid != "" {
		g.deleteSession(u.t, u.sid, st.fwd)
	}
}

// gatewayParams are the params of an initialize the gateway makes for a
// client that sent none (stateless): the client's version, no
// capabilities (there is no session to ask the client anything on).
func (g *Gateway) gatewayParams(version string) json.RawMessage {
	if version == "" || version >= modernEra {
		version = "2025-03-26" // a request without the header is of 2025-03-26
	}
	b, _ := json.Marshal(map[string]any{"protocolVersion": version, "capabilities": map[string]any{},
		"clientInfo": map[string]string{"name": g.name(), "version": g.cfg.Version}})
	return b
}

func (g *Gateway) name() string {
	if g.cfg.Name == "" {
		return "kubelb-ai"
	}
	return g.cfg.Name
}

// stateless opens t for one message of a client without a session. A
// target that keeps no session is initialized once per protocol version
// and then sent to directly; one that keeps sessions gets a session of
// its own for the message, ended after it.
func (g *Gateway) stateless(ctx context.Context, st *state, t *target) (*upstream, error) {
	version := st.version
	if version == "" {
		// A request without MCP-Protocol-Version is of 2025-03-26 (as in
		// gatewayParams): cached under that, not initialized every time.
		version = "2025-03-26"
	}
	key := initKey{t.Name, version}
	g.mu.Lock()
	a := g.inits[key]
	g.mu.Unlock()
	if a != nil && !a.sessionful && !t.SSE {
		return &upstream{t: t, version: a.version}, nil
	}
	u, _, err := g.initTarget(ctx, t, g.gatewayParams(st.version), st)
	if err != nil {
		return nil, err
	}
	g.remember(key, u)
	u.own = true
	return u, nil
}

func (g *Gateway) remember(key initKey, u *upstream) {
	if !known(key.version) {
		return // a version the gateway does not know is not worth a cache entry
	}
	g.mu.Lock()
	g.inits[key] = &initAnswer{version: u.version, sessionful: u.sid != "" || u.sse != nil}
	g.mu.Unlock()
}

// initialize begins a client's session: an initialize to every target at
// once, their answers merged.
func (g *Gateway) initialize(ctx context.Context, st *state, m *message, out output) {
	p, err := paramsOf(m)
	if err != nil {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, err.Error()))
		return
	}
	st.version = p.str("protocolVersion")
	type opened struct {
		u   *upstream
		res json.RawMessage
		err error
	}
	got := make([]opened, len(g.targets))
	var wg sync.WaitGroup
	for i, t := range g.targets {
		initOne := func() {
			ctx, cancel := context.WithTimeout(ctx, g.timeout)
			defer cancel()
			u, res, err := g.initTarget(ctx, t, m.Params, st)
			got[i] = opened{u, res, err}
		}
		if len(g.targets) == 1 {
			initOne() // no goroutine (and its stack) for one target
			break
		}
		wg.Go(initOne)
	}
	wg.Wait()
	var answers []answer
	for i, o := range got {
		a := answer{t: g.targets[i], err: o.err}
		if o.err == nil {
			a.m = &message{ID: m.ID, Result: o.res}
		}
		answers = append(answers, a)
	}
	ok, err := g.gathered(answers)
	if err != nil {
		for _, o := range got {
			if o.u != nil {
				o.u.close(g, st)
			}
		}
		g.fail(st, out, m.ID, err)
		return
	}
	var result json.RawMessage
	if !g.multi {
		result = ok[0].m.Result
	} else {
		result = g.mergeInitialize(st.version, ok)
	}
	var version struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	_ = json.Unmarshal(result, &version)
	if !g.cfg.Stateful {
		for _, o := range got {
			if o.u != nil {
				g.remember(initKey{o.u.t.Name, st.version}, o.u)
				o.u.close(g, st)
			}
		}
		g.reply(st, out, &message{ID: m.ID, Result: result})
		return
	}
	rec := record{Version: version.ProtocolVersion}
	for _, o := range got {
		if o.u != nil && o.err == nil {
			rec.Targets = append(rec.Targets, targetSession{Name: o.u.t.Name, ID: o.u.sid, Version: o.u.version})
		}
	}
	id := out.session(g, rec)
	for _, o := range got {
		if o.u != nil && o.u.sse != nil {
			g.pool(id, o.u.t, o.u.sse)
		}
	}
	g.reply(st, out, &message{ID: m.ID, Result: result})
}

// mergeInitialize is a multiplexing gateway's initialize result: the
// lowest version of all, the union of the targets' capabilities, their
// instructions under their names, and the gateway's own name.
func (g *Gateway) mergeInitialize(asked string, ok []answer) json.RawMessage {
	version := asked
	caps := map[string]map[string]any{}
	var instructions []string
	for _, a := range ok {
		var r struct {
			ProtocolVersion string                     `json:"protocolVersion"`
			Capabilities    map[string]json.RawMessage `json:"capabilities"`
			Instructions    string                     `json:"instructions"`
		}
		_ = json.Unmarshal(a.m.Result, &r)
		if r.ProtocolVersion != "" && (version == "" || r.ProtocolVersion < version) {
			version = r.ProtocolVersion
		}
		mergeCapabilities(caps, r.Capabilities, g.cfg.Stateful)
		if r.Instructions != "" {
			instructions = append(instructions, "["+a.t.Name+"]\n"+r.Instructions)
		}
	}
	res := map[string]any{"protocolVersion": version, "capabilities": caps,
		"serverInfo": map[string]string{"name": g.name(), "version": g.cfg.Version}}
	if len(instructions) > 0 {
		res["instructions"] = strings.Join(instructions, "\n\n")
	}
	b, _ := json.Marshal(res)
	return b
}

// federated are the capabilities a multiplexing gateway can offer, each
// when a target offers it; the others (experimental, extensions, tasks)
// cannot be merged and are left out.
var federated = []string{"tools", "prompts", "resources", "logging", "completions"}

func mergeCapabilities(into map[string]map[string]any, caps map[string]json.RawMessage, stateful bool) {
	for _, k := range federated {
		raw, ok := caps[k]
		if !ok {
			continue
		}
		c := into[k]
		if c == nil {
			c = map[string]any{}
			into[k] = c
		}
		var flags map[string]any
		_ = json.Unmarshal(raw, &flags)
		for f, v := range flags {
			if b, ok := v.(bool); ok && b {
				if f == "subscribe" && !stateful {
					continue // a subscription needs a session to notify on
				}
				c[f] = true
			}
		}
	}
}

// discover answers server/discover (2026-07-28): one target's answer as it
// is, or for several the versions all of them support.
func (g *Gateway) discover(ctx context.Context, st *state, m *message, out output) {
	answers := g.fanout(ctx, st, g.targets, func(*target) *message { return m })
	if !g.multi {
		a := answers[0]
		if a.err != nil {
			g.fail(st, out, m.ID, a.err)
			return
		}
		g.reply(st, out, &message{ID: m.ID, Result: withCacheHints(a.m.Result), Error: a.m.Error})
		return
	}
	// An error (an old target) is the answer: the client then falls back
	// to initialize, which every target speaks.
	for _, a := range answers {
		if a.err != nil {
			g.fail(st, out, m.ID, a.err)
			return
		}
		if a.m.Error != nil {
			g.reply(st, out, &message{ID: m.ID, Error: a.m.Error})
			return
		}
	}
	supported := slices.Clone(knownVersions)
	caps := map[string]map[string]any{}
	var instructions []string
	for _, a := range answers {
		var r struct {
			SupportedVersions []string                   `json:"supportedVersions"`
			Capabilities      map[string]json.RawMessage `json:"capabilities"`
			Instructions      string                     `json:"instructions"`
		}
		_ = json.Unmarshal(a.m.Result, &r)
		supported = slices.DeleteFunc(supported, func(v string) bool { return !slices.Contains(r.SupportedVersions, v) })
		mergeCapabilities(caps, r.Capabilities, false)
		if r.Instructions != "" {
			instructions = append(instructions, "["+a.t.Name+"]\n"+r.Instructions)
		}
	}
	res := map[string]any{"supportedVersions": supported, "capabilities": caps, "ttlMs": 0, "cacheScope": "private",
		"_meta": map[string]any{"io.modelcontextprotocol/serverInfo": map[string]string{"name": g.name(), "version": g.cfg.Version}}}
	if len(instructions) > 0 {
		res["instructions"] = strings.Join(instructions, "\n\n")
	}
	g.reply(st, out, resultMessage(m.ID, res))
}

// withCacheHints marks a result the gateway passes on as not to be cached:
// the gateway's routing and policies can change without telling clients.
func withCacheHints(result json.RawMessage) json.RawMessage {
	var r map[string]json.RawMessage
	if json.Unmarshal(result, &r) != nil || r == nil {
		return result
	}
	r["ttlMs"] = json.RawMessage("0")
	r["cacheScope"] = json.RawMessage(`"private"`)
	b, _ := json.Marshal(r)
	return b
}

// listing is how a list method's results are named.
type listing struct {
	items, field, kind string
}

var listings = map[string]listing{
	"tools/list":               {"tools", "name", "tool"},
	"prompts/list":             {"prompts", "name", "prompt"},
	"resources/list":           {"resources", "uri", "resource"},
	"resources/templates/list": {"resourceTemplates", "uriTemplate", "resource"},
}

// list fans a list out and merges the pages: names prefixed, items the
// rules deny left out, and a cursor that holds every target's own, so no
// target's later pages are lost.
func (g *Gateway) list(ctx context.Context, st *state, m *message, out output) {
	spec := listings[m.Method]
	p, err := paramsOf(m)
	if err != nil {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, err.Error()))
		return
	}
	targets := g.sessionTargets(st)
	cursor := p.str("cursor")
	pages := map[string]string{}
	if cursor != "" {
		if !g.multi {
			pages[targets[0].Name] = cursor
		} else if pages, err = decodeCursor(cursor); err != nil {
			g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "invalid cursor"))
			return
		}
		targets = slices.DeleteFunc(slices.Clone(targets), func(t *target) bool { _, ok := pages[t.Name]; return !ok })
		if len(targets) == 0 {
			// No target of this gateway (or session) in it: the client's
			// mistake, not a target's failure.
			g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "invalid cursor"))
			return
		}
	}
	answers := g.fanout(ctx, st, targets, func(t *target) *message {
		q := params{}
		for k, v := range p {
			q[k] = v
		}
		delete(q, "cursor")
		if c := pages[t.Name]; c != "" {
			q.set("cursor", c)
		}
		return &message{ID: m.ID, Method: m.Method, Params: q.raw()}
	})
	ok, err := g.gathered(answers)
	if err != nil {
		g.fail(st, out, m.ID, err)
		return
	}
	type page struct {
		t      *target
		result map[string]json.RawMessage
		items  []map[string]json.RawMessage
	}
	var got []page
	names := map[string]int{}
	for _, a := range ok {
		pg := page{t: a.t}
		if err := json.Unmarshal(a.m.Result, &pg.result); err != nil || pg.result == nil {
			g.fail(st, out, m.ID, fmt.Errorf("target %s: a %s result that is not an object", a.t.Name, m.Method))
			return
		}
		_ = json.Unmarshal(pg.result[spec.items], &pg.items)
		for _, it := range pg.items {
			names[rawString(it[spec.field])]++
		}
		got = append(got, pg)
	}
	items := []map[string]json.RawMessage{}
	next := map[string]string{}
	for _, pg := range got {
		for _, it := range pg.items {
			name := rawString(it[spec.field])
			if g.cfg.Prefix == PrefixNever && g.multi && spec.kind != "resource" && names[name] > 1 {
				continue // served by two targets: no call could reach either
			}
			if !g.allowed(st, spec.kind, pg.t.Name, name) {
				continue
			}
			if spec.kind == "resource" {
				it[spec.field], _ = json.Marshal(g.publicURI(pg.t, name))
			} else if g.prefixed {
				it[spec.field], _ = json.Marshal(pg.t.Name + "_" + name)
			}
			items = append(items, it)
		}
		if c := rawString(pg.result["nextCursor"]); c != "" {
			next[pg.t.Name] = c
		}
	}
	res := map[string]json.RawMessage{}
	if !g.multi {
		res = got[0].result // one target: its result as it is, but for what was denied
	}
	res[spec.items], _ = json.Marshal(items)
	delete(res, "nextCursor")
	if len(next) > 0 {
		if !g.multi {
			res["nextCursor"], _ = json.Marshal(next[got[0].t.Name])
		} else {
			res["nextCursor"], _ = json.Marshal(encodeCursor(next))
		}
	}
	if st.modern && g.multi {
		res["ttlMs"] = json.RawMessage("0")
		res["cacheScope"] = json.RawMessage(`"private"`)
	}
	b, _ := json.Marshal(res)
	if !g.multi && ok[0].sse {
		out.begin(true) // one target: its answer in the form it chose
	}
	g.reply(st, out, &message{ID: m.ID, Result: b})
}

func rawString(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// A composite cursor is every target's own cursor, by target.
func encodeCursor(pages map[string]string) string {
	b, _ := json.Marshal(pages)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (map[string]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, err
	}
	var pages map[string]string
	if err := json.Unmarshal(b, &pages); err != nil || len(pages) == 0 {
		return nil, errors.New("invalid cursor")
	}
	return pages, nil
}

// publicURI is a target's resource URI as clients see it: prefixed with
// the target's name and + when the gateway multiplexes and it has a scheme.
func (g *Gateway) publicURI(t *target, uri string) string {
	if !g.multi || !hasScheme(uri) {
		return uri
	}
	return t.Name + "+" + uri
}

// hasScheme reports whether uri starts with an RFC 3986 scheme and ":".
func hasScheme(uri string) bool {
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// allowed evaluates the authorization rules for a tool, prompt or
// resource of target, as agentgateway's mcp variable gives it
// (mcp.tool.name, mcp.tool.target, ...): any rule true allows; a rule
// that fails to evaluate does not.
func (g *Gateway) allowed(st *state, kind, target, name string) bool {
	if len(g.cfg.Allow) == 0 {
		return true // and the caller's variables are never built
	}
	vars := st.variables(g)
	vars.SetMCP(map[string]any{kind: map[string]any{"name": name, "target": target}})
	for _, p := range g.cfg.Allow {
		if ok, err := p.Bool(vars); err == nil && ok {
			return true
		}
	}
	return false
}

// resolve finds the target of a tool or prompt name, and its name there.
func (g *Gateway) resolve(ctx context.Context, st *state, method, name string) (*target, string, error) {
	targets := g.sessionTargets(st)
	switch {
	case !g.multi:
		return targets[0], name, nil
	case g.prefixed:
		var best *target
		for _, t := range targets {
			if strings.HasPrefix(name, t.Name+"_") && (best == nil || len(t.Name) > len(best.Name)) {
				best = t
			}
		}
		if best == nil {
			return nil, "", errors.New("unknown")
		}
		return best, strings.TrimPrefix(name, best.Name+"_"), nil
	}
	// Names without prefixes: the one target that lists the name owns it.
	listMethod, items := "tools/list", "tools"
	if method == "prompts/get" {
		listMethod, items = "prompts/list", "prompts"
	}
	var owners []*target
	for _, t := range targets {
		has, err := g.lists(ctx, st, t, listMethod, items, name)
		if err != nil && !g.cfg.FailOpen {
			return nil, "", err
		}
		if has {
			owners = append(owners, t)
		}
	}
	switch len(owners) {
	case 0:
		return nil, "", errors.New("unknown")
	case 1:
		return owners[0], name, nil
	}
	return nil, "", fmt.Errorf("ambiguous: served by %s and %s", owners[0].Name, owners[1].Name)
}

// lists reports whether t lists name, paging through at most 100 pages.
func (g *Gateway) lists(ctx context.Context, st *state, t *target, method, items, name string) (bool, error) {
	cursor := ""
	for i := range 100 {
		q := params{}
		if cursor != "" {
			q.set("cursor", cursor)
		}
		m := &message{ID: json.RawMessage(fmt.Sprintf(`"kubelb-ai-resolve-%d"`, i)), Method: method, Params: q.raw()}
		resp, err := g.exchange(ctx, st, t, m, "")
		if err != nil {
			return false, err
		}
		var page struct {
			NextCursor string `json:"nextCursor"`
		}
		var found []struct {
			Name string `json:"name"`
		}
		if err := resultOf(resp, &page); err != nil {
			return false, err
		}
		var res map[string]json.RawMessage
		_ = json.Unmarshal(resp.Result, &res)
		_ = json.Unmarshal(res[items], &found)
		for _, f := range found {
			if f.Name == name {
				return true, nil
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			return false, nil
		}
	}
	return false, nil
}

// callNamed serves tools/call and prompts/get: to the name's target, with
// its own name.
func (g *Gateway) callNamed(ctx context.Context, st *state, m *message, out output) {
	kind := "tool"
	if m.Method == "prompts/get" {
		kind = "prompt"
	}
	p, err := paramsOf(m)
	if err != nil || p.str("name") == "" {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "params.name is required"))
		return
	}
	name := p.str("name")
	t, inner, err := g.resolve(ctx, st, m.Method, name)
	if err != nil {
		msg := "Unknown " + kind + ": " + name
		if err.Error() != "unknown" {
			msg += " (" + err.Error() + ")"
		}
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, msg))
		return
	}
	st.call.Target, st.call.Name = t.Name, inner
	if !g.allowed(st, kind, t.Name, inner) {
		// Denied is answered as unknown: a client learns nothing of what
		// it may not use.
		st.call.Status = "denied"
		out.begin(false)
		_ = out.send(errorMessage(m.ID, codeInvalidParams, "Unknown "+kind+": "+name))
		return
	}
	if inner != name {
		p.set("name", inner)
		m = &message{ID: m.ID, Method: m.Method, Params: p.raw()}
	}
	g.forwardTo(ctx, st, t, m, out, inner)
}

// splitURI finds a resource URI's target and its URI there.
func (g *Gateway) splitURI(st *state, uri string) (*target, string, bool) {
	targets := g.sessionTargets(st)
	if !g.multi {
		return targets[0], uri, true
	}
	name, inner, ok := strings.Cut(uri, "+")
	if !ok || !hasScheme(inner) {
		return nil, "", false
	}
	for _, t := range targets {
		if t.Name == name {
			return t, inner, true
		}
	}
	return nil, "", false
}

// callURI serves resources/read, subscribe and unsubscribe.
func (g *Gateway) callURI(ctx context.Context, st *state, m *message, out output) {
	p, err := paramsOf(m)
	if err != nil || p.str("uri") == "" {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "params.uri is required"))
		return
	}
	uri := p.str("uri")
	t, inner, ok := g.splitURI(st, uri)
	if !ok {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "Unknown resource: "+uri))
		return
	}
	st.call.Target, st.call.Name = t.Name, inner
	if !g.allowed(st, "resource", t.Name, inner) {
		st.call.Status = "denied"
		out.begin(false)
		_ = out.send(errorMessage(m.ID, codeInvalidParams, "Unknown resource: "+uri))
		return
	}
	if inner != uri {
		p.set("uri", inner)
		m = &message{ID: m.ID, Method: m.Method, Params: p.raw()}
	}
	g.forwardTo(ctx, st, t, m, out, inner)
}

// complete serves completion/complete, whose ref names a prompt or a
// resource template.
func (g *Gateway) complete(ctx context.Context, st *state, m *message, out output) {
	p, err := paramsOf(m)
	var ref map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(p["ref"], &ref)
	}
	if err != nil || ref == nil {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "params.ref is required"))
		return
	}
	var t *target
	switch rawString(ref["type"]) {
	case "ref/prompt":
		name := rawString(ref["name"])
		tt, inner, err := g.resolve(ctx, st, "prompts/get", name)
		if err != nil || !g.allowed(st, "prompt", tt.Name, inner) {
			g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "Unknown prompt: "+name))
			return
		}
		t, ref["name"] = tt, mustJSON(inner)
	case "ref/resource":
		uri := rawString(ref["uri"])
		tt, inner, ok := g.splitURI(st, uri)
		if !ok || !g.allowed(st, "resource", tt.Name, inner) {
			g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "Unknown resource: "+uri))
			return
		}
		t, ref["uri"] = tt, mustJSON(inner)
	default:
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "unknown ref type"))
		return
	}
	p["ref"] = mustJSON(ref)
	st.call.Target = t.Name
	g.forwardTo(ctx, st, t, &message{ID: m.ID, Method: m.Method, Params: p.raw()}, out, "")
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// broadcast sends a request every target takes (logging/setLevel) and
// answers an empty result.
func (g *Gateway) broadcast(ctx context.Context, st *state, m *message, out output) {
	if _, err := g.gathered(g.fanout(ctx, st, g.sessionTargets(st), func(*target) *message { return m })); err != nil {
		g.fail(st, out, m.ID, err)
		return
	}
	g.reply(st, out, resultMessage(m.ID, struct{}{}))
}

// forwardTo sends m to t and streams the answer back: notifications and
// the target's own requests as they come, then the response. name is the
// tool, prompt or resource m names there.
func (g *Gateway) forwardTo(ctx context.Context, st *state, t *target, m *message, out output, name string) {
	if st.call.Target == "" {
		st.call.Target = t.Name
	}
	// In flight from now: a target may take its time before it answers
	// anything (a JSON answer comes whole), and a cancellation meanwhile
	// is still for it alone.
	if st.rec != nil {
		key := st.id + "\x00" + string(m.ID)
		g.mu.Lock()
		g.inflight[key] = t.Name
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			delete(g.inflight, key)
			g.mu.Unlock()
		}()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timedOut atomic.Bool
	timer := time.AfterFunc(g.timeout, func() { timedOut.Store(true); cancel(errTimeout) })
	u, err := g.open(ctx, st, t)
	var s stream
	if err == nil {
		s, err = g.send(ctx, st, u, m, name)
	}
	if err == nil && s == nil {
		err = errors.New("no answer")
	}
	if err != nil {
		timer.Stop()
		if timedOut.Load() {
			err = fmt.Errorf("target %s did not answer within %s", t.Name, g.timeout)
		}
		g.fail(st, out, m.ID, err)
		return
	}
	// The target took the message: how long it then takes is the tool's
	// business and the client's to bound.
	timer.Stop()
	defer s.close()
	hs, isHTTP := httpOf(s)
	streamed := !isHTTP || hs.sse
	for {
		msg, err := s.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			g.fail(st, out, m.ID, err)
			return
		}
		out.begin(streamed)
		g.outbound(t, msg)
		if msg.isResponse() && msg.Error != nil {
			st.call.Status = "error"
		}
		if out.send(msg) != nil {
			return
		}
	}
}

// outbound rewrites a target's message for the client: its requests get
// ids that say whose they are; resource URIs get the target's name.
func (g *Gateway) outbound(t *target, m *message) {
	switch {
	case m.isRequest():
		m.ID = relayID(t, m.ID)
	case m.Method == "notifications/resources/updated" && g.multi:
		if p, err := paramsOf(m); err == nil {
			p.set("uri", g.publicURI(t, p.str("uri")))
			m.Params = p.raw()
		}
	case m.isResponse() && m.Result != nil && g.multi:
		m.Result = g.rewriteContents(t, m.Result)
	}
}

// rewriteContents names the target in a resources/read result's URIs.
func (g *Gateway) rewriteContents(t *target, result json.RawMessage) json.RawMessage {
	var r map[string]json.RawMessage
	if json.Unmarshal(result, &r) != nil || r["contents"] == nil {
		return result
	}
	var contents []map[string]json.RawMessage
	if json.Unmarshal(r["contents"], &contents) != nil {
		return result
	}
	for _, c := range contents {
		if u := rawString(c["uri"]); u != "" {
			c["uri"] = mustJSON(g.publicURI(t, u))
		}
	}
	r["contents"] = mustJSON(contents)
	return mustJSON(r)
}

// relayPrefix marks the ids of targets' requests relayed to a client:
// kubelb-ai/<target>/<the target's id>.
const relayPrefix = "kubelb-ai/"

func relayID(t *target, id json.RawMessage) json.RawMessage {
	return mustJSON(relayPrefix + t.Name + "/" + string(id))
}

// unrelayID is the target and original id of a relayed request's id.
func (g *Gateway) unrelayID(id json.RawMessage) (*target, json.RawMessage, bool) {
	s := rawString(id)
	rest, ok := strings.CutPrefix(s, relayPrefix)
	if !ok {
		return nil, nil, false
	}
	name, raw, ok := strings.Cut(rest, "/")
	t := g.byName[name]
	if !ok || t == nil {
		return nil, nil, false
	}
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return nil, nil, false
	}
	switch v.(type) {
	case string, float64:
	default:
		return nil, nil, false
	}
	return t, json.RawMessage(raw), true
}

// relayResponse takes a client's answer to a target's request to its
// target, with the target's own id.
func (g *Gateway) relayResponse(ctx context.Context, st *state, m *message, out output) {
	t, id, ok := g.unrelayID(m.ID)
	if !ok {
		out.status(400)
		g.reply(st, out, errorMessage(nil, codeInvalidRequest, "a response to no request of this gateway"))
		return
	}
	st.call.Target = t.Name
	m.ID = id
	var u *upstream
	if st.rec != nil {
		var err error
		if u, err = g.open(ctx, st, t); err != nil {
			g.fail(st, out, nil, err)
			return
		}
	} else {
		u = &upstream{t: t}
	}
	s, err := g.send(ctx, st, u, m, "")
	if err != nil {
		st.call.Status = "failed"
	} else if s != nil {
		s.close()
	}
	out.accepted()
}

// notify takes a client's notification: cancellation to the target of
// the request, the rest to every target of the session.
func (g *Gateway) notify(ctx context.Context, st *state, m *message, out output) {
	defer out.accepted()
	if m.Method == "notifications/initialized" || st.rec == nil && !st.modern {
		// The gateway initialized the targets itself; without a session
		// there is no target session to tell.
		return
	}
	targets := g.sessionTargets(st)
	if m.Method == "notifications/cancelled" && st.rec != nil {
		p, _ := paramsOf(m)
		g.mu.Lock()
		owner := g.inflight[st.id+"\x00"+string(p["requestId"])]
		g.mu.Unlock()
		if t := g.byName[owner]; t != nil {
			targets = []*target{t}
		}
	}
	if st.modern && m.Method != "notifications/cancelled" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	for _, t := range targets {
		u, err := g.open(ctx, st, t)
		if err != nil {
			continue
		}
		if s, err := g.send(ctx, st, u, m, ""); err == nil && s != nil {
			s.close()
		}
	}
}
