// Package leakhound holds the vocabulary shared by every stage of the tool:
// benchmark items, corpus record references, spans and findings.
//
// It has no I/O and no dependencies, so that every other package can import it.
// The JSON encoding of Finding is a contract: it is the format of the findings
// file that `leakhound scan --out` writes (see doc/report-schema.md).
package leakhound

// SchemaVersion is the version of the findings JSONL schema. Every finding
// line carries it as "schema_version". It changes only when a field changes
// meaning or is removed; new optional fields keep the version.
const SchemaVersion = 1

// Item is one benchmark test item, the unit a finding points at.
type Item struct {
	// ID is stable across runs: the file's own id field when it has one,
	// otherwise "<benchmark>/<split>/<n>" as in shared/data/normalized.
	ID string `json:"id"`
	// Benchmark names the test set, e.g. "gsm8k" or "mmlu".
	Benchmark string `json:"benchmark"`
	// Split names the split, e.g. "test"; empty when unknown.
	Split string `json:"split,omitempty"`
	// Part says which part of the item Text holds: "question",
	// "question+options", "full" or "answer".
	Part string `json:"part,omitempty"`
	// Text is the text that detectors match against.
	Text string `json:"text"`
	// Answer is the reference answer when the loader knows it, kept apart
	// so that a bare answer never counts as evidence on its own.
	Answer string `json:"answer,omitempty"`
	// Cluster names the item's near-duplicate cluster inside its
	// benchmark (twins such as HumanEval 56 and 61); empty when the item
	// has no twin. A match to any member of a cluster counts once.
	Cluster string `json:"cluster,omitempty"`
}

// DocRef locates a corpus record: the file, the 1-based line (or record
// number for formats without lines), the byte offset of the record in the
// uncompressed stream, and the record's own id when it has one.
type DocRef struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Offset int64  `json:"offset"`
	ID     string `json:"id,omitempty"`
}

// Span is a half-open byte range [Start, End) in a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Len returns the number of bytes in s.
func (s Span) Len() int { return s.End - s.Start }

// SpanPair is one matched region: the bytes of the corpus record text and
// the bytes of the benchmark item text that correspond to each other.
type SpanPair struct {
	Doc  Span `json:"doc"`
	Item Span `json:"item"`
}

// Excerpt is a window of the corpus record text around the matched spans,
// kept in the finding so that a report can show the evidence without the
// corpus at hand. Offset is the byte offset of Text in the record text.
type Excerpt struct {
	Offset int    `json:"offset"`
	Text   string `json:"text"`
}

// Finding is one piece of evidence that a corpus record contains a
// benchmark item. Spans are byte offsets into the record text (the selected
// fields, JSON-decoded and joined with "\n") and into Item.Text.
type Finding struct {
	SchemaVersion int     `json:"schema_version"`
	Doc           DocRef  `json:"doc"`
	Item          string  `json:"item"`
	Benchmark     string  `json:"benchmark"`
	Part          string  `json:"part,omitempty"`
	Method        string  `json:"method"`
	Score         float64 `json:"score"`
	// Verdict is the method's label for the item, e.g. "dirty" or
	// "not-dirty" for llama2, or "contaminated".
	Verdict  string             `json:"verdict,omitempty"`
	Spans    []SpanPair         `json:"spans"`
	Evidence map[string]float64 `json:"evidence,omitempty"`
	Excerpt  *Excerpt           `json:"excerpt,omitempty"`
	// Aligned lists, for the rephrase method, the item's words and numbers
	// and the record's words they were aligned with, in record order: the
	// evidence a person reads to judge a paraphrase or a translation.
	Aligned []Alignment `json:"aligned,omitempty"`
	// Cluster names the item's near-duplicate cluster inside its
	// benchmark when it has twins, so that a leak of either counts once.
	Cluster string `json:"cluster,omitempty"`
}

// Alignment is one aligned pair of a paraphrase finding: a word or number
// of the item, the record's word it was matched with, and how.
type Alignment struct {
	Item string `json:"item"`
	Doc  string `json:"doc"`
	// How is AlignSame, AlignNumber, AlignSynonym or AlignTranslation.
	How string `json:"how"`
	// Weight is the item word's IDF (its rarity), which the scorer counts.
	Weight float64 `json:"weight"`
}

// How two aligned words matched (Alignment.How).
const (
	AlignSame        = "same"        // the same word, stem or inflection
	AlignNumber      = "number"      // the same value, written alike or not (1,000 = 1000 = one thousand)
	AlignSynonym     = "synonym"     // a shared WordNet synset, a direct hypernym or a word prefix
	AlignTranslation = "translation" // a Chinese word and an English gloss of it (CC-CEDICT)
)

// Verdict is a model-level or data-level conclusion with its strength.
type Verdict string

// Verdicts shared by the probe and lineage commands.
const (
	VerdictContaminated Verdict = "contaminated"
	VerdictClean        Verdict = "clean"
	VerdictDerived      Verdict = "derived"
	VerdictIndependent  Verdict = "independent"
	VerdictInconclusive Verdict = "inconclusive"
)
