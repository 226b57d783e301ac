// Command mkgguf writes a tiny llama-architecture GGUF model with a byte-level
// vocabulary and random weights, for serving with Ollama or llama.cpp in tests:
//
//	go run ./testservers/ollama/mkgguf -o /tmp/tiny.gguf -seed 1
//	printf 'FROM /tmp/tiny.gguf\n' > Modelfile && ollama create tiny -f Modelfile
//
// The model knows nothing; constrain its output (Ollama's format or
// response_format) and set temperature 0 to get deterministic yes/no answers.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/emohallucer/emohallucer/testservers/ollama/gguf"
)

func main() {
	var p gguf.LlamaParams
	out := flag.String("o", "", "output file (required)")
	flag.StringVar(&p.Name, "name", "", "general.name (default emohallucer-tiny)")
	flag.IntVar(&p.Embd, "embd", 0, "embedding width (default 64)")
	flag.IntVar(&p.Layers, "layers", 0, "transformer blocks (default 2)")
	flag.IntVar(&p.Heads, "heads", 0, "attention heads (default 4)")
	flag.IntVar(&p.FF, "ff", 0, "feed-forward width (default 128)")
	flag.IntVar(&p.Context, "ctx", 0, "training context length (default 4096)")
	flag.Uint64Var(&p.Seed, "seed", 0, "seed of the random weights")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, p); err != nil {
		fmt.Fprintln(os.Stderr, "mkgguf:", err)
		os.Exit(1)
	}
}

func write(path string, p gguf.LlamaParams) error {
	m, err := gguf.Llama(p)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
