package crd

import "sync/atomic"

// reference, when set, makes validation take the apiserver's own code
// wherever kubelb-ai has a faster one of its own: YAML decoded through JSON,
// the schema walker on every document, the apiserver's CEL validator. The
// findings are the same (tests hold them so); only the cost differs.
var reference atomic.Bool

// UseReference turns the reference paths on or off for the whole process,
// for tests that compare validate's output both ways.
func UseReference(on bool) {
	reference.Store(on)
	upstreamSchemaPass.Store(on)
}
