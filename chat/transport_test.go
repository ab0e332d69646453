package chat

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The transport tells "data: [DONE]" in a body however it is written and cut into reads.
func TestDoneWatcher(t *testing.T) {
	for body, want := range map[string]bool{
		"data: {}\n\ndata: [DONE]\n\n":           true,
		"data:[DONE]\n":                          true,
		"data: {}\n\ndata: [DONE]":               true, // the last line without its newline
		"data: {}\r\n\r\ndata: [DONE]\r\n\r\n":   true,
		"data: {}\n\n":                           false,
		"data: {\"text\": \"data: [DONE]\"}\n\n": false,
		"data: [DONE] and more\n":                false,
		": comment [DONE]\n":                     false,
	} {
		x := &exchange{}
		w := &doneWatcher{ReadCloser: io.NopCloser(iotest.OneByteReader(strings.NewReader(body))), x: x}
		if _, err := io.ReadAll(w); err != nil {
			t.Fatal(err)
		}
		if x.sawDone() != want {
			t.Errorf("%q: done %v, want %v", body, x.sawDone(), want)
		}
	}
}
