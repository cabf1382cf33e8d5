package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"
)

// listen serves a 2026-07-28 subscriptions/listen over several targets:
// each target is asked for the lists it can report and for the resources
// it owns; once every target acknowledged, the client gets one
// acknowledgement of what any of them accepted, then every target's
// notifications on the one stream, until the client leaves.
func (g *Gateway) listen(ctx context.Context, st *state, m *message, out output) {
	p, err := paramsOf(m)
	if err != nil {
		g.reply(st, out, errorMessage(m.ID, codeInvalidParams, err.Error()))
		return
	}
	var uris []string
	_ = json.Unmarshal(p["resourceSubscriptions"], &uris)
	owned := map[string][]string{}
	for _, u := range uris {
		t, inner, ok := g.splitURI(st, u)
		if !ok {
			g.reply(st, out, errorMessage(m.ID, codeInvalidParams, "Unknown resource: "+u))
			return
		}
		owned[t.Name] = append(owned[t.Name], inner)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type opened struct {
		t   *target
		s   stream
		ack *message
		err error
	}
	targets := g.sessionTargets(st)
	got := make([]opened, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := params{}
			for k, v := range p {
				q[k] = v
			}
			delete(q, "resourceSubscriptions")
			if len(owned[t.Name]) > 0 {
				q.set("resourceSubscriptions", owned[t.Name])
			}
			s, ack, err := g.openListen(ctx, st, t, &message{ID: m.ID, Method: m.Method, Params: q.raw()})
			got[i] = opened{t, s, ack, err}
		}()
	}
	wg.Wait()
	var ok []opened
	for _, o := range got {
		if o.err != nil {
			if !g.cfg.FailOpen {
				for _, c := range got {
					if c.s != nil {
						c.s.close()
					}
				}
				g.fail(st, out, m.ID, o.err)
				return
			}
			continue
		}
		ok = append(ok, o)
	}
	if len(ok) == 0 {
		g.fail(st, out, m.ID, errors.New("no target accepted the subscription"))
		return
	}
	// One acknowledgement: a list any target reports, and the resources
	// each accepted, as the client names them.
	accepted := map[string]any{}
	var resources []string
	for _, o := range ok {
		var a struct {
			Notifications map[string]json.RawMessage `json:"notifications"`
		}
		_ = json.Unmarshal(o.ack.Params, &a)
		for k, v := range a.Notifications {
			if k == "resourceSubscriptions" {
				var rs []string
				_ = json.Unmarshal(v, &rs)
				for _, r := range rs {
					resources = append(resources, g.publicURI(o.t, r))
				}
				continue
			}
			var b bool
			if json.Unmarshal(v, &b) == nil && b {
				accepted[k] = true
			}
		}
	}
	if len(resources) > 0 {
		accepted["resourceSubscriptions"] = resources
	}
	ackParams := params{}
	if ap, err := paramsOf(ok[0].ack); err == nil && ap["_meta"] != nil {
		ackParams["_meta"] = ap["_meta"] // the subscription's id, as the client gave it
	}
	ackParams.set("notifications", accepted)
	out.begin(true)
	if out.send(&message{Method: "notifications/subscriptions/acknowledged", Params: ackParams.raw()}) != nil {
		return
	}
	merged := make(chan *message)
	var relays sync.WaitGroup
	for _, o := range ok {
		relays.Add(1)
		go func() {
			defer relays.Done()
			defer o.s.close()
			for {
				msg, err := o.s.next()
				if err != nil || msg.isResponse() {
					return // the target ended its subscription
				}
				g.outbound(o.t, msg)
				select {
				case merged <- msg:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	ended := make(chan struct{})
	go func() { relays.Wait(); close(ended) }()
	for {
		select {
		case msg := <-merged:
			if out.send(msg) != nil {
				return
			}
		case <-ended:
			// Every target ended: so does the subscription.
			_ = out.send(resultMessage(m.ID, map[string]any{}))
			return
		case <-ctx.Done():
			return
		}
	}
}

// openListen sends a listen request to t and waits, within the timeout,
// for its acknowledgement.
func (g *Gateway) openListen(ctx context.Context, st *state, t *target, m *message) (stream, *message, error) {
	u, err := g.open(ctx, st, t)
	if err != nil {
		return nil, nil, err
	}
	s, err := g.send(ctx, st, u, m, "")
	if err == nil && s == nil {
		err = errors.New("no answer")
	}
	if err != nil {
		return nil, nil, err
	}
	type first struct {
		m   *message
		err error
	}
	got := make(chan first, 1)
	go func() {
		msg, err := s.next()
		got <- first{msg, err}
	}()
	timer := time.NewTimer(g.timeout)
	defer timer.Stop()
	select {
	case f := <-got:
		if f.err == io.EOF {
			f.err = errors.New("the target ended the subscription at once")
		}
		if f.err == nil && f.m.Error != nil {
			f.err = f.m.Error
		}
		if f.err == nil && f.m.Method != "notifications/subscriptions/acknowledged" {
			f.err = errors.New("the target's first message was not an acknowledgement")
		}
		if f.err != nil {
			s.close()
			return nil, nil, f.err
		}
		return s, f.m, nil
	case <-timer.C:
		s.close()
		return nil, nil, errors.New("target " + t.Name + " did not acknowledge the subscription in time")
	}
}
