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

step "go test -race"
go test -race ./...

step "build"
mkdir -p build
go build -o build/parley .
go build -o build/chattest ./chat/chattest/cmd/chattest

step "end-to-end"
scripts/e2e.sh build/parley build/chattest -v
