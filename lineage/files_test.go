package lineage_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/lineage/synth"
)

func compareFiles(t *testing.T, a, b string) *lineage.Result {
	t.Helper()
	ma, err := lineage.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	defer ma.Close()
	mb, err := lineage.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	r, err := lineage.Compare(ma, mb, lineage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFamilyFiles is the acceptance test of issue 7: the right verdict on
// every synthetic family member, in safetensors and GGUF and across them.
func TestFamilyFiles(t *testing.T) {
	dir := t.TempDir()
	vs, err := synth.WriteFamily(dir, synth.DefaultSpec(), 2)
	if err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	type pair struct {
		a, b    string
		derived bool
	}
	var pairs []pair
	for _, v := range vs[1:] {
		pairs = append(pairs, pair{"base", v.Name, v.Derived})
	}
	pairs = append(pairs,
		pair{"base-q4_k.gguf", "finetune", true},                 // GGUF vs safetensors
		pair{"base-q8_0.gguf", "cpt-permuted-q4_k.gguf", true},   // GGUF vs GGUF
		pair{"independent-1", "independent-1-q4_k.gguf", true},   // safetensors vs its own quantization
		pair{"independent-1-q4_k.gguf", "base-q4_k.gguf", false}, // independent, both GGUF
		pair{"independent-2", "base-q4_0.gguf", false},
		pair{"independent-1", "independent-2", false},
	)
	for _, c := range pairs {
		r := compareFiles(t, p(c.a), p(c.b))
		want := leakhound.VerdictIndependent
		if c.derived {
			want = leakhound.VerdictDerived
		}
		t.Logf("%-24s vs %-24s %-11s log10 p = %8.1f  read %5.1f MB, peak buffers %4.1f MB of %5.1f MB models",
			c.a, c.b, r.Verdict, r.Log10P, float64(r.Run.BytesRead)/1e6, float64(r.Run.PeakBufferBytes)/1e6, float64(r.A.Bytes+r.B.Bytes)/1e6)
		if r.Verdict != want || (c.derived && r.Log10P > -6) {
			t.Errorf("%s vs %s: %s (log10 p %.1f), want %s: %s", c.a, c.b, r.Verdict, r.Log10P, want, r.Reason)
		}
		// Streaming: the buffers hold a fixed number of tensors (two of any
		// kind, four MLP ones, projections), never a whole model.
		largest := 4 * max(r.A.MaxElements, r.B.MaxElements)
		if r.Run.PeakBufferBytes > 8*largest || r.Run.PeakBufferBytes >= 4*min(r.A.Elements, r.B.Elements) {
			t.Errorf("%s vs %s: peak buffers %d bytes; largest tensor %d bytes, smaller model %d bytes as float32",
				c.a, c.b, r.Run.PeakBufferBytes, largest, 4*min(r.A.Elements, r.B.Elements))
		}
	}
}

func TestRenamedEvidence(t *testing.T) {
	dir := t.TempDir()
	s := synth.DefaultSpec()
	s.Layers = 2
	base := synth.Base(s)
	if err := synth.WriteHF(filepath.Join(dir, "a"), base, "BF16", 1); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteHF(filepath.Join(dir, "yi"), synth.Rename(base, "yi"), "BF16", 2); err != nil {
		t.Fatal(err)
	}
	r := compareFiles(t, filepath.Join(dir, "a"), filepath.Join(dir, "yi"))
	if r.Tensors.RenamedTotal != 4 || !strings.HasSuffix(r.Tensors.Renamed[0].B, ".ln1.weight") {
		t.Errorf("renames %d %v, want the 4 ln1/ln2 norms", r.Tensors.RenamedTotal, r.Tensors.Renamed)
	}
	if r.Exact == nil || r.Exact.Identical != r.Exact.Compared || r.Exact.Compared != r.Tensors.Matched {
		t.Errorf("exact reuse %+v, want every tensor identical", r.Exact)
	}
	if !strings.Contains(r.Reason, "bit-identical") || r.Tokenizer.Relation != "identical" || !r.Config.Equal {
		t.Errorf("reason %q, tokenizer %s, config equal %v", r.Reason, r.Tokenizer.Relation, r.Config.Equal)
	}
	var buf bytes.Buffer
	if err := lineage.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back lineage.Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Verdict != r.Verdict || back.Log10P != r.Log10P {
		t.Errorf("JSON round trip: %v, %s", err, back.Verdict)
	}
	buf.Reset()
	if err := lineage.WriteText(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"verdict: DERIVED", "renamed", "rotation", "Context only"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	s := synth.DefaultSpec()
	s.Layers = 1
	if err := synth.WriteHF(filepath.Join(dir, "m"), synth.Base(s), "BF16", 1); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "m", "tokenizer.json"), []byte("{not json"), 0o644)
	if _, err := lineage.Load(filepath.Join(dir, "m")); err == nil || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Errorf("malformed tokenizer.json: %v", err)
	}
	os.Remove(filepath.Join(dir, "m", "tokenizer.json"))
	m, err := lineage.Load(filepath.Join(dir, "m"))
	if err != nil || m.Tokenizer != nil || m.Config.Hidden != s.Hidden {
		t.Errorf("missing tokenizer.json must be fine: %v", err)
	}
	m.Close()
	os.WriteFile(filepath.Join(dir, "bad.gguf"), []byte("GGUF\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"), 0o644)
	if _, err := lineage.Load(filepath.Join(dir, "bad.gguf")); err == nil {
		t.Error("hostile GGUF loaded")
	}
}
