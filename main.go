// Parley is a native desktop client for the OpenAI API. See README.md.
package main

import (
	"os"

	"parley/app"
)

func main() {
	os.Exit(app.Run(os.Args[1:]))
}
