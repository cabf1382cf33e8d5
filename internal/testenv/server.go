package testenv

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Ready reports whether a server a test started is ready, given what the
// process has printed so far. It should prove the server is the one
// started (a reply only it gives, a line only it prints), not merely that
// the port accepts: another process may own the port (see StartServer).
type Ready func(ctx context.Context, output string) error

// defaultStartTimeout bounds a process's start, readiness included, when
// StartServer is given none.
const defaultStartTimeout = 20 * time.Second

// StartServer starts the process start returns for a free loopback port,
// waits until ready says so, and stops it when the test ends; it returns
// host:port. The port is free when picked, but another process can take it
// before the server binds it, so a server that exits before it is ready is
// tried again on another port (three times in all). timeout bounds each
// try (0: 20s). If the test fails, the server's output is logged.
func StartServer(t testing.TB, name string, timeout time.Duration, start func(port int) (*exec.Cmd, Ready)) string {
	t.Helper()
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	var lastErr error
	for range 3 {
		port := freePort(t)
		cmd, ready := start(port)
		out := new(Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = childAttr()
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", name, err)
		}
		// exited is closed once the process is gone, waitErr then set:
		// both waitReady and stop may wait for it.
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		err := waitReady(ctx, timeout, ready, out, exited, &waitErr)
		cancel()
		if err == nil {
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("%s output:\n%s", name, out.String())
				}
			})
			return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		}
		stop()
		lastErr = fmt.Errorf("%w\n%s output:\n%s", err, name, out.String())
	}
	t.Fatalf("starting %s: %v", name, lastErr)
	return ""
}

func waitReady(ctx context.Context, timeout time.Duration, ready Ready, out *Buffer, exited <-chan struct{}, waitErr *error) error {
	for {
		err := ready(ctx, out.String())
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready: %v", *waitErr)
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %v", timeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
