#!/usr/bin/env bash
# `make bench`: builds what the measurements need (Parley, the bare Fyne window, the raw
# go-openai client, the test server, the bare window that streams, npm's tiktoken) and prints one table of figures, each beside
# the baseline measured in the same run. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/bench
go build -o build/parley .
go build -o build/chattest ./chat/chattest/cmd/chattest
go build -o build/bench/bare ./bench/bare
go build -o build/bench/barestream ./bench/barestream
go build -o build/bench/rawclient ./bench/rawclient
go build -o build/bench/run ./bench/run
if [[ ! -d build/bench/npm/node_modules/tiktoken ]]; then
  npm install --prefix build/bench/npm --no-audit --no-fund --loglevel=error tiktoken@1.0.22
fi
scripts/xsession.sh build/bench/run "$@"
echo
echo "The table is in build/bench/table.md; BENCHMARKS.md explains how to read it."
