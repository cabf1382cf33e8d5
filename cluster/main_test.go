package cluster

import (
	"fmt"
	"os"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := testenv.StopSharedClusters(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}
