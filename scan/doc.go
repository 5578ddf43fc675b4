// Package scan is the driver of a corpus scan: it streams every record of
// every input through the matchers of a benchmark Set on all cores and
// emits findings in a deterministic order.
//
// One goroutine reads: it opens the inputs in order, decompresses them and
// cuts them into batches of about 1 MiB of whole records. Workers take
// batches, extract each record's text (corpus.Batch.Each) and match it
// (match.Matcher.Match). A collector puts the results back in reading
// order, so findings, diagnostics and counts come out the same whatever
// the number of workers. Memory is bounded by the batches in flight
// (about 2 per worker), not by the size of the corpus.
package scan
