package evalset

import (
	"context"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
)

func TestFindClusters(t *testing.T) {
	bracket := func(open, close string) string {
		return "def correct_bracketing(brackets: str):\n    \"\"\" brackets is a string of \"" + open + "\" and \"" + close +
			"\".\n    return True if every opening bracket has a corresponding closing bracket.\n    \"\"\"\n" +
			"    depth = 0\n    for b in brackets:\n        if b == \"" + open + "\":\n            depth += 1\n        else:\n            depth -= 1\n"
	}
	items := []leakhound.Item{
		{ID: "code/0", Benchmark: "code", Text: "def add(a, b):\n    return a + b"},
		{ID: "code/1", Benchmark: "code", Text: bracket("<", ">")},
		{ID: "code/2", Benchmark: "code", Text: "def is_prime(n):\n    return n > 1 and all(n % k for k in range(2, n))"},
		{ID: "code/3", Benchmark: "code", Text: bracket("(", ")")},
		{ID: "other/0", Benchmark: "other", Text: bracket("[", "]")}, // another benchmark: never joined
		{ID: "zh/0", Benchmark: "zh", Text: "在农业生产中被当作极其重要的劳动对象发挥作用的基本生产资料是什么"},
		{ID: "zh/1", Benchmark: "zh", Text: "在农业生产中被当作极其重要的劳动对象发挥作用的基本生产资料是哪个"},
		{ID: "zh/2", Benchmark: "zh", Text: "立体孵化器孵化鸡蛋的最适温度为多少摄氏度"},
		{ID: "short/0", Benchmark: "short", Text: "True or false?"},
		{ID: "short/1", Benchmark: "short", Text: "true OR false"},
		{ID: "short/2", Benchmark: "short", Text: "True or not?"},
		{ID: "empty/0", Benchmark: "empty", Text: ""},
		{ID: "empty/1", Benchmark: "empty", Text: "  "},
	}
	cs := MarkClusters(items, DefaultClusterConfig)
	var got []string
	for _, c := range cs {
		got = append(got, c.ID+":"+strings.Join(c.Members, ","))
	}
	want := "code/1:code/1,code/3 zh/0:zh/0,zh/1 short/0:short/0,short/1"
	if strings.Join(got, " ") != want {
		t.Fatalf("clusters %q, want %q", got, want)
	}
	for _, it := range items {
		wantCluster := ""
		for _, c := range cs {
			for _, m := range c.Members {
				if m == it.ID {
					wantCluster = c.ID
				}
			}
		}
		if it.Cluster != wantCluster {
			t.Errorf("%s: cluster %q, want %q", it.ID, it.Cluster, wantCluster)
		}
	}
}

func TestJaccardAndShingles(t *testing.T) {
	a := shingles("one two three four five six", 5)
	b := shingles("ONE two three four five seven", 5)
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("shingles: %d, %d, want 2 each", len(a), len(b))
	}
	if j := jaccard(a, b); j != 1.0/3 {
		t.Errorf("jaccard = %v, want 1/3", j)
	}
	if j := jaccard(a, a); j != 1 {
		t.Errorf("self jaccard = %v", j)
	}
	if jaccard(nil, a) != 0 {
		t.Error("empty set jaccard not 0")
	}
}

// TestClustersSharedData checks the twins the issue names on the real
// benchmarks: HumanEval 56 and 61 (the same bracket task with "<>" and
// "()"), and MMLU questions repeated across subjects.
func TestClustersSharedData(t *testing.T) {
	data := sharedData(t)
	items, err := LoadAll(context.Background(), []string{"humaneval", "mmlu"}, Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]leakhound.Item)
	clusters := make(map[string][]string)
	for _, it := range items {
		byID[it.ID] = it
		if it.Cluster != "" {
			clusters[it.Cluster] = append(clusters[it.Cluster], it.ID)
		}
	}
	if c := byID["humaneval/test/61"].Cluster; c != "humaneval/test/56" || byID["humaneval/test/56"].Cluster != c {
		t.Errorf("HumanEval 56/61 clusters %q / %q", byID["humaneval/test/56"].Cluster, c)
	}
	if c := byID["mmlu/test/1258"].Cluster; c != "mmlu/test/488" {
		t.Errorf("mmlu/test/1258 (college_medicine, same question as clinical_knowledge 488): cluster %q", c)
	}
	counts := map[string]int{}
	for id := range clusters {
		counts[byID[id].Benchmark]++
	}
	// Recorded in doc/benchmarks.md; a change here is a change of method.
	if counts["humaneval"] != 1 || counts["mmlu"] != 145 {
		t.Errorf("clusters per benchmark %v, want humaneval 1, mmlu 145", counts)
	}
}
