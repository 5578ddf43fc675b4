// Package report turns scan findings into reports that people act on: a
// JSON summary, a Markdown summary for pull requests and issue threads,
// and one self-contained HTML page with charts.
//
// A Builder aggregates findings as they stream by (from a scan's Finding
// hook or from a findings JSONL file read with ReadFindings): counts per
// benchmark and method, distinct items and records, a score histogram per
// method and the files with the most leaks. It keeps only the Cap
// highest-scoring findings for the table, so memory stays bounded with
// millions of findings and the page stays usable; the page says so and
// links the full JSONL.
//
// The HTML page makes no network fetch: its CSS and script are inline
// and its charts are inline SVG drawn here. Every piece of text from a
// benchmark or a corpus is escaped by html/template or, in the page's
// script, only ever set as text (textContent), never as markup. See
// doc/reports.md.
package report
