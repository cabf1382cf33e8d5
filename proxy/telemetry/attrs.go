package telemetry

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
)

// AppendServerAttrs appends server.address and server.port of a
// host:port to attrs (the address alone when there is no port; nothing
// for ""). Appending lets a caller keep a span's attributes in one slice
// of its own.
func AppendServerAttrs(attrs []attribute.KeyValue, hostport string) []attribute.KeyValue {
	if hostport == "" {
		return attrs
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return append(attrs, semconv.ServerAddress(hostport))
	}
	attrs = append(attrs, semconv.ServerAddress(host))
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, semconv.ServerPort(p))
	}
	return attrs
}

// ErrorType is error.type for a call that failed in transport: cancelled,
// timeout, connection_error, or the conventions' _OTHER.
func ErrorType(err error) string {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &op):
		return "connection_error"
	}
	return semconv.ErrorTypeOther.Value.AsString()
}
