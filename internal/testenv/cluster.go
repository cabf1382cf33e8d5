package testenv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment of the real kube-apiserver tests.
const (
	// APIServerEnv=1 lets tests start a kube-apiserver with hack/testcluster
	// (`make test-apiserver` sets it); without it they skip.
	APIServerEnv = "KUBELB_AI_APISERVER"
	// ClusterCacheEnv is the harness's CACHE_DIR (default: its own default).
	ClusterCacheEnv = "KUBELB_AI_TESTCLUSTER_CACHE"
)

// Cluster is a running test control plane: etcd and kube-apiserver on
// loopback, no controllers.
type Cluster struct {
	Kubeconfig string
	// Kubectl is the kubectl binary the harness built, of the same version.
	Kubectl string
}

// StartCluster starts a kube-apiserver with the CRDs in crdDirs, in order,
// and stops it when the test ends (or, if the test binary dies,
// when it exits). Unless one of crdDirs is an embedded Gateway API bundle
// (schemas/crds/gateway-api/VERSION/CHANNEL), hack/testcluster's default
// bundle comes first. Without KUBELB_AI_APISERVER=1 the test is skipped; a
// harness failure skips it too, but fails it under CI=true.
func StartCluster(t testing.TB, crdDirs ...string) Cluster {
	t.Helper()
	state := t.TempDir()
	c := startCluster(t, state, crdDirs)
	t.Cleanup(func() {
		if err := stopCluster(state); err != nil {
			t.Error(err)
		}
	})
	return c
}

var shared struct {
	sync.Mutex
	states []string
}

// StartClusterShared is StartCluster for a cluster that outlives the test
// that starts it, for several tests of one package; the package's TestMain
// calls StopSharedClusters after m.Run.
func StartClusterShared(t testing.TB, crdDirs ...string) Cluster {
	t.Helper()
	state, err := os.MkdirTemp("", "kubelb-ai-testcluster-")
	if err != nil {
		t.Fatal(err)
	}
	shared.Lock()
	shared.states = append(shared.states, state)
	shared.Unlock()
	return startCluster(t, state, crdDirs)
}

// StopSharedClusters stops the clusters StartClusterShared started.
func StopSharedClusters() error {
	shared.Lock()
	defer shared.Unlock()
	var errs []error
	for _, s := range shared.states {
		errs = append(errs, stopCluster(s), os.RemoveAll(s))
	}
	shared.states = nil
	return errors.Join(errs...)
}

func stopCluster(state string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	out, err := exec.Command("bash", filepath.Join(root, "hack", "testcluster", "stop.sh"), state).CombinedOutput()
	if err != nil {
		return fmt.Errorf("stopping the test cluster: %v\n%s", err, out)
	}
	return nil
}

func startCluster(t testing.TB, state string, crdDirs []string) Cluster {
	t.Helper()
	if os.Getenv(APIServerEnv) != "1" {
		t.Skipf("needs a real kube-apiserver: set %s=1 (hack/testcluster builds one; a cold build takes ~10 min); `make test-apiserver` does", APIServerEnv)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(root, "hack", "testcluster", "start.sh"), os.Getenv(ClusterCacheEnv), state)
	cmd.Env = append(os.Environ(), "CRD_DIRS="+strings.Join(crdDirs, ":"), "TESTCLUSTER_WATCH_PID="+strconv.Itoa(os.Getpid()))
	for _, d := range crdDirs {
		if strings.Contains(filepath.ToSlash(d), "/schemas/crds/gateway-api/") {
			cmd.Env = append(cmd.Env, "GATEWAY_API_CRDS=none")
		}
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		harnessFailed(t, "starting hack/testcluster/start.sh: %v", err)
	}
	var tail []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "[testcluster") {
			t.Log(line)
		}
		if tail = append(tail, line); len(tail) > 40 {
			tail = tail[1:]
		}
	}
	if err := cmd.Wait(); err != nil {
		harnessFailed(t, "hack/testcluster/start.sh failed after %s: %v\n%s", time.Since(start).Round(time.Second), err, strings.Join(tail, "\n"))
	}
	kc := strings.TrimSpace(stdout.String())
	if kc == "" {
		harnessFailed(t, "hack/testcluster/start.sh printed no kubeconfig path")
	}
	t.Logf("test cluster up in %s", time.Since(start).Round(100*time.Millisecond))
	c := Cluster{Kubeconfig: kc}
	if env, err := os.ReadFile(filepath.Join(state, "env")); err == nil {
		for _, line := range strings.Split(string(env), "\n") {
			if v, ok := strings.CutPrefix(line, "export PATH="); ok {
				dir, _, _ := strings.Cut(strings.Trim(v, `"'`), ":")
				if _, err := os.Stat(filepath.Join(dir, "kubectl")); err == nil {
					c.Kubectl = filepath.Join(dir, "kubectl")
				}
			}
		}
	}
	return c
}

// harnessFailed skips the test, or fails it under CI=true so that CI
// cannot pass by not running it.
func harnessFailed(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := "the kube-apiserver test harness could not start: " + fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
