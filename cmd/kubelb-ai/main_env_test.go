package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain keeps the tests away from the user's clusters: commands that
// consult a kubeconfig (init's target detection) find none unless a test
// passes --kubeconfig.
func TestMain(m *testing.M) {
	os.Setenv("KUBECONFIG", filepath.Join(os.TempDir(), "kubelb-ai-tests-no-kubeconfig"))
	os.Exit(m.Run())
}
