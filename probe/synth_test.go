package probe

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/leakhound/leakhound"
)

var update = flag.Bool("update", false, "rewrite testdata/probe fixtures")

var (
	synthNames  = []string{"Tom", "Ana", "Ravi", "Mei", "Olu", "Sara", "Ivan", "Lena", "Kofi", "Yuki", "Omar", "Nina"}
	synthThings = []string{"apples", "marbles", "stickers", "books", "pencils", "coins", "shells", "cards", "cookies", "stamps"}
	synthPlaces = []string{"market", "school fair", "corner shop", "library sale", "flea market", "bakery"}
	synthVerbs  = []string{"buys", "finds", "gets", "wins", "receives"}
)

// synthItems generates arithmetic word problems in a GSM8K-like layout
// (question, newline, worked answer) — text written for these tests.
func synthItems(n int, seed uint64) []leakhound.Item {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]leakhound.Item, n)
	for i := range out {
		name, thing := synthNames[rng.IntN(len(synthNames))], synthThings[rng.IntN(len(synthThings))]
		place, verb := synthPlaces[rng.IntN(len(synthPlaces))], synthVerbs[rng.IntN(len(synthVerbs))]
		a, b, c := 3+rng.IntN(60), 2+rng.IntN(40), 2+rng.IntN(5)
		q := fmt.Sprintf("%s has %d %s. At the %s, %s %s %d more %s and then gives away a group of %d. How many %s does %s have now?",
			name, a, thing, place, name, verb, b, thing, c, thing, name)
		ans := fmt.Sprintf("%s has %d + %d = %d %s after the %s.\nThen %d - %d = %d.\n#### %d", name, a, b, a+b, thing, place, a+b, c, a+b-c, a+b-c)
		out[i] = leakhound.Item{ID: fmt.Sprintf("synth/test/%d", i), Benchmark: "synth", Split: "test", Part: "full",
			Text: q + "\n" + ans, Answer: ans}
	}
	return out
}

// synthBackground generates unrelated everyday sentences.
func synthBackground(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 2))
	subj := []string{"The weather", "A small dog", "My neighbour", "The old train", "Our teacher", "The river", "A friendly cat"}
	verb := []string{"was", "seemed", "looked", "became", "stayed"}
	adj := []string{"quiet", "cold", "happy", "busy", "late", "bright", "calm", "tired"}
	tail := []string{"in the morning", "after lunch", "all week", "near the park", "on Sunday", "before the rain"}
	out := make([]string, n)
	for i := range out {
		var b bytes.Buffer
		for k := 0; k < 3+rng.IntN(3); k++ {
			fmt.Fprintf(&b, "%s %s %s %s. ", subj[rng.IntN(len(subj))], verb[rng.IntN(len(verb))], adj[rng.IntN(len(adj))], tail[rng.IntN(len(tail))])
		}
		fmt.Fprintf(&b, "Someone counted %d %s.", 2+rng.IntN(90), synthThings[rng.IntN(len(synthThings))])
		out[i] = b.String()
	}
	return out
}

// TestFixtures keeps testdata/probe/synth.jsonl equal to synthItems (run
// with -update to rewrite it).
func TestFixtures(t *testing.T) {
	var b bytes.Buffer
	for _, it := range synthItems(60, 7) {
		line, _ := json.Marshal(map[string]string{"id": it.ID, "dataset": it.Benchmark, "split": it.Split, "text": it.Text, "answer": it.Answer})
		b.Write(append(line, '\n'))
	}
	const path = "../testdata/probe/synth.jsonl"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("%s is stale; run go test ./probe -run TestFixtures -update", path)
	}
	items, err := LoadJSONL(path)
	if err != nil || len(items) != 60 || items[5] != synthItems(60, 7)[5] {
		t.Fatalf("loading the fixture: %d items, %v", len(items), err)
	}
}
