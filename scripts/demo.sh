#!/usr/bin/env bash
# `make demo`: Parley talking to the local test server, with a throw-away profile, so a newcomer
# without a key sees the app work. Nothing is sent to OpenAI and nothing touches your own
# profiles, history or keychain: all of it lives in a temporary folder removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

go build -o build/chattest ./chat/chattest/cmd/chattest
demo=$(mktemp -d "${TMPDIR:-/tmp}/parley-demo.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$demo"
}
trap cleanup EXIT INT TERM

key="sk-parley-demo-$(date +%s)"
# The server streams at a readable pace and prints its base URL first.
build/chattest -key "$key" -tps 60 >"$demo/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [[ -s $demo/server.out ]] && break; sleep 0.05; done
url=$(head -n1 "$demo/server.out")
echo "demo: the local test server is at $url"

XDG_CONFIG_HOME="$demo/config" XDG_DATA_HOME="$demo/data" \
  OPENAI_BASE_URL="$url" OPENAI_API_KEY="$key" PARLEY_DEMO=1 \
  ./build/parley
