package app

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/chat/chattest"
)

func pngFile(t *testing.T, w, h int) string {
	t.Helper()
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)))
	path := filepath.Join(t.TempDir(), "diagram.png")
	os.WriteFile(path, b.Bytes(), 0o600)
	return path
}

// parley ask -a sends files with the question; a model that cannot read them, or a file that
// cannot be attached, is refused in one line before anything is sent; parley tokens -a counts one.
func TestFilesOnTheCommandLine(t *testing.T) {
	s, _ := cliEnv(t, chattest.Options{Models: reasoningModels})
	t.Setenv("OPENAI_API_KEY", cliKey)
	pic := pngFile(t, 1280, 800)
	s.Reply("A diagram.")
	code, out, errOut := runParley(t, "", "ask", "--api", "responses", "-m", "gpt-5.6-sol", "-a", pic, "--detail", "low", "What is this?")
	if code != 0 || out != "A diagram.\n" {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	files := s.Responses()[0].Attachments()
	if len(files) != 1 || files[0].Width != 1280 || files[0].Detail != "low" {
		t.Fatalf("sent %+v", files)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"ask", "-m", "gpt-3.5-turbo", "-a", pic, "hi"}, "does not read images"},
		{[]string{"ask", "-a", filepath.Join(t.TempDir(), "missing.pdf"), "hi"}, `"missing.pdf" cannot be attached: there is no such file`},
		{[]string{"ask", "--detail", "sharp", "-a", pic, "hi"}, "--detail is low, high, original or auto"},
	} {
		requests := len(s.Requests())
		code, _, errOut := runParley(t, "", c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || len(s.Requests()) != requests {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
	code, out, errOut = runParley(t, "", "tokens", "-m", "gpt-5.6-sol", "-a", pic)
	if code != 0 || strings.TrimSpace(out) != "1000" || !strings.Contains(errOut, "diagram.png: 1,000 tokens (a 1280×800 image") {
		t.Fatalf("tokens: %d %q %q", code, out, errOut)
	}
}
