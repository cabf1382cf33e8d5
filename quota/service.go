package quota

import (
	"context"
	"fmt"

	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Service asks a real rate-limit service (envoyproxy/ratelimit or any
// envoy.service.ratelimit.v3 server) over gRPC.
type Service struct {
	conn   *grpc.ClientConn
	client rlsv3.RateLimitServiceClient
}

// NewService returns a client of the service at addr (host:port, plain
// gRPC as inside a cluster). It connects lazily; Close releases it.
func NewService(addr string) (*Service, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("rate-limit service %s: %w", addr, err)
	}
	return &Service{conn: conn, client: rlsv3.NewRateLimitServiceClient(conn)}, nil
}

// Close closes the connection.
func (s *Service) Close() error { return s.conn.Close() }

// ShouldRateLimit is Check with one cost for every descriptor.
func (s *Service) ShouldRateLimit(ctx context.Context, domain string, descriptors [][]Entry, hitsAddend uint32) (Result, error) {
	return s.Check(ctx, Request{Domain: domain, Descriptors: descriptors, HitsAddend: hitsAddend})
}

// Check implements Engine. The context bounds the call; the caller sets
// the timeout its failure mode needs.
func (s *Service) Check(ctx context.Context, r Request) (Result, error) {
	req := &rlsv3.RateLimitRequest{Domain: r.Domain, HitsAddend: r.HitsAddend}
	for i, d := range r.Descriptors {
		pd := &ratelimitv3.RateLimitDescriptor{}
		for _, e := range d {
			pd.Entries = append(pd.Entries, &ratelimitv3.RateLimitDescriptor_Entry{Key: e.Key, Value: e.Value})
		}
		if i < len(r.Hits) && r.Hits[i] != nil {
			pd.HitsAddend = wrapperspb.UInt64(*r.Hits[i])
		}
		req.Descriptors = append(req.Descriptors, pd)
	}
	resp, err := s.client.ShouldRateLimit(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("rate-limit service: %w", err)
	}
	res := Result{Code: Code(resp.GetOverallCode()), Statuses: make([]Status, len(resp.GetStatuses()))}
	for i, st := range resp.GetStatuses() {
		s := Status{Code: Code(st.GetCode()), Remaining: st.GetLimitRemaining()}
		if l := st.GetCurrentLimit(); l != nil {
			s.Limit = &Limit{RequestsPerUnit: l.GetRequestsPerUnit(), Unit: Unit(l.GetUnit()), Name: l.GetName()}
		}
		if d := st.GetDurationUntilReset(); d != nil {
			s.ResetAfter = d.AsDuration()
		}
		res.Statuses[i] = s
	}
	return res, nil
}

var (
	_ Engine = (*Memory)(nil)
	_ Engine = (*Redis)(nil)
	_ Engine = (*Service)(nil)
)
