package translate

import "testing"

// BenchmarkAnthropicRoundTrip is one plain exchange's translation: the
// request there and the answer back.
func BenchmarkAnthropicRoundTrip(b *testing.B) {
	req := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]}`)
	answer := []byte(`{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello there, how are you?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":7}}`)
	tr, _ := For("anthropic")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Request(req, "claude-3-5-haiku-latest"); err != nil {
			b.Fatal(err)
		}
		tr.Response(200, answer, "m")
	}
}
