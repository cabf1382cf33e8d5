package cluster

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// ManifestOptions say where the manifests come from: Files (paths,
// directories, "-" for Stdin) or From (a Spec to render), and the target
// they are for ("" to detect it from them).
type ManifestOptions struct {
	Files  []string
	Stdin  io.Reader
	From   string
	Target string
	// Namespace returns the namespace of objects that name none (kubectl's
	// -n, or the kubeconfig's); nil leaves them without one.
	Namespace func() (string, error)
}

// Manifests are the objects to send, the target they are for, and the
// documents they were read from, to validate them with their files'
// positions.
type Manifests struct {
	Objects []*unstructured.Unstructured
	Target  string
	Source  loader.Source
	// Spec is the Spec rendered into Objects (From), nil for files: what
	// no manifest carries (the tracing's content switch) is read there.
	Spec *spec.AIGateway
}

// TargetError is a target name no template knows, given or detected.
type TargetError struct{ Err error }

func (e *TargetError) Error() string { return e.Err.Error() }
func (e *TargetError) Unwrap() error { return e.Err }

// ReadManifests reads the objects of o.Files or renders o.From, each input
// read once: the same read gives the objects and the validation's source.
func ReadManifests(o ManifestOptions) (*Manifests, error) {
	var maps []map[string]any
	var src loader.Source
	var from *spec.AIGateway
	target := o.Target
	if o.From != "" {
		file, err := spec.Load(o.From)
		if err != nil {
			return nil, err
		}
		g := &file.Gateway
		if target != "" {
			g.Spec.Target = target
		}
		spec.Default(g)
		if err := spec.Check(g); err != nil {
			return nil, file.Locate(err)
		}
		objs, err := generate.Render(g)
		if err != nil {
			return nil, err
		}
		var docs []*loader.Document
		for _, obj := range objs {
			m, err := dataplane.ToMap(obj.Object)
			if err != nil {
				return nil, err
			}
			maps = append(maps, m)
			docs = append(docs, &loader.Document{File: o.From + " (rendered)", Line: 1, Object: m, ListItem: -1})
		}
		src = loader.Result{Documents: docs}
		target = g.Spec.Target
		from = g
	} else {
		r, err := LoadObjects(o.Files, o.Stdin)
		if err != nil {
			return nil, err
		}
		// The objects are changed (a default namespace) before they are
		// sent; the validation judges the documents as written.
		for _, d := range r.Documents {
			maps = append(maps, runtime.DeepCopyJSON(d.Object))
		}
		src = r
	}
	if target == "" {
		target = dataplane.Detect(maps)
	}
	if _, err := templates.LookupTarget(target); err != nil {
		return nil, &TargetError{Err: err}
	}
	out := make([]*unstructured.Unstructured, len(maps))
	for i, m := range maps {
		out[i] = &unstructured.Unstructured{Object: m}
		if out[i].GetNamespace() == "" && out[i].GetKind() != "Namespace" && o.Namespace != nil {
			ns, err := o.Namespace()
			if err == nil {
				out[i].SetNamespace(ns)
			}
		}
	}
	return &Manifests{Objects: out, Target: target, Source: src, Spec: from}, nil
}

// LoadObjects reads files, directories and standard input ("-") once,
// stopping at the first thing that is not a readable manifest. The result
// holds every document, so that it can be walked again (validated) without
// reading the files again.
func LoadObjects(paths []string, stdin io.Reader) (loader.Result, error) {
	if slices.Contains(paths, "-") && stdin == nil {
		return loader.Result{}, errors.New("-: no standard input")
	}
	in, err := loader.Open(paths, stdin, 0)
	if err != nil {
		return loader.Result{}, err
	}
	var docs []*loader.Document
	var bad error
	r := in.Walk(func(d *loader.Document) bool {
		if len(d.DecodeErrors) > 0 {
			line, _ := d.Position(d.DecodeErrors[0].Field)
			bad = fmt.Errorf("%s:%d: %s", d.File, line, d.DecodeErrors[0].Detail)
			return false
		}
		docs = append(docs, d)
		return true
	})
	switch {
	case len(r.Problems) > 0:
		return loader.Result{}, r.Problems[0]
	case bad != nil:
		return loader.Result{}, bad
	}
	if len(docs) == 0 {
		return loader.Result{}, fmt.Errorf("no Kubernetes objects in %s", strings.Join(paths, ", "))
	}
	r.Documents = docs
	return r, nil
}

// Maps returns the objects of r's documents.
func Maps(r loader.Result) []map[string]any {
	maps := make([]map[string]any, len(r.Documents))
	for i, d := range r.Documents {
		maps[i] = d.Object
	}
	return maps
}
