package quality

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/leakhound/leakhound/rephrase"
)

// Seed is the fixed seed of every random choice of the evaluation: the
// held-out split, the negative pairs and the scorer's initial weights.
const Seed = 20231108 // arXiv 2311.04850 was submitted in November 2023

// heldOutPercent of each set's items are held out: never trained on, never
// used to choose a threshold.
const heldOutPercent = 30

// HeldOut reports whether item i of set name is in the held-out split. The
// split is a seeded hash of the set's group and the item index, so the
// same item is held out in every set of its group (the GSM8K rephrase of
// item i and the item itself are never on both sides).
func HeldOut(group string, i int) bool {
	h := fnv.New64a()
	h.Write([]byte(group))
	h.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	x := h.Sum64() ^ Seed
	x ^= x >> 31
	x *= 0x9e3779b97f4a7c15
	x ^= x >> 29
	return x%100 < heldOutPercent
}

// splitKey is the key of the held-out split: MMLU items by subject (every
// kind of rephrase of one row falls on the same side), HumanEval by item.
func splitKey(s *PairSet) string {
	switch {
	case strings.HasPrefix(s.Name, "mmlu_"):
		parts := strings.Split(strings.TrimPrefix(s.Name, "mmlu_"), "_")
		return "mmlu_" + strings.Join(parts[:len(parts)-1], "_")
	case strings.HasPrefix(s.Name, "humaneval_"):
		return "humaneval"
	}
	return s.Name
}

// Part selects items for a protocol run.
type Part int

// Parts.
const (
	PartAll Part = iota
	PartTrain
	PartHeldOut
)

// String names the part: "all", "train" or "held-out".
func (p Part) String() string {
	return [...]string{"all", "train", "held-out"}[p]
}

func (p Part) has(s *PairSet, i int) bool {
	switch p {
	case PartTrain:
		return !HeldOut(splitKey(s), i)
	case PartHeldOut:
		return HeldOut(splitKey(s), i)
	}
	return true
}

// Pair is one (item, text) pair of the protocol.
type Pair struct {
	Item  int // index into the set's items
	Text  string
	Other int // for a negative: the other original's index, else -1
	Label bool
}

// paperProtocol reports whether a set follows LMSYS's MMLU/HumanEval
// protocol (first 100 items per subject; negatives from 15 sampled
// originals) rather than the all-items protocol used for GSM8K.
func paperProtocol(s *PairSet) bool { return strings.HasPrefix(s.Name, "mmlu_") }

// Pairs returns the protocol's pairs for a set and part: positives
// (original i, rephrase i) for non-empty rephrases, and negatives made of
// two different originals. MMLU follows §4.3: the first 100 items, and
// negatives among 15 originals sampled with the fixed seed (C(15,2) = 105,
// capped at 100). HumanEval and GSM8K take every item and as many negative
// pairs as positives, sampled with the fixed seed. It also returns the
// number of empty rephrases left out (LMSYS's scripts counted them as true
// positives).
func Pairs(s *PairSet, part Part) (pairs []Pair, empty int) {
	var idx []int
	for i := range s.Items {
		if paperProtocol(s) && i >= 100 {
			break
		}
		if part.has(s, i) {
			idx = append(idx, i)
		}
	}
	for _, i := range idx {
		if strings.TrimSpace(s.Rephrases[i]) == "" {
			empty++
			continue
		}
		pairs = append(pairs, Pair{Item: i, Text: s.Rephrases[i], Other: -1, Label: true})
	}
	rng := rand.New(rand.NewPCG(Seed, uint64(len(s.Name))*7919+uint64(part)))
	if paperProtocol(s) {
		pick := sample(rng, idx, 15)
		n := 0
		for a := 0; a < len(pick) && n < 100; a++ {
			for b := a + 1; b < len(pick) && n < 100; b++ {
				pairs = append(pairs, Pair{Item: pick[a], Text: s.Items[pick[b]].Text, Other: pick[b]})
				n++
			}
		}
		return pairs, empty
	}
	npos := len(pairs)
	for n := 0; n < npos && len(idx) > 1; n++ {
		a := idx[rng.IntN(len(idx))]
		b := idx[rng.IntN(len(idx))]
		for b == a {
			b = idx[rng.IntN(len(idx))]
		}
		pairs = append(pairs, Pair{Item: a, Text: s.Items[b].Text, Other: b})
	}
	return pairs, empty
}

func sample(rng *rand.Rand, idx []int, k int) []int {
	p := append([]int(nil), idx...)
	rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	if len(p) > k {
		p = p[:k]
	}
	return p
}

// Counts is a confusion count.
type Counts struct{ TP, FP, FN, TN int }

// F1 returns 2TP / (2TP + FP + FN).
func (c Counts) F1() float64 {
	if c.TP == 0 {
		return 0
	}
	return 2 * float64(c.TP) / float64(2*c.TP+c.FP+c.FN)
}

// Add counts one decision.
func (c *Counts) Add(label, flag bool) {
	switch {
	case label && flag:
		c.TP++
	case label:
		c.FN++
	case flag:
		c.FP++
	default:
		c.TN++
	}
}

// addAll adds the counts of o (pooling sets).
func (c *Counts) addAll(o Counts) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.TN += o.TN
}

// Result is one set's outcome under the protocol.
type Result struct {
	Set    string
	Group  string
	Part   Part
	Counts Counts
	Empty  int
	Misses []int // items of missed positives
	FPs    [][2]int
}

// Run applies the model to every pair of a set.
func Run(m *rephrase.Model, s *PairSet, part Part) Result {
	pairs, empty := Pairs(s, part)
	res := Result{Set: s.Name, Group: s.Group, Part: part, Empty: empty}
	item := preparer(m, s.Items)
	for _, p := range pairs {
		flag := m.Compare(item(p.Item), m.Prepare(p.Text)).Flag
		res.Counts.Add(p.Label, flag)
		if p.Label && !flag {
			res.Misses = append(res.Misses, p.Item)
		}
		if !p.Label && flag {
			res.FPs = append(res.FPs, [2]int{p.Item, p.Other})
		}
	}
	return res
}
