#!/usr/bin/env bash
# `make test`: formatting, vet, the unit and widget tests with the race detector, then the
# end-to-end tests of the real binary under Xvfb. The binary is built once for the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*'))
if [[ -n $unformatted ]]; then
  echo "these files need gofmt -w:"; echo "$unformatted"; exit 1
fi
echo "all formatted"

step "go vet"
go vet ./...
go vet -tags e2e ./e2e/

# Pinned versions, fetched through the module proxy the first time (no install step).
step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "clean"

step "deadcode"
unreachable=$(go run golang.org/x/tools/cmd/deadcode@v0.52.0 -test ./...)
if [[ -n $unreachable ]]; then
  echo "unreachable code:"; echo "$unreachable"; exit 1
fi
echo "none"

step "go test -race"
go test -race ./...

step "build"
mkdir -p build
go build -o build/parley .
go build -o build/chattest ./chat/chattest/cmd/chattest

step "third-party server"
# An OpenAI-compatible server this project did not write, from the npm registry: the end-to-end
# tests run parley ask and parley models against it too.
if [[ ! -f build/thirdparty/node_modules/openai-mock-api/dist/cli.js ]]; then
  mkdir -p build/thirdparty
  npm install --prefix build/thirdparty --no-audit --no-fund --loglevel=error openai-mock-api@0.4.0
fi
export PARLEY_THIRDPARTY="$PWD/build/thirdparty/node_modules/openai-mock-api/dist/cli.js"
echo "openai-mock-api 0.4.0 ready"

step "end-to-end"
scripts/e2e.sh build/parley build/chattest -v
