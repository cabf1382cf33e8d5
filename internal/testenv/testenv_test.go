package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedDirOverride(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(SharedEnv, dir)
	if got := SharedDir(t); got != dir {
		t.Errorf("SharedDir = %q, want %q", got, dir)
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Error(err)
	}
}

func TestGatewayAPICRDDir(t *testing.T) {
	dir := GatewayAPICRDDir(t)
	if _, err := os.Stat(filepath.Join(dir, "gateway.networking.k8s.io_gateways.yaml")); err != nil {
		t.Error(err)
	}
}
