// Package gguf writes and reads GGUF files (version 3), the model format of
// llama.cpp and Ollama, and builds tiny llama-architecture models with random
// weights for emohallucer's integration tests.
//
// No pretrained weights can be downloaded where the tests run, but a real Ollama
// can serve any well-formed GGUF. A model with random weights cannot know
// anything; what it gives the tests is a real server speaking its real protocols
// (chat templates, usage counts, structured output, image handling), with answers
// that are deterministic once the output is constrained to "yes"/"no" and the
// temperature is 0.
//
// Only what those models need is implemented: scalar, string and array metadata,
// and F32 tensors.
package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Magic is "GGUF" read as a little-endian uint32.
const Magic = 0x46554747

// Version is the GGUF version written.
const Version = 3

// DefaultAlignment is the tensor data alignment when general.alignment is unset.
const DefaultAlignment = 32

// Metadata value types of the GGUF specification.
const (
	typeUint8   uint32 = 0
	typeInt8    uint32 = 1
	typeUint16  uint32 = 2
	typeInt16   uint32 = 3
	typeUint32  uint32 = 4
	typeInt32   uint32 = 5
	typeFloat32 uint32 = 6
	typeBool    uint32 = 7
	typeString  uint32 = 8
	typeArray   uint32 = 9
	typeUint64  uint32 = 10
	typeInt64   uint32 = 11
	typeFloat64 uint32 = 12
)

// TypeF32 is the ggml tensor type of 32-bit floats, the only one written.
const TypeF32 uint32 = 0

// KV is one metadata entry. Value is one of uint32, int32, uint64, float32, bool,
// string, []string, []int32, []float32 (what Read returns, and what Write takes).
type KV struct {
	Key   string
	Value any
}

// Tensor is one F32 tensor. Dims are in ggml order: Dims[0] is the length of a
// row (the fastest-varying index), so a matrix mapping n inputs to m outputs has
// Dims {n, m}.
type Tensor struct {
	Name string
	Dims []uint64
	Data []float32
}

// Elements returns the product of the dimensions.
func (t *Tensor) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// File is a GGUF file's content.
type File struct {
	KV      []KV
	Tensors []Tensor
}

// Get returns the value of key, or nil.
func (f *File) Get(key string) any {
	for _, kv := range f.KV {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

func (f *File) alignment() uint64 {
	if a, ok := f.Get("general.alignment").(uint32); ok && a > 0 {
		return uint64(a)
	}
	return DefaultAlignment
}

// Write writes f to w in GGUF version 3.
func (f *File) Write(w io.Writer) error {
	seen := map[string]bool{}
	for _, kv := range f.KV {
		if seen[kv.Key] {
			return fmt.Errorf("gguf: duplicate metadata key %q", kv.Key)
		}
		seen[kv.Key] = true
	}
	seen = map[string]bool{}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if seen[t.Name] {
			return fmt.Errorf("gguf: duplicate tensor %q", t.Name)
		}
		seen[t.Name] = true
		if uint64(len(t.Data)) != t.Elements() {
			return fmt.Errorf("gguf: tensor %s has %d values for dims %v", t.Name, len(t.Data), t.Dims)
		}
	}
	bw := bufio.NewWriter(w)
	e := &encoder{w: bw}
	e.u32(Magic)
	e.u32(Version)
	e.u64(uint64(len(f.Tensors)))
	e.u64(uint64(len(f.KV)))
	for _, kv := range f.KV {
		e.str(kv.Key)
		e.value(kv.Key, kv.Value)
	}
	align := f.alignment()
	var offset uint64
	for i := range f.Tensors {
		t := &f.Tensors[i]
		e.str(t.Name)
		e.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			e.u64(d)
		}
		e.u32(TypeF32)
		e.u64(offset)
		offset = pad(offset+4*t.Elements(), align)
	}
	e.zeros(pad(e.n, align) - e.n)
	for i := range f.Tensors {
		t := &f.Tensors[i]
		start := e.n
		for _, v := range t.Data {
			e.u32(math.Float32bits(v))
		}
		e.zeros(pad(e.n-start, align) - (e.n - start))
	}
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

func pad(n, align uint64) uint64 { return (n + align - 1) / align * align }

type encoder struct {
	w   *bufio.Writer
	n   uint64
	err error
	buf [8]byte
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(b)
	e.n += uint64(len(b))
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.bytes(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.bytes(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.bytes([]byte(s))
}

func (e *encoder) zeros(n uint64) {
	for ; n > 0; n-- {
		e.bytes([]byte{0})
	}
}

func (e *encoder) value(key string, v any) {
	switch v := v.(type) {
	case uint32:
		e.u32(typeUint32)
		e.u32(v)
	case int32:
		e.u32(typeInt32)
		e.u32(uint32(v))
	case uint64:
		e.u32(typeUint64)
		e.u64(v)
	case float32:
		e.u32(typeFloat32)
		e.u32(math.Float32bits(v))
	case bool:
		e.u32(typeBool)
		if v {
			e.bytes([]byte{1})
		} else {
			e.bytes([]byte{0})
		}
	case string:
		e.u32(typeString)
		e.str(v)
	case []string:
		e.u32(typeArray)
		e.u32(typeString)
		e.u64(uint64(len(v)))
		for _, s := range v {
			e.str(s)
		}
	case []int32:
		e.u32(typeArray)
		e.u32(typeInt32)
		e.u64(uint64(len(v)))
		for _, x := range v {
			e.u32(uint32(x))
		}
	case []float32:
		e.u32(typeArray)
		e.u32(typeFloat32)
		e.u64(uint64(len(v)))
		for _, x := range v {
			e.u32(math.Float32bits(x))
		}
	default:
		if e.err == nil {
			e.err = fmt.Errorf("gguf: metadata %q: unsupported value type %T", key, v)
		}
	}
}

// Read parses a GGUF file written by Write (or any GGUF v2/v3 file whose
// metadata uses the types KV lists and whose tensors are F32). It checks that
// every tensor lies inside the data section.
func Read(r io.ReaderAt, size int64) (*File, error) {
	d := &decoder{r: io.NewSectionReader(r, 0, size)}
	if m := d.u32(); d.err == nil && m != Magic {
		return nil, fmt.Errorf("gguf: bad magic %#x", m)
	}
	if v := d.u32(); d.err == nil && v != 2 && v != 3 {
		return nil, fmt.Errorf("gguf: unsupported version %d", v)
	}
	nt, nkv := d.u64(), d.u64()
	if d.err != nil {
		return nil, d.fail("header")
	}
	// Counts are bounded by the file size: every entry takes at least 8 bytes.
	if nt > uint64(size)/8 || nkv > uint64(size)/8 {
		return nil, fmt.Errorf("gguf: implausible counts: %d tensors, %d metadata entries in %d bytes", nt, nkv, size)
	}
	f := &File{}
	for i := uint64(0); i < nkv; i++ {
		key := d.str()
		v := d.value(d.u32())
		if d.err != nil {
			return nil, d.fail(fmt.Sprintf("metadata entry %d (%q)", i, key))
		}
		f.KV = append(f.KV, KV{key, v})
	}
	type info struct {
		t      Tensor
		offset uint64
	}
	infos := make([]info, 0, nt)
	for i := uint64(0); i < nt; i++ {
		var in info
		in.t.Name = d.str()
		nd := d.u32()
		if nd > 4 {
			return nil, fmt.Errorf("gguf: tensor %q has %d dimensions", in.t.Name, nd)
		}
		for j := uint32(0); j < nd; j++ {
			in.t.Dims = append(in.t.Dims, d.u64())
		}
		if typ := d.u32(); d.err == nil && typ != TypeF32 {
			return nil, fmt.Errorf("gguf: tensor %q has type %d; only F32 is supported", in.t.Name, typ)
		}
		in.offset = d.u64()
		if d.err != nil {
			return nil, d.fail(fmt.Sprintf("tensor info %d", i))
		}
		infos = append(infos, in)
	}
	data := pad(uint64(d.pos), f.alignment())
	for _, in := range infos {
		n := in.t.Elements()
		start := data + in.offset
		if n > uint64(size) || start+4*n > uint64(size) {
			return nil, fmt.Errorf("gguf: tensor %q (%d values at %d) runs past the end of the file (%d bytes)", in.t.Name, n, start, size)
		}
		raw := make([]byte, 4*n)
		if _, err := r.ReadAt(raw, int64(start)); err != nil {
			return nil, fmt.Errorf("gguf: tensor %q: %w", in.t.Name, err)
		}
		in.t.Data = make([]float32, n)
		for k := range in.t.Data {
			in.t.Data[k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
		}
		f.Tensors = append(f.Tensors, in.t)
	}
	return f, nil
}

type decoder struct {
	r   *io.SectionReader
	pos int64
	err error
	buf [8]byte
}

func (d *decoder) fail(what string) error {
	if errors.Is(d.err, io.EOF) || errors.Is(d.err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("gguf: truncated file in %s at byte %d", what, d.pos)
	}
	return fmt.Errorf("gguf: %s at byte %d: %w", what, d.pos, d.err)
}

func (d *decoder) read(n int) []byte {
	if d.err != nil {
		return make([]byte, n)
	}
	var b []byte
	if n > len(d.buf) {
		b = make([]byte, n)
	} else {
		b = d.buf[:n]
	}
	_, d.err = d.r.ReadAt(b, d.pos)
	d.pos += int64(n)
	return b
}

func (d *decoder) u32() uint32 { return binary.LittleEndian.Uint32(d.read(4)) }
func (d *decoder) u64() uint64 { return binary.LittleEndian.Uint64(d.read(8)) }

func (d *decoder) str() string {
	n := d.u64()
	if d.err == nil && n > uint64(d.r.Size()-d.pos) {
		d.err = fmt.Errorf("string of %d bytes runs past the end", n)
	}
	if d.err != nil {
		return ""
	}
	return string(d.read(int(n)))
}

func (d *decoder) value(typ uint32) any {
	switch typ {
	case typeUint32:
		return d.u32()
	case typeInt32:
		return int32(d.u32())
	case typeUint64:
		return d.u64()
	case typeFloat32:
		return math.Float32frombits(d.u32())
	case typeBool:
		return d.read(1)[0] != 0
	case typeString:
		return d.str()
	case typeArray:
		et, n := d.u32(), d.u64()
		if d.err == nil && n > uint64(d.r.Size()-d.pos) {
			d.err = fmt.Errorf("array of %d elements runs past the end", n)
		}
		if d.err != nil {
			return nil
		}
		switch et {
		case typeString:
			out := make([]string, n)
			for i := range out {
				out[i] = d.str()
			}
			return out
		case typeInt32:
			out := make([]int32, n)
			for i := range out {
				out[i] = int32(d.u32())
			}
			return out
		case typeFloat32:
			out := make([]float32, n)
			for i := range out {
				out[i] = math.Float32frombits(d.u32())
			}
			return out
		}
		d.err = fmt.Errorf("unsupported array element type %d", et)
	default:
		if d.err == nil {
			d.err = fmt.Errorf("unsupported metadata type %d", typ)
		}
	}
	return nil
}

// Keys returns the metadata keys in sorted order (for messages and tests).
func (f *File) Keys() []string {
	out := make([]string, 0, len(f.KV))
	for _, kv := range f.KV {
		out = append(out, kv.Key)
	}
	sort.Strings(out)
	return out
}
