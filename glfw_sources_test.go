package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "write the GLFW copy's C sources hash")

// The GLFW copy's cgo files include its C sources from a subfolder, which the Go build cache
// does not see: the copy carries their hash in a Go constant, so that changing a C file changes a
// Go file and the package is compiled again (on a build machine whose cache has the old objects
// too). This checks the constant is the hash of the sources as they are.
func TestGLFWCopyHashesItsCSources(t *testing.T) {
	const dir, file = "third_party/glfw", "third_party/glfw/glfw_tree_rebuild.go"
	var paths []string
	err := filepath.WalkDir(filepath.Join(dir, "glfw"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil || len(paths) < 50 {
		t.Fatalf("GLFW's sources under %s: %d files, %v", dir, len(paths), err)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	sum := fmt.Sprintf("%x", h.Sum(nil))

	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	constant := regexp.MustCompile(`(const cSourcesSHA256 = ")([0-9a-f]{64})(")`)
	m := constant.FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s has no cSourcesSHA256 constant", file)
	}
	if string(m[2]) == sum {
		return
	}
	if *update {
		if err := os.WriteFile(file, constant.ReplaceAll(src, []byte("${1}"+sum+"${3}")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("GLFW's C sources changed but %s still has their old hash, so builds may reuse objects compiled from the old ones: run `go generate` in third_party/glfw, or `go test -run %s . -args -update` here", file, t.Name())
}
