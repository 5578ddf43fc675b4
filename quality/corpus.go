package quality

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/leakhound/leakhound"
)

// Planted is one line of a truth file: a document, the benchmark item
// planted in it and how (shared/bench/gen_corpus.py writes exact, noisy,
// partial and rephrase).
type Planted struct {
	Doc, Item, Kind string
}

// ReadTruth reads a truth file: "doc_id<TAB>bench_id<TAB>kind" lines; a
// first line starting with "doc" is a header.
func ReadTruth(path string) ([]Planted, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Planted
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || line == 1 && strings.HasPrefix(t, "doc") {
			continue
		}
		fs := strings.Split(t, "\t")
		if len(fs) != 3 {
			return nil, fmt.Errorf("%s:%d: want doc_id, bench_id and kind separated by tabs", path, line)
		}
		out = append(out, Planted{fs[0], fs[1], fs[2]})
	}
	return out, sc.Err()
}

// CorpusReport writes, per method, the recall of the planted items by
// kind and the false positives: findings that name an item not planted in
// that document, as documents per million scanned documents.
func CorpusReport(w io.Writer, truth []Planted, findings []leakhound.Finding, methods []string, docs int64) {
	planted := map[[2]string]string{}
	var kinds []string
	for _, p := range truth {
		planted[[2]string{p.Doc, p.Item}] = p.Kind
		if !slices.Contains(kinds, p.Kind) {
			kinds = append(kinds, p.Kind)
		}
	}
	found := map[string]map[[2]string]bool{}
	fpDocs := map[string]map[string]bool{}
	for _, m := range append([]string{"any"}, methods...) {
		found[m] = map[[2]string]bool{}
		fpDocs[m] = map[string]bool{}
	}
	for _, f := range findings {
		id := f.Doc.ID
		if id == "" {
			id = fmt.Sprintf("%s:%d", f.Doc.File, f.Doc.Line)
		}
		k := [2]string{id, f.Item}
		for _, m := range []string{"any", f.Method} {
			if _, ok := found[m]; !ok {
				continue
			}
			if _, ok := planted[k]; ok {
				found[m][k] = true
			} else {
				fpDocs[m][id] = true
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "method\t")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s\t", k)
	}
	fmt.Fprintln(tw, "false-positive docs\tper million docs\t")
	for _, m := range append([]string{"any"}, methods...) {
		fmt.Fprintf(tw, "%s\t", m)
		for _, kind := range kinds {
			n, hit := 0, 0
			for k, pk := range planted {
				if pk == kind {
					n++
					if found[m][k] {
						hit++
					}
				}
			}
			fmt.Fprintf(tw, "%d/%d\t", hit, n)
		}
		fmt.Fprintf(tw, "%d\t%.0f\t\n", len(fpDocs[m]), 1e6*float64(len(fpDocs[m]))/float64(max(1, docs)))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d documents scanned, %d planted items.\n", docs, len(planted))
}
