package gguf

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	in := &File{
		KV: []KV{
			{"general.architecture", "llama"},
			{"a.u32", uint32(7)},
			{"a.i32", int32(-3)},
			{"a.u64", uint64(1 << 40)},
			{"a.f32", float32(0.5)},
			{"a.bool", true},
			{"a.strs", []string{"x", "", "<0x0A>"}},
			{"a.i32s", []int32{1, -2}},
			{"a.f32s", []float32{1.5, -2}},
		},
		Tensors: []Tensor{
			{Name: "v", Dims: []uint64{3}, Data: []float32{1, 2, 3}},
			{Name: "m", Dims: []uint64{2, 5}, Data: []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		},
	}
	var buf bytes.Buffer
	if err := in.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the file:\n in %+v\nout %+v", in, out)
	}
	if got := binary.LittleEndian.Uint32(buf.Bytes()); got != Magic {
		t.Errorf("magic %#x", got)
	}
}

func TestWriteRejects(t *testing.T) {
	cases := []struct {
		name string
		f    File
		want string
	}{
		{"duplicate key", File{KV: []KV{{"k", "a"}, {"k", "b"}}}, "duplicate metadata key"},
		{"duplicate tensor", File{Tensors: []Tensor{{Name: "t", Dims: []uint64{1}, Data: []float32{1}}, {Name: "t", Dims: []uint64{1}, Data: []float32{1}}}}, "duplicate tensor"},
		{"wrong size", File{Tensors: []Tensor{{Name: "t", Dims: []uint64{2, 2}, Data: []float32{1}}}}, "has 1 values"},
		{"bad type", File{KV: []KV{{"k", 3.5}}}, "unsupported value type float64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.f.Write(&bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestReadRejectsTruncated(t *testing.T) {
	m, err := Llama(LlamaParams{Embd: 8, Heads: 2, FF: 8, Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// The last cut lands inside the last tensor whatever its padding.
	for _, n := range []int{0, 10, 200, buf.Len() - DefaultAlignment - 1} {
		b := buf.Bytes()[:n]
		if _, err := Read(bytes.NewReader(b), int64(len(b))); err == nil {
			t.Errorf("reading the first %d of %d bytes succeeded", n, buf.Len())
		}
	}
}

func TestLlamaModel(t *testing.T) {
	p := LlamaParams{Seed: 42}
	m, err := Llama(p)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := m.Write(&a); err != nil {
		t.Fatal(err)
	}
	m2, _ := Llama(p)
	if err := m2.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same params gave different files")
	}
	m3, _ := Llama(LlamaParams{Seed: 43})
	if reflect.DeepEqual(m.Tensors[0].Data, m3.Tensors[0].Data) {
		t.Error("different seeds gave the same weights")
	}

	tokens, _ := m.Get("tokenizer.ggml.tokens").([]string)
	if len(tokens) != ByteBase+256 || tokens[ByteBase+'A'] != "<0x41>" || tokens[EOSID] != "</s>" {
		t.Errorf("vocabulary: %d tokens, 'A' is %q", len(tokens), tokens[ByteBase+'A'])
	}
	// Every tensor llama.cpp's llama loader requires, with ggml dims.
	want := map[string][]uint64{
		"token_embd.weight":        {64, 259},
		"output.weight":            {64, 259},
		"output_norm.weight":       {64},
		"blk.1.attn_q.weight":      {64, 64},
		"blk.1.ffn_down.weight":    {128, 64},
		"blk.1.ffn_gate.weight":    {64, 128},
		"blk.0.attn_norm.weight":   {64},
		"blk.0.attn_output.weight": {64, 64},
	}
	got := map[string][]uint64{}
	for _, tt := range m.Tensors {
		got[tt.Name] = tt.Dims
	}
	for name, dims := range want {
		if !reflect.DeepEqual(got[name], dims) {
			t.Errorf("%s: dims %v, want %v", name, got[name], dims)
		}
	}
	if len(m.Tensors) != 3+9*2 {
		t.Errorf("%d tensors, want %d", len(m.Tensors), 3+9*2)
	}
}

func TestLlamaParamsChecked(t *testing.T) {
	for _, p := range []LlamaParams{
		{Embd: 4},
		{Embd: 64, Heads: 3},
		{Embd: 60, Heads: 4}, // head width 15 is odd
		{Layers: 100},
	} {
		if _, err := Llama(p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
