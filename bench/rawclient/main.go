// Command rawclient is the baseline for Parley's client overhead: the least a Go program can do
// to stream an answer with go-openai (no retries, no counting, no history), on Chat Completions,
// or on the Responses API with -responses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	openai "github.com/sashabaranov/go-openai"
)

func main() {
	responses := flag.Bool("responses", false, "stream with the Responses API (CreateResponseStream)")
	flag.Parse()
	model, prompt := flag.Arg(0), flag.Arg(1)
	cfg := openai.DefaultConfig(os.Getenv("OPENAI_API_KEY"))
	cfg.BaseURL = os.Getenv("OPENAI_BASE_URL")
	client := openai.NewClientWithConfig(cfg)
	var err error
	if *responses {
		err = respond(client, model, prompt)
	} else {
		err = complete(client, model, prompt)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println()
}

func complete(client *openai.Client, model, prompt string) error {
	stream, err := client.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:    model,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: prompt}},
	})
	if err != nil {
		return err
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(chunk.Choices) > 0 {
			os.Stdout.WriteString(chunk.Choices[0].Delta.Content)
		}
	}
}

func respond(client *openai.Client, model, prompt string) error {
	stream, err := client.CreateResponseStream(context.Background(), openai.CreateResponseRequest{Model: model, Input: prompt})
	if err != nil {
		return err
	}
	defer stream.Close()
	for {
		e, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if e.Type == openai.ResponseStreamEventOutputTextDelta {
			os.Stdout.WriteString(e.Delta)
		}
	}
}
