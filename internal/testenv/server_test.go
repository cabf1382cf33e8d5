package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// TestStartServerRetriesAndReadsOutput: a server that exits before it is
// ready (as one whose port another process took) is started again on
// another port, and readiness may be read from what it prints.
func TestStartServerRetriesAndReadsOutput(t *testing.T) {
	dir := t.TempDir()
	tries := filepath.Join(dir, "tries")
	var ports []int
	addr := testenv.StartServer(t, "flaky", 0, func(port int) (*exec.Cmd, testenv.Ready) {
		ports = append(ports, port)
		// Exits on the first two tries, then says it is ready and waits.
		cmd := exec.Command("sh", "-c", `n=$(cat "$1" 2>/dev/null || echo 0); echo $((n+1)) > "$1"; [ "$n" -ge 2 ] || exit 3; echo "ready on $2"; exec sleep 60`,
			"sh", tries, fmt.Sprint(port))
		want := fmt.Sprintf("ready on %d", port)
		return cmd, func(_ context.Context, output string) error {
			if !strings.Contains(output, want) {
				return errors.New("not ready")
			}
			return nil
		}
	})
	if len(ports) != 3 {
		t.Fatalf("started %d times, want 3 (two early exits, then ready)", len(ports))
	}
	if want := fmt.Sprintf("127.0.0.1:%d", ports[2]); addr != want {
		t.Errorf("address %s, want the last try's %s", addr, want)
	}
	if b, _ := os.ReadFile(tries); strings.TrimSpace(string(b)) != "3" {
		t.Errorf("the server ran %q times", b)
	}
}
