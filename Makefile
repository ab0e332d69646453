# Parley. The two commands a newcomer needs: `make run` and `make test` (see README.md).
# Both install what is missing first (Debian packages, Go modules).

GO ?= go

.PHONY: run test demo bench install deps build clean

## run: install what is missing, build, and open Parley
run: build
	./build/parley

## test: gofmt, go vet, go test -race, then end-to-end tests of the built binary under Xvfb
test: deps
	scripts/test.sh

## demo: open Parley against a local demo server, with a throw-away profile (no key needed)
demo: build
	scripts/demo.sh

## bench: measure start-up, memory, streaming, client overhead, tokens and history (BENCHMARKS.md)
bench: deps
	scripts/bench.sh

## install: install Parley for this user on Linux (~/.local: binary, desktop entry with Quick Ask, icon)
install: deps
	scripts/install.sh

## build: build the binary into build/parley
build: deps
	$(GO) build -o build/parley .

deps:
	@scripts/deps.sh

clean:
	rm -rf build
