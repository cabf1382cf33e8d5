package proxy

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"

	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// The BPE tokenizer for prompt estimates: cl100k_base, the encoding
// kgateway's extension counts with, loaded on first use from the data its
// Go module embeds (nothing is downloaded).
var (
	codecOnce sync.Once
	codec     tokenizer.Codec
)

// countTokens counts the tokens of a text.
func countTokens(s string) int {
	codecOnce.Do(func() {
		codec, _ = tokenizer.Get(tokenizer.Cl100kBase)
	})
	if codec == nil {
		return (len(s) + 3) / 4 // a byte count's usual estimate
	}
	ids, _, _ := codec.Encode(s)
	return len(ids)
}

// estimateTokens counts the tokens of every text of a request (messages,
// system prompts, tool definitions and results, names in free JSON)
// before it is sent; the provider's usage corrects it after.
func estimateTokens(doc map[string]any, shape *wire.Shape) int {
	n := 0
	shape.Texts(doc, func(t *wire.Slot) { n += countTokens(t.Value) })
	return n
}
