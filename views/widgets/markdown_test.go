package widgets

import "testing"

func TestPlainText(t *testing.T) {
	got := PlainText("# Title\n\nSome **bold** text.\n\n- one\n- two\n\n```go\nx := 1\n```")
	if got != "Title\n\nSome bold text.\n\n• one\n• two\n\nx := 1" {
		t.Fatalf("%q", got)
	}
}
