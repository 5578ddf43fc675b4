// Package index is the benchmark side of a scan: an in-memory map from the
// hash of every seed n-gram of every benchmark item to the positions where
// it occurs, with a Bloom filter in front.
//
// The corpus side probes it at every token, so the layout is built for
// the miss: a blocked Bloom filter (one 64-bit word per key, 3 bits set,
// 8 to 16 bits per key, 1 to 3% false positives) sits in cache, and only the
// few probes that pass it touch the open-addressing table. The table is
// keyed by a 32-bit reduction of the n-gram hash; n-grams whose reductions
// collide share a posting list, which is harmless because every hit is
// verified token by token against the item before it counts.
//
// Postings are global token positions into the concatenated token hashes
// of all items, so an item's tokens are available for verification and
// span extension without another lookup.
package index
