package quality

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/rephrase"
)

// paperRows are LMSYS's F1 rows (Tables 5–6 of arXiv 2311.04850, as in
// shared/reference/data-detection.md §4.4–4.5) for the sets they cover:
// 10-gram, the best embedding row, and the GPT-4 decontaminator.
var paperRows = map[string][3]string{
	"humaneval_python":               {"0", "0.938", "0.995"},
	"humaneval_c":                    {"0", "0.774", "0.974"},
	"humaneval_js":                   {"0", "0.788", "0.980"},
	"mmlu_abstract_algebra_en":       {"0", "0.985", "0.960"},
	"mmlu_sociology_en":              {"0", "0.985", "0.940"},
	"mmlu_high_school_us_history_en": {"0", "0.805", "0.970"},
	"mmlu_abstract_algebra_zh":       {"0", "0.939", "0.990"},
	"mmlu_sociology_zh":              {"0", "1", "0.950"},
	"mmlu_high_school_us_history_zh": {"0", "0.985", "0.980"},
}

// targets are the F1 targets per group.
var targets = map[string]float64{"gsm8k": 0.95, "humaneval": 0.95, "mmlu_en": 0.95, "mmlu_zh": 0.90}

// ProtocolReport runs the protocol on every set for the parts asked and
// writes the table. It returns the results.
func ProtocolReport(w io.Writer, m *rephrase.Model, sets []PairSet, parts []Part) []Result {
	var out []Result
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tpart\tpairs\tTP\tFP\tFN\tTN\tempty\tF1\ttarget\t10-gram\tEmb (paper)\tGPT-4 (paper)\t")
	for i := range sets {
		s := &sets[i]
		for _, p := range parts {
			r := Run(m, s, p)
			out = append(out, r)
			c := r.Counts
			row := paperRows[s.Name]
			if row[0] == "" {
				row = [3]string{"-", "-", "-"}
			}
			tgt := "-"
			if t, ok := targets[s.Group]; ok {
				tgt = fmt.Sprintf("%.2f", t)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f\t%s\t%s\t%s\t%s\t\n",
				s.Name, p, c.TP+c.FP+c.FN+c.TN, c.TP, c.FP, c.FN, c.TN, r.Empty, c.F1(), tgt, row[0], row[1], row[2])
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nempty = failed generations in the LMSYS files, left out (LMSYS's scripts counted them as true positives).")
	fmt.Fprintln(w, "Negatives: MMLU, 100 pairs among 15 originals sampled with the fixed seed (§4.3); GSM8K and HumanEval, as many random pairs of two originals as positives.")
	return out
}

// GroupSummary writes per target group the pooled F1 and the random-pair
// false-positive rate of the results.
func GroupSummary(w io.Writer, res []Result) {
	type agg struct {
		c    Counts
		sets int
	}
	byKey := map[string]*agg{}
	var keys []string
	for _, r := range res {
		k := r.Group + "\t" + r.Part.String()
		a, ok := byKey[k]
		if !ok {
			a = &agg{}
			byKey[k] = a
			keys = append(keys, k)
		}
		a.c.addAll(r.Counts)
		a.sets++
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "group\tpart\tsets\tF1 (pooled)\trecall\tFP / random pairs\ttarget\tmet\t")
	for _, k := range keys {
		a := byKey[k]
		g := strings.Split(k, "\t")[0]
		tgt, met := "-", "-"
		if t, ok := targets[g]; ok {
			tgt = fmt.Sprintf("%.2f", t)
			met = "yes"
			if a.c.F1() < t {
				met = "NO"
			}
		}
		fp := float64(a.c.FP) / float64(max(1, a.c.FP+a.c.TN))
		rec := float64(a.c.TP) / float64(max(1, a.c.TP+a.c.FN))
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.2f%%\t%s\t%s\t\n", k, a.sets, a.c.F1(), rec, 100*fp, tgt, met)
	}
	tw.Flush()
}

// RetrievalReport scans every rephrase set as a corpus through the full
// detector (candidate index and verification) built on all items of its
// benchmark, and writes, per set, how many rephrases were flagged as
// their own item and how many findings named another item.
func RetrievalReport(w io.Writer, m *rephrase.Model, sets []PairSet, bench map[string][]leakhound.Item, part Part) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tpart\tindexed items\trephrases\tfound (own item)\trecall\tother-item findings\t")
	dets := map[string]*rephrase.Detector{}
	for i := range sets {
		s := &sets[i]
		name := s.Items[0].Benchmark
		d, ok := dets[name]
		if !ok {
			d = rephrase.NewDetector(m, bench[name])
			dets[name] = d
		}
		wk := d.NewWorker()
		n, found, other := 0, 0, 0
		for j, text := range s.Rephrases {
			if !part.has(s, j) || strings.TrimSpace(text) == "" || (paperProtocol(s) && j >= 100) {
				continue
			}
			n++
			fs, _ := wk.Detect(nil, []byte(text))
			own := false
			for _, f := range fs {
				if f.Item == s.Items[j].ID {
					own = true
				} else {
					other++
				}
			}
			if own {
				found++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.3f\t%d\t\n", s.Name, part, len(bench[name]), n, found, float64(found)/float64(max(1, n)), other)
	}
	tw.Flush()
}

// BenchmarkItems groups items by benchmark name.
func BenchmarkItems(items []leakhound.Item) map[string][]leakhound.Item {
	out := map[string][]leakhound.Item{}
	for _, it := range items {
		out[it.Benchmark] = append(out[it.Benchmark], it)
	}
	return out
}

// Missed reports whether a target group's pooled held-out F1 is below its
// target (all items when no held-out part was run).
func Missed(res []Result) bool {
	for _, part := range []Part{PartHeldOut, PartAll} {
		pooled := map[string]*Counts{}
		for _, r := range res {
			if r.Part != part {
				continue
			}
			c, ok := pooled[r.Group]
			if !ok {
				c = &Counts{}
				pooled[r.Group] = c
			}
			c.addAll(r.Counts)
		}
		if len(pooled) == 0 {
			continue
		}
		for g, c := range pooled {
			if t, ok := targets[g]; ok && c.F1() < t {
				return true
			}
		}
		return false
	}
	return false
}

// OrdinaryReport scans the ordinary instruction-tuning records (Alpaca
// and CodeAlpaca in shared/data) against every benchmark item with the
// full detector and writes the flagged records, for all records and for
// the held-out part that training never saw.
func OrdinaryReport(w io.Writer, m *rephrase.Model, bench, ordinary []leakhound.Item) {
	d := rephrase.NewDetector(m, bench)
	wk := d.NewWorker()
	var all, held, nHeld int
	var lines []string
	for i, it := range ordinary {
		h := HeldOut("ordinary", i)
		if h {
			nHeld++
		}
		fs, _ := wk.Detect(nil, []byte(it.Text))
		if len(fs) == 0 {
			continue
		}
		all++
		if h {
			held++
		}
		for _, f := range fs {
			lines = append(lines, fmt.Sprintf("  %s (held out %v) → %s  p=%.3f %s", it.ID, h, f.Item, f.Score, f.Verdict))
		}
	}
	fmt.Fprintf(w, "ordinary records flagged: %d of %d (%.1f per 10k); held-out part: %d of %d (%.1f per 10k)\n",
		all, len(ordinary), 1e4*float64(all)/float64(max(1, len(ordinary))), held, nHeld, 1e4*float64(held)/float64(max(1, nHeld)))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
