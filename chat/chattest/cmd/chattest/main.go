// Command chattest runs Parley's OpenAI-compatible test server on the loopback interface, for
// end-to-end tests, benchmarks and `make demo`. It prints its base URL on the first line.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"parley/chat/chattest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback only)")
	key := flag.String("key", "", "the API key to accept (empty: any key, as local servers do)")
	tps := flag.Int("tps", 0, "stream answers at this many tokens per second (0: as fast as possible)")
	rpm := flag.Int("rpm", 0, "requests per minute before 429 (0: 5,000)")
	tpm := flag.Int("tpm", 0, "tokens per minute before 429 (0: 2,000,000)")
	echo := flag.Bool("echo", false, "answer with the question instead of the demo answer")
	ttft := flag.Duration("ttft", 0, "wait this long before the first token, as a model thinking (e.g. 300ms)")
	reply := flag.String("reply", "", "answer every question with this text (default: the demo answer)")
	flag.Parse()

	opts := chattest.Options{Key: *key, TokensPerSecond: *tps, RPM: *rpm, TPM: *tpm, FirstToken: *ttft}
	switch {
	case *echo:
		opts.Reply = chattest.EchoReply
	case *reply != "":
		text := *reply
		opts.Reply = func(chattest.ChatRequest) string { return text }
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chattest:", err)
		os.Exit(1)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "chattest: refusing to listen beyond loopback:", ip)
		os.Exit(2)
	}
	fmt.Printf("http://%s/v1\n", ln.Addr())
	srv := &http.Server{Handler: chattest.New(opts)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "chattest:", err)
		os.Exit(1)
	}
}
