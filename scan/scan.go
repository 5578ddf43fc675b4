package scan

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/internal/cputime"
	"github.com/leakhound/leakhound/match"
)

// Options configure a scan.
type Options struct {
	Corpus  corpus.Options
	Workers int // 0 means runtime.GOMAXPROCS(0)
	// Progress, when set, is called from the collecting goroutine about
	// every ProgressEvery with the counts so far, and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Finding is called for every finding, in order. An error stops the
	// scan and is returned.
	Finding func(*leakhound.Finding) error
	// Diagnostic is called for every bad record or bad file, in order.
	Diagnostic func(corpus.Diagnostic)
}

// Progress is a snapshot of a running scan.
type Progress struct {
	BytesRead  int64 // bytes consumed from disk (compressed input counts as stored)
	BytesTotal int64 // total size of the inputs; -1 when unknown (stdin)
	Records    int64
	Findings   int64
	Elapsed    time.Duration
}

// Stats account for every record and byte a scan read.
type Stats struct {
	Files          int              `json:"files"`
	Records        int64            `json:"records"`      // records read
	Good           int64            `json:"good_records"` // records matched
	Bad            int64            `json:"bad_records"`  // records skipped with a diagnostic
	BadByKind      map[string]int64 `json:"diagnostics"`  // diagnostics by kind (records and files)
	Bytes          int64            `json:"bytes"`        // uncompressed bytes
	BytesRead      int64            `json:"bytes_read"`   // bytes read from disk
	Findings       int64            `json:"findings"`
	Seconds        float64          `json:"seconds"`     // wall time of the scan alone (not loading benchmarks)
	CPUSeconds     float64          `json:"cpu_seconds"` // process CPU time (user + system) during the scan; 0 where unknown
	FilesByFormat  map[string]int   `json:"files_by_format"`
	FilesByCompres map[string]int   `json:"files_by_compression"`
}

// job is one batch on its way to a worker, numbered in reading order.
type job struct {
	seq   int64
	batch *corpus.Batch
}

// result is what a worker made of one batch.
type result struct {
	seq         int64
	findings    []leakhound.Finding
	diagnostics []corpus.Diagnostic
	read, good  int64
	err         error
}

// Run scans inputs against set and returns the accounting and the
// worker tallies (for Set.Summarize). It stops at the first fatal error:
// an input that cannot be opened or read, an error from opts.Finding, or
// ctx's cancellation.
func Run(ctx context.Context, set *match.Set, inputs []corpus.Input, opts Options) (*Stats, []*match.Tally, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &run{opts: opts, stats: newStats(), start: time.Now(), total: totalSize(inputs)}
	cpuStart := cputime.Used()
	jobs := make(chan job, workers)
	results := make(chan result, workers)
	free := make(chan *corpus.Batch, 2*workers+2)
	for i := 0; i < cap(free); i++ {
		free <- new(corpus.Batch)
	}
	var readErr error
	go func() {
		readErr = s.read(ctx, inputs, jobs, free)
		close(jobs)
	}()
	matchers := make([]*match.Matcher, workers)
	var wg sync.WaitGroup
	for w := range matchers {
		matchers[w] = set.NewMatcher()
		wg.Add(1)
		go func(m *match.Matcher) {
			defer wg.Done()
			work(ctx, m, opts.Corpus, jobs, results, free)
		}(matchers[w])
	}
	go func() { wg.Wait(); close(results) }()
	err := s.collect(results, cancel)
	if err == nil {
		err = readErr
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	s.stats.Bytes = s.uncompressed
	s.stats.Seconds = time.Since(s.start).Seconds()
	s.stats.CPUSeconds = (cputime.Used() - cpuStart).Seconds()
	s.stats.BytesRead = s.bytesRead()
	tallies := make([]*match.Tally, len(matchers))
	for i, m := range matchers {
		tallies[i] = m.Tally()
	}
	return s.stats, tallies, err
}

func newStats() *Stats {
	return &Stats{BadByKind: map[string]int64{}, FilesByFormat: map[string]int{}, FilesByCompres: map[string]int{}}
}

func totalSize(inputs []corpus.Input) int64 {
	var t int64
	for _, in := range inputs {
		if in.Size < 0 {
			return -1
		}
		t += in.Size
	}
	return t
}

// run is the state shared by the reader and the collector.
type run struct {
	opts     Options
	stats    *Stats
	start    time.Time
	total    int64
	doneRead atomic.Int64 // bytes of inputs already finished
	current  atomic.Pointer[corpus.Source]
	records  int64
	findings int64
	// uncompressed counts the bytes of finished inputs after
	// decompression; only the reader writes it, and the collector reads it
	// after the reader has finished.
	uncompressed int64
}

func (s *run) bytesRead() int64 {
	n := s.doneRead.Load()
	if src := s.current.Load(); src != nil {
		n += src.BytesRead()
	}
	return n
}

// read opens every input in order and sends its batches to the workers.
func (s *run) read(ctx context.Context, inputs []corpus.Input, jobs chan<- job, free chan *corpus.Batch) error {
	var seq int64
	for _, in := range inputs {
		src, err := corpus.Open(in, s.opts.Corpus)
		if err != nil {
			return err
		}
		s.current.Store(src)
		s.countFile(src)
		for {
			var b *corpus.Batch
			select {
			case b = <-free:
			case <-ctx.Done():
				src.Close()
				return ctx.Err()
			}
			if !src.NextBatch(b) {
				free <- b
				break
			}
			jobs <- job{seq: seq, batch: b}
			seq++
		}
		err = src.Err()
		s.uncompressed += src.BytesDecompressed()
		src.Close()
		s.current.Store(nil)
		s.doneRead.Add(max(in.Size, src.BytesRead()))
		if err != nil {
			return err // corpus errors name the file already
		}
	}
	return nil
}

// countFile counts an opened input. Only the reading goroutine writes the
// file counts; the collector reads them after the reader has finished.
func (s *run) countFile(src *corpus.Source) {
	s.stats.Files++
	s.stats.FilesByFormat[src.Format().String()]++
	s.stats.FilesByCompres[src.Compression()]++
}

// work matches the records of each batch it receives.
func work(ctx context.Context, m *match.Matcher, copts corpus.Options, jobs <-chan job, results chan<- result, free chan<- *corpus.Batch) {
	x := corpus.NewExtractor(copts)
	for j := range jobs {
		r := result{seq: j.seq}
		if ctx.Err() == nil {
			r.err = j.batch.Each(x, func(rec *corpus.Record) error {
				first := len(r.findings)
				var err error
				r.findings, err = m.Match(r.findings, rec.Text)
				for i := first; i < len(r.findings); i++ {
					r.findings[i].Doc = docRef(rec)
				}
				if err != nil {
					return fmt.Errorf("%s:%d: %w", rec.File, rec.Line, err)
				}
				return nil
			})
			r.diagnostics = append(r.diagnostics, j.batch.Diagnostics()...)
			r.read, r.good = j.batch.Records()
		}
		free <- j.batch
		results <- r
	}
}

func docRef(rec *corpus.Record) leakhound.DocRef {
	d := leakhound.DocRef{File: rec.File, Line: rec.Line, Offset: rec.Offset}
	if rec.ID != nil {
		d.ID = string(rec.ID)
	}
	return d
}

// collect puts results back in reading order and hands them out.
func (s *run) collect(results <-chan result, cancel func()) error {
	pending := map[int64]result{}
	var next int64
	var err error
	every := s.opts.ProgressEvery
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	lastProgress := time.Now()
	for r := range results {
		pending[r.seq] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err == nil {
				if err = s.deliver(r); err != nil {
					cancel()
				}
			}
		}
		if s.opts.Progress != nil && time.Since(lastProgress) >= every {
			s.opts.Progress(s.progress())
			lastProgress = time.Now()
		}
	}
	if s.opts.Progress != nil {
		s.opts.Progress(s.progress())
	}
	return err
}

func (s *run) deliver(r result) error {
	if r.err != nil {
		return r.err
	}
	st := s.stats
	st.Records += r.read
	st.Good += r.good
	st.Bad += r.read - r.good
	s.records += r.read
	for _, d := range r.diagnostics {
		st.BadByKind[d.Kind]++
		if s.opts.Diagnostic != nil {
			s.opts.Diagnostic(d)
		}
	}
	for i := range r.findings {
		st.Findings++
		s.findings++
		if s.opts.Finding != nil {
			if err := s.opts.Finding(&r.findings[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *run) progress() Progress {
	return Progress{BytesRead: s.bytesRead(), BytesTotal: s.total, Records: s.records, Findings: s.findings, Elapsed: time.Since(s.start)}
}
