package gguf

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LlamaParams sizes a tiny llama-architecture model. The zero value of a field
// takes the default noted on it.
type LlamaParams struct {
	Name    string // general.name; default "emohallucer-tiny"
	Embd    int    // embedding width; default 64
	Layers  int    // transformer blocks; default 2
	Heads   int    // attention heads (also KV heads); default 4
	FF      int    // feed-forward width; default 128
	Context int    // training context length; default 4096
	Seed    uint64 // seed of the random weights (0 is a valid seed)
}

func (p *LlamaParams) fill() error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if p.Name == "" {
		p.Name = "emohallucer-tiny"
	}
	def(&p.Embd, 64)
	def(&p.Layers, 2)
	def(&p.Heads, 4)
	def(&p.FF, 128)
	def(&p.Context, 4096)
	switch {
	case p.Embd < 8 || p.Layers < 1 || p.Heads < 1 || p.FF < 1 || p.Context < 16:
		return fmt.Errorf("gguf: llama params too small: %+v", *p)
	case p.Embd%p.Heads != 0 || (p.Embd/p.Heads)%2 != 0:
		// RoPE rotates pairs of dimensions inside each head.
		return fmt.Errorf("gguf: embedding width %d must split into %d heads of even width", p.Embd, p.Heads)
	case p.Embd > 4096 || p.FF > 16384 || p.Layers > 64:
		return fmt.Errorf("gguf: llama params too large for a test model: %+v", *p)
	}
	return nil
}

// Token types of llama.cpp's SentencePiece vocabulary.
const (
	tokenNormal  int32 = 1
	tokenUnknown int32 = 2
	tokenControl int32 = 3
	tokenByte    int32 = 6
)

// Special token ids of ByteVocab.
const (
	UnkID = 0
	BOSID = 1
	EOSID = 2
	// ByteBase is the id of the byte 0x00; byte b is ByteBase+b.
	ByteBase = 3
)

// ByteVocab returns a SentencePiece-style ("llama" tokenizer) vocabulary of
// three control tokens and the 256 byte tokens <0x00>…<0xFF>. llama.cpp falls
// back to byte tokens for any text it has no piece for, so every UTF-8 string
// tokenizes to one token per byte (after the "▁" space prefix SentencePiece
// adds): prompt token counts are then exact functions of the prompt's bytes.
func ByteVocab() (tokens []string, types []int32) {
	tokens = []string{"<unk>", "<s>", "</s>"}
	types = []int32{tokenUnknown, tokenControl, tokenControl}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", b))
		types = append(types, tokenByte)
	}
	return tokens, types
}

// Llama returns a llama-architecture model with ByteVocab and random F32
// weights drawn from a PCG generator seeded with p.Seed: the same params always
// give the same bytes.
func Llama(p LlamaParams) (*File, error) {
	if err := p.fill(); err != nil {
		return nil, err
	}
	tokens, types := ByteVocab()
	scores := make([]float32, len(tokens))
	nv := uint64(len(tokens))
	e, ff := uint64(p.Embd), uint64(p.FF)

	f := &File{KV: []KV{
		{"general.architecture", "llama"},
		{"general.name", p.Name},
		{"general.file_type", uint32(0)}, // all F32
		{"general.alignment", uint32(DefaultAlignment)},
		{"llama.context_length", uint32(p.Context)},
		{"llama.embedding_length", uint32(p.Embd)},
		{"llama.block_count", uint32(p.Layers)},
		{"llama.feed_forward_length", uint32(p.FF)},
		{"llama.attention.head_count", uint32(p.Heads)},
		{"llama.attention.head_count_kv", uint32(p.Heads)},
		{"llama.rope.dimension_count", uint32(p.Embd / p.Heads)},
		{"llama.rope.freq_base", float32(10000)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.vocab_size", uint32(nv)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.unknown_token_id", uint32(UnkID)},
		{"tokenizer.ggml.bos_token_id", uint32(BOSID)},
		{"tokenizer.ggml.eos_token_id", uint32(EOSID)},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
	}}

	rng := rand.New(rand.NewPCG(p.Seed, 0x656d6f68616c6c75)) // "emohallu"
	// normal fills a tensor with N(0, std²) values; std 1/√fan-in keeps the
	// activations of a random network in a range where the logits still depend
	// on the prompt.
	normal := func(name string, std float64, dims ...uint64) {
		t := Tensor{Name: name, Dims: dims}
		t.Data = make([]float32, t.Elements())
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * std)
		}
		f.Tensors = append(f.Tensors, t)
	}
	ones := func(name string, n uint64) {
		t := Tensor{Name: name, Dims: []uint64{n}, Data: make([]float32, n)}
		for i := range t.Data {
			t.Data[i] = 1
		}
		f.Tensors = append(f.Tensors, t)
	}
	inv := func(n uint64) float64 { return 1 / math.Sqrt(float64(n)) }

	normal("token_embd.weight", 1, e, nv)
	for l := 0; l < p.Layers; l++ {
		b := fmt.Sprintf("blk.%d.", l)
		ones(b+"attn_norm.weight", e)
		normal(b+"attn_q.weight", inv(e), e, e)
		normal(b+"attn_k.weight", inv(e), e, e)
		normal(b+"attn_v.weight", inv(e), e, e)
		normal(b+"attn_output.weight", inv(e), e, e)
		ones(b+"ffn_norm.weight", e)
		normal(b+"ffn_gate.weight", inv(e), e, ff)
		normal(b+"ffn_up.weight", inv(e), e, ff)
		normal(b+"ffn_down.weight", inv(ff), ff, e)
	}
	ones("output_norm.weight", e)
	normal("output.weight", inv(e), e, nv)
	return f, nil
}
