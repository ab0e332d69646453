// Command rawclient is the baseline for Parley's client overhead: the least a Go program can do
// to stream an answer with go-openai (no retries, no counting, no history).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	openai "github.com/sashabaranov/go-openai"
)

func main() {
	cfg := openai.DefaultConfig(os.Getenv("OPENAI_API_KEY"))
	cfg.BaseURL = os.Getenv("OPENAI_BASE_URL")
	client := openai.NewClientWithConfig(cfg)
	stream, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:    os.Args[1],
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: os.Args[2]}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if len(chunk.Choices) > 0 {
			os.Stdout.WriteString(chunk.Choices[0].Delta.Content)
		}
	}
	fmt.Println()
}
