package sse

import (
	"bytes"
	"reflect"
	"testing"
)

// Events come out the same whatever the pieces; every line ending works;
// comments are skipped; multi-line data is joined; Append writes back what
// Feed reads.
func TestDecoder(t *testing.T) {
	in := []byte("event: a\ndata: 1\n\n: comment\r\ndata: x\r\ndata: y\r\n\r\ndata: z\r\rdata: [DONE]\n\n")
	want := []Event{{"a", []byte("1")}, {"", []byte("x\ny")}, {"", []byte("z")}, {"", []byte("[DONE]")}}
	for cut := 0; cut <= len(in); cut++ {
		var d Decoder
		got := append(d.Feed(in[:cut]), d.Feed(in[cut:])...)
		got = append(got, d.End()...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d: %q", cut, got)
		}
	}
	var out []byte
	for _, ev := range want {
		out = Append(out, ev)
	}
	var d Decoder
	if got := d.Feed(out); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip: %q\n%s", got, out)
	}
	var e Decoder
	if got := append(e.Feed([]byte("data: no blank line")), e.End()...); len(got) != 1 || !bytes.Equal(got[0].Data, []byte("no blank line")) {
		t.Errorf("End: %q", got)
	}
}
