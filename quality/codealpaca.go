package quality

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakhound/leakhound/rephrase"
)

// judged is one line of LMSYS's labelled pair files: a HumanEval item,
// its nearest CodeAlpaca-20k sample and the GPT-4 judge's verdict.
type judged struct {
	Test    string   `json:"test"`
	Train   []string `json:"train"`
	Results []bool   `json:"results"`
}

func readJudged(path string) ([]judged, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := readJSONLines[judged](f, path)
	if err != nil {
		return nil, err
	}
	for i, j := range out {
		if len(j.Train) == 0 || len(j.Results) == 0 {
			return nil, fmt.Errorf("%s:%d: no train sample or verdict", path, i+1)
		}
	}
	return out, nil
}

// CodeAlpacaRow is our verdict on one of the 164 pairs next to GPT-4's.
type CodeAlpacaRow struct {
	Index    int
	Ours     bool
	Prob     float64
	RunHEAD  bool // CodeAlpacaDB.jsonl (HEAD)
	RunOld   bool // detect.jsonl (commit af258ca)
	Evidence string
}

// CodeAlpaca compares the model's verdicts on the CodeAlpaca × HumanEval
// pairs with the two GPT-4 runs in shared/data.
func CodeAlpaca(m *rephrase.Model, dir string) ([]CodeAlpacaRow, error) {
	head, err := readJudged(filepath.Join(dir, "llm-decontaminator", "data", "database", "CodeAlpacaDB.jsonl"))
	if err != nil {
		return nil, err
	}
	old, err := readJudged(filepath.Join(dir, "llm-decontaminator", "detect.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(head) != len(old) {
		return nil, fmt.Errorf("CodeAlpacaDB.jsonl has %d pairs, detect.jsonl %d", len(head), len(old))
	}
	var rows []CodeAlpacaRow
	for i := range head {
		it, doc := m.Prepare(head[i].Test), m.Prepare(head[i].Train[0])
		p := m.Compare(it, doc)
		rows = append(rows, CodeAlpacaRow{Index: i, Ours: p.Flag, Prob: p.Prob, RunHEAD: head[i].Results[0], RunOld: old[i].Results[0],
			Evidence: rephrase.DebugAlign(it, doc)})
	}
	return rows, nil
}

// CodeAlpacaReport writes the agreement table and every disagreement with
// the pairs both GPT-4 runs flagged, or that we flagged and neither did.
func CodeAlpacaReport(w io.Writer, rows []CodeAlpacaRow) {
	var ours, both, union, agreeBoth, agreeHEAD, agreeOld, oursInBoth int
	for _, r := range rows {
		if r.Ours {
			ours++
		}
		if r.RunHEAD && r.RunOld {
			both++
			if r.Ours {
				oursInBoth++
			}
		}
		if r.RunHEAD || r.RunOld {
			union++
		}
		if r.Ours == (r.RunHEAD && r.RunOld) {
			agreeBoth++
		}
		if r.Ours == r.RunHEAD {
			agreeHEAD++
		}
		if r.Ours == r.RunOld {
			agreeOld++
		}
	}
	fmt.Fprintf(w, "pairs %d; flagged: ours %d, GPT-4 HEAD run %d, GPT-4 af258ca run %d, both runs %d, either run %d\n",
		len(rows), ours, count(rows, func(r CodeAlpacaRow) bool { return r.RunHEAD }), count(rows, func(r CodeAlpacaRow) bool { return r.RunOld }), both, union)
	fmt.Fprintf(w, "agreement (same verdict): with the both-runs set %d/%d, with HEAD %d/%d, with af258ca %d/%d; both-runs pairs we flag: %d/%d\n",
		agreeBoth, len(rows), agreeHEAD, len(rows), agreeOld, len(rows), oursInBoth, both)
	fmt.Fprintln(w, "\ndisagreements with the both-runs set (index: ours / HEAD / af258ca, probability, aligned evidence):")
	for _, r := range rows {
		if r.Ours != (r.RunHEAD && r.RunOld) {
			fmt.Fprintf(w, "\n%d: %v / %v / %v  p=%.3f\n  %s\n", r.Index, r.Ours, r.RunHEAD, r.RunOld, r.Prob, strings.ReplaceAll(r.Evidence, "\n", "\n  "))
		}
	}
}

func count(rows []CodeAlpacaRow, f func(CodeAlpacaRow) bool) int {
	n := 0
	for _, r := range rows {
		if f(r) {
			n++
		}
	}
	return n
}
