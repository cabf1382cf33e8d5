package testenv_test

import (
	"net"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// TestRateLimitStartsAndStops: the servers answer on loopback while the
// test runs and are gone once its cleanup has run.
func TestRateLimitStartsAndStops(t *testing.T) {
	var redisAddr, rlsAddr string
	t.Run("run", func(t *testing.T) {
		redisAddr = testenv.StartRedis(t)
		rlsAddr = testenv.StartRateLimit(t, redisAddr, []byte("domain: d\ndescriptors:\n- key: k\n  rate_limit: {unit: second, requests_per_unit: 1}\n"))
		for _, a := range []string{redisAddr, rlsAddr} {
			host, _, _ := net.SplitHostPort(a)
			if host != "127.0.0.1" {
				t.Errorf("%s is not on loopback", a)
			}
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			c.Close()
		}
	})
	if t.Skipped() || redisAddr == "" || rlsAddr == "" {
		return
	}
	for _, a := range []string{redisAddr, rlsAddr} {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the test ended", a)
		}
	}
}
