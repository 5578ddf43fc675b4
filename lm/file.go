package lm

import (
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"sort"
)

// fileVersion is the version of the model file format.
const fileVersion = 1

// fileModel is the on-disk form: gzip-compressed gob, contexts sorted by
// key so that the same model always writes the same bytes.
type fileModel struct {
	Version int
	Kind    string
	Words   []string // word pieces, ids from 258 on (word tokenizer)
	Order   int
	Ctxs    [][]fileCtx
}

type fileCtx struct {
	Key  uint64
	Next []int32
	Cnt  []int32
}

// Save writes m to w.
func (m *Model) Save(w io.Writer) error {
	f := fileModel{Version: fileVersion, Kind: m.tok.kind, Order: m.order}
	if m.tok.kind == KindWord {
		f.Words = m.tok.pieces[firstWord:]
	}
	for _, cx := range m.ctxs {
		keys := make([]uint64, 0, len(cx))
		for k := range cx {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		recs := make([]fileCtx, len(keys))
		for i, k := range keys {
			recs[i] = fileCtx{Key: k, Next: cx[k].next, Cnt: cx[k].cnt}
		}
		f.Ctxs = append(f.Ctxs, recs)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(zw).Encode(&f); err != nil {
		return fmt.Errorf("lm: save: %w", err)
	}
	return zw.Close()
}

// Load reads a model written by Save, checking every field.
func Load(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("lm: load: %w", err)
	}
	var f fileModel
	if err := gob.NewDecoder(io.LimitReader(zr, 8<<30)).Decode(&f); err != nil {
		return nil, fmt.Errorf("lm: load: %w", err)
	}
	return f.model()
}

func (f *fileModel) model() (*Model, error) {
	if f.Version != fileVersion {
		return nil, fmt.Errorf("lm: load: file version %d, want %d", f.Version, fileVersion)
	}
	if f.Order < 1 || f.Order > 16 || len(f.Ctxs) != f.Order {
		return nil, fmt.Errorf("lm: load: bad order %d with %d context tables", f.Order, len(f.Ctxs))
	}
	var tok *Tokenizer
	switch f.Kind {
	case KindByte:
		tok = NewByteTokenizer()
	case KindWord:
		tok = newWordTokenizer(f.Words)
	default:
		return nil, fmt.Errorf("lm: load: unknown tokenizer %q", f.Kind)
	}
	m := &Model{tok: tok, order: f.Order}
	for k, recs := range f.Ctxs {
		cx := make(map[uint64]*context, len(recs))
		for _, r := range recs {
			if err := checkCtx(r, tok.VocabSize()); err != nil {
				return nil, fmt.Errorf("lm: load: order %d: %w", k+1, err)
			}
			cx[r.Key] = &context{next: r.Next, cnt: r.Cnt}
		}
		m.ctxs = append(m.ctxs, cx)
	}
	if len(m.ctxs[0]) != 1 {
		return nil, errors.New("lm: load: no unigram context")
	}
	m.finish()
	return m, nil
}

func checkCtx(r fileCtx, vocab int) error {
	if len(r.Next) == 0 || len(r.Next) != len(r.Cnt) {
		return fmt.Errorf("context %x: %d tokens, %d counts", r.Key, len(r.Next), len(r.Cnt))
	}
	for i, w := range r.Next {
		if w < 0 || int(w) >= vocab || w == BOS || r.Cnt[i] <= 0 {
			return fmt.Errorf("context %x: bad entry %d (count %d)", r.Key, w, r.Cnt[i])
		}
		if i > 0 && r.Next[i-1] >= w {
			return fmt.Errorf("context %x: tokens not sorted", r.Key)
		}
	}
	return nil
}
