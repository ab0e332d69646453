package glfw

//go:generate sh -c "cd ../.. && go test -run TestGLFWCopyHashesItsCSources . -args -update"

// cSourcesSHA256 is a hash of every file under glfw/ (GLFW's C sources, which the cgo files of
// this package include). The Go build cache does not see those includes
// (https://github.com/go-gl/glfw/issues/269): a change to them must change this constant, or
// builds keep the objects compiled from the old sources. Parley: upstream kept a git tree hash
// here by hand; Parley's TestGLFWCopyHashesItsCSources computes it, and `go generate` in this
// folder writes it.
const cSourcesSHA256 = "957d2f45127e1c1708a156a532a423b5a2507774ae787ecae3476687bf25b8ac"
