// Command krew builds the release archives of the kubectl plugin and writes
// its krew manifest, plugins/kubelb-ai.yaml, with their checksums. The
// release uploads dist/*.tar.gz to the URIs the manifest names.
//
// Usage (from the repository root; `make krew VERSION=v0.1.0` runs it):
//
//	go run ./hack/krew -version v0.1.0 [-dist dist] [-manifest plugins/kubelb-ai.yaml]
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
)

// Platforms the plugin is built for.
var platforms = []struct{ OS, Arch string }{
	{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"},
}

const repository = "https://github.com/kubelb-ai/kubelb-ai"

var manifest = template.Must(template.New("krew").Parse(`apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: kubelb-ai
spec:
  version: {{.Version}}
  homepage: ` + repository + `
  shortDescription: Scaffold, validate, apply and serve an AI gateway on KubeLB
  description: |
    kubelb-ai writes the manifests of an AI gateway on KubeLB (Gateway,
    parameters, LLM backends, routes, Secrets, rate limits) for kgateway
    v2.0/v2.1 or agentgateway, validates them offline as strictly as the API
    server, and applies, diffs and deletes them with server-side apply:
    kubectl kubelb-ai init | validate | apply | diff | status | delete.
  platforms:
{{- range .Platforms}}
  - selector:
      matchLabels:
        os: {{.OS}}
        arch: {{.Arch}}
    uri: ` + repository + `/releases/download/{{$.Version}}/{{.Archive}}
    sha256: {{.SHA256}}
    bin: kubectl-kubelb_ai
{{- end}}
`))

type platform struct{ OS, Arch, Archive, SHA256 string }

func main() {
	version := flag.String("version", "", "release version, e.g. v0.1.0")
	dist := flag.String("dist", "dist", "directory for the archives")
	out := flag.String("manifest", "plugins/kubelb-ai.yaml", "where to write the krew manifest")
	flag.Parse()
	if !strings.HasPrefix(*version, "v") {
		fatalf("-version vX.Y.Z is required")
	}
	check(os.MkdirAll(*dist, 0o755))
	commit, _ := exec.Command("git", "rev-parse", "HEAD").Output()
	var ps []platform
	for _, p := range platforms {
		bin := filepath.Join(*dist, p.OS+"-"+p.Arch, "kubectl-kubelb_ai")
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false",
			"-ldflags", fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s", *version, strings.TrimSpace(string(commit))),
			"-o", bin, "./cmd/kubelb-ai")
		cmd.Env = append(os.Environ(), "GOOS="+p.OS, "GOARCH="+p.Arch, "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		check(cmd.Run())
		archive := fmt.Sprintf("kubelb-ai_%s_%s_%s.tar.gz", strings.TrimPrefix(*version, "v"), p.OS, p.Arch)
		data := tarGz(bin)
		check(os.WriteFile(filepath.Join(*dist, archive), data, 0o644))
		sum := sha256.Sum256(data)
		ps = append(ps, platform{OS: p.OS, Arch: p.Arch, Archive: archive, SHA256: hex.EncodeToString(sum[:])})
		fmt.Fprintf(os.Stderr, "krew: %s\n", archive)
	}
	var buf bytes.Buffer
	check(manifest.Execute(&buf, struct {
		Version   string
		Platforms []platform
	}{*version, ps}))
	check(os.MkdirAll(filepath.Dir(*out), 0o755))
	check(os.WriteFile(*out, buf.Bytes(), 0o644))
	fmt.Fprintf(os.Stderr, "krew: wrote %s\n", *out)
}

// tarGz packs the binary alone, with fixed metadata so that the same binary
// gives the same archive.
func tarGz(bin string) []byte {
	data, err := os.ReadFile(bin)
	check(err)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	check(tw.WriteHeader(&tar.Header{Name: "kubectl-kubelb_ai", Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}))
	_, err = tw.Write(data)
	check(err)
	check(tw.Close())
	check(gz.Close())
	return buf.Bytes()
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "krew: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}
