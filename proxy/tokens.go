package proxy

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// The BPE tokenizer for prompt estimates: cl100k_base, the encoding
// kgateway's extension counts with, loaded on first use from the data its
// Go module embeds (nothing is downloaded).
var (
	codecOnce sync.Once
	codec     tokenizer.Codec
)

// estimateTokens counts the tokens of a prompt's texts (system and
// messages) before it is sent; the provider's usage corrects it after.
func estimateTokens(body []byte, format string) int {
	codecOnce.Do(func() {
		codec, _ = tokenizer.Get(tokenizer.Cl100kBase)
	})
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil || codec == nil {
		return len(body) / 4 // not JSON: a byte count's usual estimate
	}
	n := 0
	eachPromptText(doc, format, func(s string) string {
		ids, _, _ := codec.Encode(s)
		n += len(ids)
		return s
	})
	return n
}
