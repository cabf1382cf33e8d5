package wire

import "testing"

// BenchmarkReadRequest is what every request to an AI route costs before
// its stages run: the strict decode and the check of member names.
func BenchmarkReadRequest(b *testing.B) {
	body := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write one sentence about the sea."}],"max_tokens":64}`)
	f, _ := Lookup(OpenAI)
	b.ReportAllocs()
	for b.Loop() {
		doc, err := DecodeObject(body)
		if err != nil || f.Request.Check(doc) != nil {
			b.Fatal(err)
		}
	}
}
