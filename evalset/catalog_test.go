package evalset

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
)

const fixtureDir = "testdata/benchdir"

func load(t *testing.T, spec string, opts Options) []leakhound.Item {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = fixtureDir
	}
	items, err := LoadAll(context.Background(), []string{spec}, opts)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return items
}

func ids(items []leakhound.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return strings.Join(out, " ")
}

// TestCEval reads C-Eval fixtures written in its public layout
// (<split>/<subject>_<split>.csv, header id,question,A,B,C,D[,answer[,explanation]]).
func TestCEval(t *testing.T) {
	items := load(t, "ceval", Options{})
	if got, want := ids(items), "ceval/val/0 ceval/val/1 ceval/val/2 ceval/val/3 ceval/val/4 ceval/test/0 ceval/test/1"; got != want {
		t.Fatalf("ids %q, want %q (default splits val and test, subjects in byte order)", got, want)
	}
	if got, want := items[1].Text, "下列地址中，哪一个是合法的私有IPv4地址？\nA. 8.8.8.8\nB. 192.168.1.20\nC. 224.0.0.1\nD. 300.1.1.1"; got != want {
		t.Errorf("val/1 text %q, want %q", got, want)
	}
	if got := items[2].Text; !strings.HasPrefix(got, "以下关于交换机的说法，正确的是：\n交换机工作在哪一层？\nA. 物理层") {
		t.Errorf("quoted multi-line question: %q", got)
	}
	if items[0].Part != "question+options" || items[0].Answer != "传输层" || items[5].Answer != "" {
		t.Errorf("part %q, answers %q / %q", items[0].Part, items[0].Answer, items[5].Answer)
	}
	dev := load(t, "ceval:dev", Options{Part: "full"})
	want := "Ping命令使用的协议是\nA. TCP\nB. UDP\nC. ICMP\nD. ARP\nAnswer: C\n1. Ping发送ICMP回显请求报文。\n2. 所以选C。"
	if len(dev) != 1 || dev[0].Text != want || dev[0].ID != "ceval/dev/0" {
		t.Errorf("dev full = %+v, want text %q", dev, want)
	}
	var notes []string
	answers := load(t, "ceval:test", Options{Part: "answer", Warnf: func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }})
	if len(answers) != 0 || len(notes) != 1 || !strings.Contains(notes[0], "2 of 2 items left out") {
		t.Errorf("test answers: %d items, notes %q (the test split has no answers)", len(answers), notes)
	}
}

func TestMATHProblemFiles(t *testing.T) {
	items := load(t, "math", Options{})
	if got, want := ids(items), "math/test/0 math/test/1 math/test/2 math/test/3"; got != want {
		t.Fatalf("ids %q, want %q", got, want)
	}
	wantFirst := "Solve for $x$: $3x + 7 = 22$.\nSubtract 7 from both sides to get $3x = 15$, so $x = \\boxed{5}$."
	var answers []string
	for _, it := range items {
		answers = append(answers, it.Answer)
	}
	if items[0].Text != wantFirst || strings.Join(answers, "|") != `5|\frac{3}{4}|9|6` {
		t.Errorf("text %q, answers %q (want files 1, 2, 10 in numeric order, then prealgebra)", items[0].Text, answers)
	}
	q := load(t, "math", Options{Part: "question"})
	if q[1].Text != `Simplify $\frac{2}{4} + \frac{1}{4}$.` || q[1].Part != "question" {
		t.Errorf("question part %+v", q[1])
	}
}

func TestHellaSwagOriginalJSONL(t *testing.T) {
	items := load(t, "hellaswag:val+test", Options{Part: "full"})
	if got, want := ids(items), "hellaswag/val/0 hellaswag/val/1 hellaswag/test/0"; got != want {
		t.Fatalf("ids %q, want %q", got, want)
	}
	want0 := "Painting a fence: A woman dips a brush into a can of white paint. she\nA. throws the can over the fence.\nB. starts singing to the dog.\nC. spreads the paint along the top board.\nD. drives away in a red car.\nAnswer: C"
	want1 := "Home and Garden: How to water a cactus. Check the soil first. Push a finger\nA. into the soil to see whether it is dry. Dry soil means it is time to water."
	if items[0].Text != want0 {
		t.Errorf("val/0:\n%q\nwant\n%q", items[0].Text, want0)
	}
	if !strings.HasPrefix(items[1].Text, want1) {
		t.Errorf("val/1 (WikiHow tags):\n%q\nwant prefix\n%q", items[1].Text, want1)
	}
	if strings.Contains(items[2].Text, "Answer:") {
		t.Errorf("unlabelled test item got an answer line: %q", items[2].Text)
	}
}

func TestARCEasyLabels(t *testing.T) {
	items := load(t, "arc_easy", Options{})
	want := "What do plants need from the air to make food?\n1. oxygen\n2. carbon dioxide\n3. nitrogen"
	if len(items) != 2 || items[1].Text != want || items[1].Answer != "carbon dioxide" || items[1].ID != "arc_easy/test/1" {
		t.Errorf("items %+v", items)
	}
}

func TestRecordParts(t *testing.T) {
	mc := record{split: "test", question: "Which gas do plants take in?", labels: abcd,
		options: []string{"oxygen", "carbon dioxide", "helium", "neon"}, key: "B"}
	numeric := record{split: "test", question: "What is 6 times 7?", labels: abcd, options: []string{"42", "36", "48", "13"}, key: "A"}
	gen := record{split: "test", question: "Tom has 3 apples and buys 4 more. How many?", sep: "\n",
		solution: "He has 3 + 4 = 7 apples.\n#### 7", answer: "7"}
	tests := []struct {
		r    record
		part Part
		want string
		ok   bool
	}{
		{mc, PartQuestion, "Which gas do plants take in?", true},
		{mc, PartQuestionOptions, "Which gas do plants take in?\nA. oxygen\nB. carbon dioxide\nC. helium\nD. neon", true},
		{mc, PartFull, "Which gas do plants take in?\nA. oxygen\nB. carbon dioxide\nC. helium\nD. neon\nAnswer: B", true},
		{mc, PartAnswer, "carbon dioxide", false}, // two words: not evidence
		{numeric, PartAnswer, "42", false},
		{gen, PartQuestion, "Tom has 3 apples and buys 4 more. How many?", true},
		{gen, PartQuestionOptions, "Tom has 3 apples and buys 4 more. How many?", true},
		{gen, PartFull, "Tom has 3 apples and buys 4 more. How many?\nHe has 3 + 4 = 7 apples.\n#### 7", true},
		{gen, PartAnswer, "He has 3 + 4 = 7 apples.\n#### 7", true},
	}
	for _, tt := range tests {
		got, ok := tt.r.text(tt.part)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q %s: got %q, %v; want %q, %v", tt.r.question, tt.part, got, ok, tt.want, tt.ok)
		}
	}
	if mc.itemAnswer() != "carbon dioxide" || gen.itemAnswer() != "7" {
		t.Errorf("answers %q %q", mc.itemAnswer(), gen.itemAnswer())
	}
}

func TestAnswerIsEvidence(t *testing.T) {
	tests := []struct {
		a    string
		want bool
	}{
		{"42", false},
		{"  3,141.59 ", false},
		{"1 2 3 4 5 6", false}, // numbers only
		{"$x = \\frac{3}{4}$", false},
		{"Paris", false},
		{"The seeds pass through your digestive system", true},
		{"把域名解析为地址", true}, // 8 CJK characters
		{"北京", false},
	}
	for _, tt := range tests {
		if got := answerIsEvidence(tt.a); got != tt.want {
			t.Errorf("answerIsEvidence(%q) = %v, want %v", tt.a, got, tt.want)
		}
	}
}

func TestPartFor(t *testing.T) {
	tests := []struct {
		opt, bench string
		def        Part
		want       Part
		err        string
	}{
		{"", "gsm8k", PartFull, PartFull, ""},
		{"question", "gsm8k", PartFull, PartQuestion, ""},
		{"question,gsm8k=full", "gsm8k", PartFull, PartFull, ""},
		{"gsm8k=full,question", "mmlu", PartQuestionOptions, PartQuestion, ""},
		{"arc_challenge=question", "arc", PartQuestionOptions, PartQuestion, ""},
		{"mmlu=answer", "gsm8k", PartFull, PartFull, ""},
		{"questions", "gsm8k", PartFull, "", "unknown part"},
	}
	for _, tt := range tests {
		o := Options{Part: tt.opt}
		got, err := o.partFor(tt.bench, tt.def)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.opt, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q for %s: %q, %v; want %q", tt.opt, tt.bench, got, err, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Setenv("LEAKHOUND_BENCH_DIR", "")
	tests := []struct {
		spec string
		opts Options
		want string // Loader.String() or error text
	}{
		{"gsm8k", Options{Dir: "x"}, "gsm8k"},
		{"MMLU:test+dev", Options{Dir: "x"}, "mmlu:test+dev"},
		{"arc_challenge", Options{Dir: "x"}, "arc"},
		{"hf://datasets/openai/gsm8k/main/test", Options{}, "hf://datasets/openai/gsm8k/main/test"},
		{"gsm8kk", Options{}, "not a file and not a named benchmark (known: gsm8k,"},
		{"testdata", Options{}, "is a directory"},
		{"no/such.jsonl", Options{}, "no such file"},
	}
	for _, tt := range tests {
		l, err := Resolve(tt.spec, tt.opts)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = l.String()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("Resolve(%q) = %q, want %q", tt.spec, got, tt.want)
		}
	}
	_, err := LoadAll(context.Background(), []string{"gsm8k"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "--bench-dir") || !strings.Contains(err.Error(), "LEAKHOUND_BENCH_DIR") {
		t.Errorf("no dir: err = %v", err)
	}
	_, err = LoadAll(context.Background(), []string{"gsm8k"}, Options{Dir: fixtureDir})
	if err == nil || !strings.Contains(err.Error(), "not found under") {
		t.Errorf("missing benchmark: err = %v", err)
	}
	_, err = LoadAll(context.Background(), []string{"ceval:train"}, Options{Dir: fixtureDir})
	if err == nil || !strings.Contains(err.Error(), `split "train" not found`) {
		t.Errorf("missing split: err = %v", err)
	}
	t.Setenv("LEAKHOUND_BENCH_DIR", fixtureDir)
	if items, err := LoadAll(context.Background(), []string{"arc_easy"}, Options{}); err != nil || len(items) != 2 {
		t.Errorf("LEAKHOUND_BENCH_DIR: %d items, %v", len(items), err)
	}
}

func TestCatalogComplete(t *testing.T) {
	for _, name := range []string{"gsm8k", "humaneval", "mbpp", "mmlu", "cmmlu", "ceval", "arc", "hellaswag", "truthfulqa", "math"} {
		b := Lookup(name)
		if b == nil {
			t.Errorf("%s: not in the catalog", name)
			continue
		}
		if b.Source == "" || b.License == "" || len(b.DefaultSplits) == 0 || b.DefaultPart == "" || len(b.Layouts) == 0 || b.load == nil {
			t.Errorf("%s: incomplete entry %+v", name, b)
		}
		if _, err := ParsePart(string(b.DefaultPart)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if b.HubMap != "" {
			if _, err := ParseFieldMap(b.HubMap); err != nil {
				t.Errorf("%s: hub map: %v", name, err)
			}
		}
	}
}
