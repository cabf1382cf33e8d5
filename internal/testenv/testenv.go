// Package testenv locates data that tests share with the rest of the
// project but that does not live in this repository: the shared directory
// beside the checkout and the Gateway API CRDs in the module cache.
package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// SharedEnv overrides the location of the shared directory.
const SharedEnv = "KUBELB_AI_SHARED"

// SharedDir returns the "shared" directory beside the repository (the
// parent of the directory holding go.mod), or $KUBELB_AI_SHARED if set.
// When it is missing the test is skipped, so a bare checkout still passes
// "go test ./..."; with CI=true it fails instead, so CI cannot go green by
// silently skipping.
func SharedDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(SharedEnv); dir != "" {
		return requireDir(t, dir, "$"+SharedEnv)
	}
	root, err := ModuleRoot()
	if err != nil {
		missing(t, "shared test data: %v (set %s)", err, SharedEnv)
	}
	return requireDir(t, filepath.Join(filepath.Dir(root), "shared"), "the shared directory beside the repository")
}

func requireDir(t testing.TB, dir, what string) string {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		missing(t, "shared test data not found: %s (%s) is not a directory; set %s to its location", dir, what, SharedEnv)
	}
	return dir
}

// missing skips the test, or fails it under CI=true.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// ModuleRoot returns the nearest directory at or above the working
// directory that contains go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

var gatewayAPI struct {
	once sync.Once
	dir  string
	err  error
}

// GatewayAPICRDDir returns config/crd/standard of the sigs.k8s.io/gateway-api
// module version required by go.mod, so tests validate against exactly the
// CRDs the build depends on. The module is downloaded if it is not yet in
// the module cache. Failure to find it is fatal: it is a declared dependency.
func GatewayAPICRDDir(t testing.TB) string {
	t.Helper()
	gatewayAPI.once.Do(func() {
		gatewayAPI.dir, gatewayAPI.err = gatewayAPIModuleDir()
	})
	if gatewayAPI.err != nil {
		t.Fatalf("locating sigs.k8s.io/gateway-api: %v", gatewayAPI.err)
	}
	dir := filepath.Join(gatewayAPI.dir, "config", "crd", "standard")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("Gateway API CRDs not found in %s", dir)
	}
	return dir
}

func gatewayAPIModuleDir() (string, error) {
	const mod = "sigs.k8s.io/gateway-api"
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := goCmd(root, "list", "-m", "-f", "{{.Dir}}", mod)
	if err != nil {
		return "", err
	}
	if dir != "" {
		return dir, nil
	}
	if _, err := goCmd(root, "mod", "download", mod); err != nil {
		return "", err
	}
	dir, err = goCmd(root, "list", "-m", "-f", "{{.Dir}}", mod)
	if err != nil {
		return "", err
	}
	if dir == "" {
		return "", errors.New("module directory is still empty after go mod download")
	}
	return dir, nil
}

func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", errors.New("go " + strings.Join(args, " ") + ": " + err.Error() + ": " + strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
