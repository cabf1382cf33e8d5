package testenv

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The real components of the global rate-limit tests, which
// hack/ratelimit/install.sh (make ratelimit-tools) installs.
const (
	// RateLimitVersion is the envoyproxy/ratelimit module version
	// install.sh builds (a pseudo-version of its main branch).
	RateLimitVersion = "v1.4.1-0.20260122083618-3fb702589d36"
	// RateLimitEnv overrides the ratelimit binary's path.
	RateLimitEnv = "KUBELB_AI_RATELIMIT"
)

// RateLimitBinary returns the envoyproxy/ratelimit binary: $KUBELB_AI_RATELIMIT,
// or where install.sh puts it. Missing, the test is skipped, or fails
// under CI=true.
func RateLimitBinary(t testing.TB) string {
	t.Helper()
	path := os.Getenv(RateLimitEnv)
	if path == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		path = filepath.Join(cache, "kubelb-ai", "ratelimit", RateLimitVersion, "ratelimit")
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		missing(t, "envoyproxy/ratelimit not found at %s: run make ratelimit-tools (or set %s)", path, RateLimitEnv)
	}
	return path
}

// RedisServerBinary returns redis-server from PATH; missing, the test is
// skipped, or fails under CI=true.
func RedisServerBinary(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		missing(t, "redis-server not found on PATH: run make ratelimit-tools (Debian's redis-server)")
	}
	return path
}

// StartRedis starts a throwaway redis-server on a free loopback port, with
// no persistence, and stops it when the test ends. It returns host:port.
func StartRedis(t testing.TB) string {
	t.Helper()
	bin := RedisServerBinary(t)
	dir := t.TempDir()
	return StartServer(t, "redis-server", 0, func(port int) (*exec.Cmd, Ready) {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no")
		return cmd, func(ctx context.Context, _ string) error { return redisPing(ctx, addr) }
	})
}

// StartRateLimit starts envoyproxy/ratelimit with config as its only
// configuration file, counting in the Redis at redisAddr, and stops it when
// the test ends. It returns the gRPC address (host:port) once the service
// has loaded the configuration.
func StartRateLimit(t testing.TB, redisAddr string, config []byte) string {
	t.Helper()
	bin := RateLimitBinary(t)
	root := t.TempDir()
	confDir := filepath.Join(root, "ratelimit", "config")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(confDir, "config.yaml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	var grpcAddr string
	StartServer(t, "ratelimit", 0, func(grpcPort int) (*exec.Cmd, Ready) {
		// The service needs three ports; the first comes from
		// StartServer, the others are picked here.
		httpPort, debugPort := freePort(t), freePort(t)
		grpcAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(grpcPort))
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(),
			"BACKEND_TYPE=redis", "REDIS_SOCKET_TYPE=tcp", "REDIS_URL="+redisAddr,
			"USE_STATSD=false", "LOG_LEVEL=warn",
			"RUNTIME_ROOT="+root, "RUNTIME_SUBDIRECTORY=ratelimit", "RUNTIME_WATCH_ROOT=false",
			"HOST=127.0.0.1", "PORT="+strconv.Itoa(httpPort),
			"GRPC_HOST=127.0.0.1", "GRPC_PORT="+strconv.Itoa(grpcPort),
			"DEBUG_HOST=127.0.0.1", "DEBUG_PORT="+strconv.Itoa(debugPort),
		)
		debug := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(debugPort))
		return cmd, func(ctx context.Context, _ string) error { return rateLimitReady(ctx, debug, grpcAddr) }
	})
	return grpcAddr
}

func redisPing(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// rateLimitReady waits for the configuration to be loaded (the debug
// port's /rlconfig lists the limits; an invalid file leaves it empty, and
// the service keeps running) and for the gRPC port to accept connections.
func rateLimitReady(ctx context.Context, debug, grpcAddr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, debug+"/rlconfig", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(strings.TrimSpace(string(body))) == 0 {
		return fmt.Errorf("no configuration loaded yet (/rlconfig: %d %q)", resp.StatusCode, body)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", grpcAddr)
	if err != nil {
		return err
	}
	return c.Close()
}
