package sse

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
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

// Bounded passes a stream whose events fit, however it is cut and whatever
// its line ends, and fails once one event exceeds the bound: one long line,
// or many short ones without a blank line between them.
func TestBounded(t *testing.T) {
	read := func(in string, max, chunk int) (string, error) {
		r := Bounded(&pieces{data: []byte(in), n: chunk}, max)
		out, err := io.ReadAll(r)
		return string(out), err
	}
	ok := "data: 0123456789\n\ndata: abc\r\ndata: def\r\n\r\n: comment\r\rdata: x\n\n"
	for chunk := 1; chunk <= len(ok); chunk++ {
		if got, err := read(ok, len("data: abc\r\ndata: def\r\n"), chunk); err != nil || got != ok {
			t.Fatalf("chunk %d: %q, %v", chunk, got, err)
		}
	}
	for _, in := range []string{
		"data: " + strings.Repeat("x", 64) + "\n\n",                       // one long line
		strings.Repeat("data: x\n", 10) + "\n",                            // many lines, one event
		strings.Repeat("data: x\r\n", 10) + "\r\n",                        // the same with CRLF
		"data: ok\n\n" + "data: " + strings.Repeat("y", 40) + "\r" + "\n", // after a good event
	} {
		got, err := read(in, 32, 7)
		if !errors.Is(err, ErrEventTooLarge) {
			t.Errorf("%q: err %v, want ErrEventTooLarge", in, err)
		}
		if len(got) > 32+16+7 {
			t.Errorf("%q: read %d bytes before failing", in, len(got))
		}
	}
}

// pieces reads data n bytes at a time.
type pieces struct {
	data []byte
	n    int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), p.n)], p.data)
	p.data = p.data[n:]
	return n, nil
}
