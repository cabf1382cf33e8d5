package validate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// ErrEmpty is the error of input that holds no Kubernetes object to
// validate (EmptyInputError wraps it).
var ErrEmpty = errors.New("no Kubernetes objects to validate")

// Empty reports whether r read no Kubernetes object and found nothing wrong:
// the input was empty files, comments, blank documents, documents without a
// kind, or directories without manifests. Input that fails to parse is not
// empty: it has findings.
func (r *Report) Empty() bool { return r.Documents == 0 && len(r.Findings) == 0 }

// maxEmptyReasons bounds the inputs an EmptyInputError lists one by one.
const maxEmptyReasons = 5

// EmptyInputError explains an empty report (r.Empty) of paths, as given on
// the command line ("-" for standard input): what each input held, and what
// validate expects instead. It wraps ErrEmpty.
func EmptyInputError(paths []string, r *Report) error {
	skippedIn := func(p string) bool {
		for _, s := range r.Skipped {
			if s.File == p || (p != "<stdin>" && s.File != "<stdin>" && under(s.File, p)) {
				return true
			}
		}
		return false
	}
	var reasons []string
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		name := p
		if p == "-" {
			name = "<stdin>"
		}
		if skippedIn(name) {
			continue // listed below, document by document
		}
		info, err := os.Stat(p)
		switch {
		case p == "-":
			reasons = append(reasons, "standard input is empty or only comments")
		case err == nil && info.IsDir():
			files, _ := loader.ManifestFiles(p)
			if len(files) == 0 {
				reasons = append(reasons, p+" holds no .yaml, .yml or .json file")
			} else {
				reasons = append(reasons, fmt.Sprintf("the %d .yaml, .yml or .json files under %s are empty or only comments", len(files), p))
			}
		default:
			reasons = append(reasons, p+" is empty or only comments")
		}
	}
	for _, s := range r.Skipped {
		reasons = append(reasons, fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Reason))
	}
	if n := len(reasons) - maxEmptyReasons; n > 0 {
		reasons = append(reasons[:maxEmptyReasons], fmt.Sprintf("and %d more", n))
	}
	return fmt.Errorf("%w: %s; expected YAML or JSON manifests whose documents have apiVersion and kind (in a directory: .yaml, .yml or .json files)",
		ErrEmpty, strings.Join(reasons, "; "))
}

// under says whether file is dir or inside it.
func under(file, dir string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
