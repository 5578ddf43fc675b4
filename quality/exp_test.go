package quality

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/leakhound/leakhound/rephrase"
)

func TestExperiment(t *testing.T) {
	if os.Getenv("LH_EXP") == "" {
		t.Skip("experiment")
	}
	dir, err := FindDataDir("")
	if err != nil {
		t.Skip(err)
	}
	sets, err := LoadPairSets(dir)
	if err != nil {
		t.Fatal(err)
	}
	bench, ordinary, err := LoadBackgroundTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	dummy := &rephrase.Weights{Features: rephrase.FeatureNames(), Models: map[string]rephrase.Logistic{}}
	for _, k := range rephrase.Kinds {
		dummy.Models[k] = rephrase.Logistic{Weights: make([]float64, len(dummy.Features)), Threshold: 0.5}
	}
	m, err := rephrase.NewModel(rephrase.Config{Weights: dummy, LexiconDirs: []string{dir}, Warnf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("LH_BG") != "" {
		var texts []string
		for _, it := range bench {
			texts = append(texts, it.Text)
		}
		bg := m.BuildBackground(texts)
		os.WriteFile("../rephrase/background.bin", bg, 0o644)
		m.SetBackground(bg)
		fmt.Println("background bytes", len(bg))
	}
	w, rep := Train(m, sets, bench, TrainingOrdinary(ordinary), DefaultTrainOptions())
	if os.Getenv("LH_W") != "" {
		b, _ := json.MarshalIndent(w, "", "  ")
		os.WriteFile("../rephrase/weights.json", append(b, '\n'), 0o644)
	}
	fmt.Print(rep)
	for _, k := range rephrase.Kinds {
		fmt.Println(k, w.Models[k])
	}
	m2, _ := rephrase.NewModel(rephrase.Config{Weights: w, LexiconDirs: []string{dir}})
	for i := range sets {
		for _, p := range []Part{PartAll, PartHeldOut} {
			r := Run(m2, &sets[i], p)
			fmt.Printf("%-32s %-8s F1 %.3f  %+v empty %d misses %v\n", r.Set, p, r.Counts.F1(), r.Counts, r.Empty, head(r.Misses))
		}
	}
}

func head(x []int) []int {
	if len(x) > 12 {
		return x[:12]
	}
	return x
}

func TestDump(t *testing.T) {
	spec := os.Getenv("LH_DUMP")
	if spec == "" {
		t.Skip("dump")
	}
	dir, _ := FindDataDir("")
	sets, _ := LoadPairSets(dir)
	dummy := &rephrase.Weights{Features: rephrase.FeatureNames(), Models: map[string]rephrase.Logistic{}}
	for _, k := range rephrase.Kinds {
		dummy.Models[k] = rephrase.Logistic{Weights: make([]float64, len(dummy.Features)), Threshold: 0.5}
	}
	m, _ := rephrase.NewModel(rephrase.Config{Weights: dummy, LexiconDirs: []string{dir}})
	var name string
	var idx []int
	fmt.Sscanf(spec, "%s", &name)
	for _, s := range sets {
		if s.Name != name {
			continue
		}
		for _, a := range os.Args {
			_ = a
		}
		fmt.Sscan(os.Getenv("LH_IDX"), &idx)
		for _, i := range []int{idx0()} {
			it, doc := m.Prepare(s.Items[i].Text), m.Prepare(s.Rephrases[i])
			k, f := m.PairFeatures(it, doc)
			fmt.Printf("ITEM:\n%s\nREPHRASE:\n%s\nkind %s\n", s.Items[i].Text, s.Rephrases[i], k)
			for j, n := range rephrase.FeatureNames() {
				fmt.Printf("  %-15s %.3f\n", n, f[j])
			}
			fmt.Println(rephrase.DebugAlign(m, it, doc))
		}
	}
}

func idx0() int {
	var i int
	fmt.Sscan(os.Getenv("LH_IDX"), &i)
	return i
}
