package crd

import (
	"sync"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	"k8s.io/apiserver/pkg/cel/common"
)

// schemaNode is the view of one structural schema node that CEL values are
// built on (common.UnstructuredToVal). The apiserver's adapter,
// model.Structural, answers Properties by building a new map of new
// adapters on every call, and CEL asks for it on every field a rule reads,
// so a third of evaluation went into rebuilding maps. schemaNode answers
// the same questions from values computed once, the first time they are
// asked, and kept as long as the kind's compiled rules. Every other question
// goes to model.Structural, so both views describe the schema alike.
//
// A schemaNode is safe for concurrent use; the schema it wraps must not
// change.
type schemaNode struct {
	model.Structural

	once  sync.Once
	props map[string]common.Schema // nil when the schema has no properties
	items common.Schema            // nil interface when there are none
	extra common.SchemaOrBool      // additionalProperties; nil interface when absent

	metaOnce sync.Once
	meta     common.Schema
}

var _ common.Schema = (*schemaNode)(nil)

func newSchemaNode(s *structuralschema.Structural) *schemaNode {
	return &schemaNode{Structural: model.Structural{Structural: s}}
}

func (n *schemaNode) schema() *structuralschema.Structural { return n.Structural.Structural }

// children computes what Properties, Items and AdditionalProperties return.
func (n *schemaNode) children() {
	n.once.Do(func() {
		s := n.schema()
		if s.Properties != nil {
			n.props = make(map[string]common.Schema, len(s.Properties))
			for name, p := range s.Properties {
				n.props[name] = newSchemaNode(&p)
			}
		}
		if s.Items != nil {
			n.items = newSchemaNode(s.Items)
		}
		if s.AdditionalProperties != nil {
			n.extra = newSchemaOrBool(s.AdditionalProperties)
		}
	})
}

// child returns the adapter of property name, shared with Properties.
func (n *schemaNode) child(name string) *schemaNode {
	n.children()
	c, _ := n.props[name].(*schemaNode)
	return c
}

// itemsNode returns the adapter of the items schema, shared with Items.
func (n *schemaNode) itemsNode() *schemaNode {
	n.children()
	c, _ := n.items.(*schemaNode)
	return c
}

// extraNode returns the adapter of the additionalProperties schema, shared
// with AdditionalProperties.
func (n *schemaNode) extraNode() *schemaNode {
	n.children()
	if n.extra == nil {
		return nil
	}
	c, _ := n.extra.Schema().(*schemaNode)
	return c
}

// Properties returns the same map on every call; callers only read it.
func (n *schemaNode) Properties() map[string]common.Schema {
	n.children()
	return n.props
}

func (n *schemaNode) Items() common.Schema {
	n.children()
	return n.items
}

func (n *schemaNode) AdditionalProperties() common.SchemaOrBool {
	n.children()
	return n.extra
}

// WithTypeAndObjectMeta is asked for at every resource root (the object
// itself and each x-kubernetes-embedded-resource value). The answer is
// model.WithTypeAndObjectMeta's schema, whose properties other than kind,
// apiVersion and metadata are this node's own, so their adapters are shared.
func (n *schemaNode) WithTypeAndObjectMeta() common.Schema {
	n.metaOnce.Do(func() {
		s := n.schema()
		withMeta := model.WithTypeAndObjectMeta(s)
		if withMeta == s {
			n.meta = n
			return
		}
		m := newSchemaNode(withMeta)
		m.once.Do(func() {
			n.children()
			m.props = make(map[string]common.Schema, len(withMeta.Properties))
			for name, p := range withMeta.Properties {
				switch name {
				case "kind", "apiVersion", "metadata":
					m.props[name] = newSchemaNode(&p)
				default:
					m.props[name] = n.props[name]
				}
			}
			// model.WithTypeAndObjectMeta keeps additionalProperties and
			// drops items (an object has none).
			if withMeta.AdditionalProperties != nil {
				m.extra = n.extra
			}
		})
		// The rebuilt schema passes model.WithTypeAndObjectMeta's check, so
		// asking again gives the same schema.
		m.metaOnce.Do(func() { m.meta = m })
		n.meta = m
	})
	return n.meta
}

// schemaOrBool is additionalProperties with its schema's adapter made once.
type schemaOrBool struct {
	allows bool
	schema common.Schema // nil interface when there is no schema
}

func newSchemaOrBool(sb *structuralschema.StructuralOrBool) *schemaOrBool {
	out := &schemaOrBool{allows: sb.Bool}
	if sb.Structural != nil {
		out.schema = newSchemaNode(sb.Structural)
	}
	return out
}

func (s *schemaOrBool) Schema() common.Schema { return s.schema }
func (s *schemaOrBool) Allows() bool          { return s.allows }
