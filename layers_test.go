package leakhound_test

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists, for each package, module packages it must not import
// (directly or not): leaves never import a stage above them.
var forbidden = map[string][]string{
	"":          {"normalize", "ngram", "index", "match", "scan", "corpus", "evalset", "report", "clean", "probe", "lm", "weights", "lineage", "internal/cli"},
	"normalize": {"ngram", "index", "match", "scan", "corpus", "evalset"},
	"ngram":     {"index", "match", "scan", "corpus", "evalset"},
	"index":     {"match", "scan", "corpus", "evalset"},
	"corpus":    {"match", "scan", "index", "evalset", "report", "clean"},
	"match":     {"scan", "corpus", "report", "clean", "internal/cli"},
	"scan":      {"report", "clean", "internal/cli"},
	"weights":   {"lineage", "match", "scan", "corpus"},
	"lm":        {"probe", "match", "scan", "corpus"},
}

// TestImportLayers holds the import direction of doc/architecture.md, and
// that only cmd/leakhound imports internal/cli.
func TestImportLayers(t *testing.T) {
	const mod = "github.com/leakhound/leakhound"
	out, err := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, mod), "/")
		if rel == "scan" && strings.Contains(deps, mod+"/match") {
			seen++ // the listing works: scan does depend on match
		}
		for _, dep := range strings.Fields(deps) {
			if !strings.HasPrefix(dep, mod) {
				continue
			}
			d := strings.TrimPrefix(strings.TrimPrefix(dep, mod), "/")
			if d == "internal/cli" && rel != "cmd/leakhound" {
				t.Errorf("%s imports internal/cli; only cmd/leakhound may", rel)
			}
			for _, f := range forbidden[rel] {
				if d == f {
					t.Errorf("%q imports %q, which is above it in the data flow", rel, d)
				}
			}
		}
	}
	if seen != 1 {
		t.Fatalf("go list output did not show scan depending on match:\n%s", out)
	}
}
