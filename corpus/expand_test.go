package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func names(ins []Input, root string) string {
	var n []string
	for _, in := range ins {
		rel, err := filepath.Rel(root, in.Name)
		if err != nil || in.Name == "-" {
			rel = in.Name
		}
		n = append(n, filepath.ToSlash(rel))
	}
	return strings.Join(n, " ")
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.jsonl", "a/z.jsonl", "a/b/c.txt", "a/.hidden", ".git/config", "a/Y.jsonl", "c.jsonl.gz"} {
		writeFile(t, dir, f, []byte("{}\n"))
	}
	if err := os.Symlink(filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "a", "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	tests := []struct {
		args []string
		want string
	}{
		// a/link.jsonl is b.jsonl: the file is read once, under its first name.
		{[]string{dir}, "a/Y.jsonl a/b/c.txt a/link.jsonl a/z.jsonl c.jsonl.gz"},
		{[]string{j("b.jsonl"), j("a")}, "b.jsonl a/Y.jsonl a/b/c.txt a/z.jsonl"},
		{[]string{j("*.jsonl*")}, "b.jsonl c.jsonl.gz"},
		{[]string{j("a", "*")}, "a/.hidden a/Y.jsonl a/b/c.txt a/link.jsonl a/z.jsonl"},
		{[]string{"-", j("b.jsonl")}, "- b.jsonl"},
		{[]string{j("a", ".hidden")}, "a/.hidden"}, // named explicitly, it is read
	}
	for _, tt := range tests {
		ins, err := Expand(tt.args)
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.args, err)
			continue
		}
		if got := names(ins, dir); got != tt.want {
			t.Errorf("Expand(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
	ins, _ := Expand([]string{j("b.jsonl"), "-"})
	if ins[0].Size != 3 || ins[1].Size != -1 {
		t.Errorf("sizes %d %d, want 3 and -1", ins[0].Size, ins[1].Size)
	}
	for _, bad := range [][]string{{j("missing.jsonl")}, {j("*.nothing")}, {"-", "-"}, {j("[")}} {
		if _, err := Expand(bad); err == nil {
			t.Errorf("Expand(%q) succeeded", bad)
		}
	}
	if os.Getuid() != 0 { // root reads everything
		p := writeFile(t, dir, "secret/x.jsonl", []byte("{}"))
		os.Chmod(p, 0)
		if _, err := Expand([]string{filepath.Dir(p)}); err == nil {
			t.Error("Expand of an unreadable file succeeded")
		}
	}
}

func TestBinaryInDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.jsonl", []byte(`{"text":"one"}`+"\n"))
	writeFile(t, dir, "b.bin", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0})
	writeFile(t, dir, "c.jsonl", []byte(`{"text":"two"}`+"\n"))
	ins, err := Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var texts, kinds []string
	for _, in := range ins {
		res := readInput(t, in, Options{})
		for _, r := range res.recs {
			texts = append(texts, r.Text)
		}
		for _, d := range res.diags {
			kinds = append(kinds, filepath.Base(d.File)+":"+d.Kind)
		}
	}
	if got := strings.Join(texts, ",") + " " + strings.Join(kinds, ","); got != "one,two b.bin:binary-file" {
		t.Errorf("got %s", got)
	}
}

func TestExpandNamedPipe(t *testing.T) {
	// A named pipe (as bash's <(zcat x.gz) gives) is an input of unknown
	// size, and Expand must not open it: that would consume the writer.
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscallMkfifo(p); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	ins, err := Expand([]string{p})
	if err != nil || len(ins) != 1 || ins[0].Size != -1 {
		t.Fatalf("Expand(fifo) = %+v, %v", ins, err)
	}
	done := make(chan error)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(`{"text":"through a pipe"}` + "\n")
			f.Close()
		}
		done <- err
	}()
	res := readInput(t, ins[0], Options{})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(res.recs) != 1 || res.recs[0].Text != "through a pipe" {
		t.Errorf("records %+v", res.recs)
	}
}

func TestExpandKeepsEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(a, []byte(`{"text":"x"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.jsonl")
	if err := os.Symlink(a, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	ins, err := Expand([]string{dir, a, filepath.Join(dir, "*.jsonl"), link})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || ins[0].Name != a {
		t.Errorf("inputs %+v, want %s once", ins, a)
	}
}
