package proxy

import (
	"net/url"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// adapter is what serve knows of one wire format, in one place: where its
// texts are (its shapes, proxy/wire), its translator from OpenAI's format,
// how a request in it is addressed, how a route's prompt is added to it,
// how its streamed answers are masked event by event, how its answers say
// what they cost, and how an error is written in it. Each format's adapter
// is in a file of its own (adapter_openai.go, ...).
type adapter struct {
	// wireFormat names the format's shapes in proxy/wire (format).
	wireFormat string
	// translator turns OpenAI's requests into this format and its answers
	// back (nil for OpenAI's own).
	translator translate.Translator
	// address sets a request's URL for this format's provider: clientPath
	// is the client's path, stream whether the answer streams.
	address func(u *url.URL, clientPath string, stream bool)
	// enrich adds a route's prompt messages to a request.
	enrich func(doc map[string]any, p *spec.Prompt)
	// maskEvent passes one event's text through a streamed answer's
	// maskers; it returns events to send before it (text held back from
	// a block that ended). end returns what the maskers hold at the end.
	maskEvent func(a *answerMasker, doc map[string]any) []sse.Event
	end       func(a *answerMasker) []sse.Event
	// usageMembers are the top-level members an answer or event reports
	// its cost in, and usage reads them.
	usageMembers []string
	usage        func(u *usage, members map[string][]byte)
	// errorBody and errorEvent are a gateway error in the format: a whole
	// answer's body, and a stream's last event.
	errorBody  func(status int, msg string) any
	errorEvent func(msg string) sse.Event
}

// adapters are the formats serve reads, by name.
var adapters = map[string]*adapter{
	wire.OpenAI:    openAIAdapter,
	wire.Anthropic: anthropicAdapter,
	wire.Gemini:    geminiAdapter,
	wire.Bedrock:   bedrockAdapter,
}

// format returns the adapter's shapes; proxy/wire builds them on first
// use, so they are looked up, not held.
func (a *adapter) format() *wire.Format {
	f, _ := wire.Lookup(a.wireFormat)
	return f
}

// adapterFor returns the adapter of format (OpenAI's for a format serve
// does not know: every OpenAI-compatible provider).
func adapterFor(format string) *adapter {
	if a, ok := adapters[format]; ok {
		return a
	}
	return adapters[wire.OpenAI]
}

func noEnd(*answerMasker) []sse.Event { return nil }
