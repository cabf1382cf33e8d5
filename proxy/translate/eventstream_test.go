package translate

import (
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// A prelude claiming a message over AWS's 16 MiB limit ends the stream at
// once: nothing is buffered waiting for it. One just under is waited for.
func TestFramesRefuseOversizedMessage(t *testing.T) {
	prelude := func(total uint32) []byte {
		b := make([]byte, 12)
		binary.BigEndian.PutUint32(b[0:4], total)
		binary.BigEndian.PutUint32(b[4:8], 0)
		binary.BigEndian.PutUint32(b[8:12], crc32.ChecksumIEEE(b[0:8]))
		return b
	}
	var over frames
	if ev := over.feed(prelude(maxFrame + 1)); len(ev) != 0 || !over.bad {
		t.Errorf("a %d-byte message: events %v, bad %v; want refused", maxFrame+1, ev, over.bad)
	}
	over.feed(make([]byte, 1<<20))
	if len(over.buf) > 12 {
		t.Errorf("%d bytes buffered after the refusal", len(over.buf))
	}
	var under frames
	if ev := under.feed(prelude(maxFrame)); len(ev) != 0 || under.bad {
		t.Errorf("a %d-byte message: events %v, bad %v; want waited for", maxFrame, ev, under.bad)
	}
}
