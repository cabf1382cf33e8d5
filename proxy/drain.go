package proxy

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// afterDrain is how long Serve waits, once the drain time is over and the
// remaining connections are closed, for their handlers to return and log.
const afterDrain = 2 * time.Second

// flight counts the listeners' requests in flight, so that Serve can wait
// for the ones it cuts at the drain deadline to be logged.
type flight struct {
	n atomic.Int64
	// cut is set when the drain time is over and the remaining
	// connections are closed.
	cut atomic.Bool
}

type flightKey struct{}

// base is the http.Server's BaseContext: every request's context carries
// f (no cost per request).
func (f *flight) base(net.Listener) context.Context {
	return context.WithValue(context.Background(), flightKey{}, f)
}

func (f *flight) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.n.Add(1)
		defer f.n.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// wait waits up to d for every tracked handler to return.
func (f *flight) wait(d time.Duration) {
	for deadline := time.Now().Add(d); f.n.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// abortedBy says why a request ended before its response did: "drain"
// (serve stopped and the drain time was over) or "client" (the client went
// away); "" if it did not.
func abortedBy(r *http.Request) string {
	if r.Context().Err() == nil {
		return ""
	}
	if f, _ := r.Context().Value(flightKey{}).(*flight); f != nil && f.cut.Load() {
		return "drain"
	}
	return "client"
}

// drain stops servers: no new connections, requests in flight finish
// within d. Then the connections still open are closed (cancelling their
// requests, upstream calls included) and their handlers get up to
// afterDrain to return, so that every request has its access log line.
func drain(servers map[string]*http.Server, d time.Duration, f *flight) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	var late atomic.Bool
	for _, s := range servers {
		wg.Go(func() {
			if s.Shutdown(ctx) != nil {
				late.Store(true)
			}
		})
	}
	wg.Wait()
	if !late.Load() {
		return
	}
	f.cut.Store(true)
	for _, s := range servers {
		_ = s.Close()
	}
	f.wait(afterDrain)
}
