// Package objpath reads fields of Kubernetes objects decoded as JSON maps,
// where a missing or mistyped level is simply no value.
package objpath

// Get returns the value at path in o, or nil when a level is missing or
// not an object.
func Get(o map[string]any, path ...string) any {
	var cur any = o
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}
