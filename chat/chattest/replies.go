package chattest

import (
	"strings"
	"unicode/utf8"
)

// DemoReply answers every question with a short Markdown tour, so a newcomer without a key sees
// what Parley renders: a quote of the question, a list, a table and highlighted code.
func DemoReply(req ChatRequest) string {
	q := strings.TrimSpace(req.LastUser())
	if utf8.RuneCountInString(q) > 280 {
		q = string([]rune(q)[:280]) + "…"
	}
	q = strings.ReplaceAll(q, "\n", "\n> ")
	return "You asked:\n\n> " + q + `

This answer comes from **Parley's local demo server**, not from OpenAI: nothing left your machine and it cost nothing. With your own API key (Settings), the same window talks to ` + "`" + req.Model + "`" + ` for real.

What you can see here:

1. The answer *streams* in as it is written.
2. Tokens and cost are counted exactly, below the answer.
3. Markdown renders properly, tables and code included:

| Feature | Parley |
|---|---|
| Key storage | OS keychain |
| Token counts | exact, offline |
| Rate limits | watched live |

` + "```go" + `
package main

import "fmt"

func main() {
	fmt.Println("Hello from the demo server")
}
` + "```" + `
`
}

// EchoReply answers with the last user message, for tests that check what arrives.
func EchoReply(req ChatRequest) string { return req.LastUser() }
