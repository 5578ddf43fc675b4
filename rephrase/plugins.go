package rephrase

import (
	"context"

	"github.com/leakhound/leakhound/internal/vec"
	"github.com/leakhound/leakhound/judge"
)

// Plugins are the optional model checks of candidate pairs. A pair goes to
// them when the scorer flags it, or when its probability is at least Gray
// (and it has the minimum aligned evidence). The embedding cosine can
// promote a gray pair to a finding; the judge, when set, has the last
// word on every pair it sees.
type Plugins struct {
	Judge          *judge.Judge
	Embedder       *judge.Embedder
	EmbedThreshold float64 // cosine at or above which a gray pair is flagged (0.85)
	Gray           float64 // smallest scorer probability sent to the plug-ins (0.2)
}

// SetPlugins installs the model checks; nil removes them.
func (d *Detector) SetPlugins(p *Plugins) { d.plugins = p }

// judgeKind maps a pair kind to the judge's instruction.
var judgeKind = map[string]string{
	KindProse: judge.KindKnowledge, KindCross: judge.KindKnowledge, KindMath: judge.KindMath, KindCode: judge.KindCode,
}

// confirm applies the plug-ins to a scored pair, updating p.Flag, and
// returns their evidence.
func (pl *Plugins) confirm(p *Pair, item, doc *Prepared) (map[string]float64, error) {
	if pl == nil || pl.Judge == nil && pl.Embedder == nil {
		return nil, nil
	}
	if !p.Flag && (p.Prob < pl.Gray || !p.Eligible) {
		return nil, nil
	}
	ctx := context.Background()
	ev := map[string]float64{}
	if pl.Embedder != nil {
		vs, err := pl.Embedder.Embed(ctx, []string{item.text, doc.text})
		if err != nil {
			return nil, err
		}
		c := vec.Cosine(vs[0], vs[1])
		ev["embed_cosine"] = c
		if c >= pl.EmbedThreshold {
			p.Flag = true
		}
	}
	if pl.Judge != nil {
		v, err := pl.Judge.Judge(ctx, judgeKind[p.Kind], item.text, doc.text)
		if err != nil {
			return nil, err
		}
		p.Flag = v.Same
		ev["judge"] = 0
		if v.Same {
			ev["judge"] = 1
		}
	}
	return ev, nil
}
