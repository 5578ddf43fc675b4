package probe

import (
	"math"
	"sort"
)

// ROC is a receiver operating characteristic curve computed as
// scikit-learn's roc_curve does: one point per distinct score, highest
// threshold first, starting at (0, 0). Label true = member, and a higher
// score means "more likely member".
type ROC struct {
	FPR, TPR []float64
}

// NewROC builds the ROC curve of scores against labels.
func NewROC(labels []bool, scores []float64) ROC {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var pos, neg float64
	for _, l := range labels {
		if l {
			pos++
		} else {
			neg++
		}
	}
	r := ROC{FPR: []float64{0}, TPR: []float64{0}}
	var tp, fp float64
	for i, k := range idx {
		if labels[k] {
			tp++
		} else {
			fp++
		}
		if i+1 < len(idx) && scores[idx[i+1]] == scores[k] {
			continue
		}
		r.FPR = append(r.FPR, fp/neg)
		r.TPR = append(r.TPR, tp/pos)
	}
	return r
}

// AUROC is the area under the curve by the trapezoid rule (equal to the
// Mann–Whitney U statistic over n₁·n₀, ties counting one half).
func (r ROC) AUROC() float64 {
	var a float64
	for i := 1; i < len(r.FPR); i++ {
		a += (r.FPR[i] - r.FPR[i-1]) * (r.TPR[i] + r.TPR[i-1]) / 2
	}
	return a
}

// TPRAtFPR returns tpr at the last point with fpr ≤ x (TPR@5%FPR for
// x = 0.05, as Min-K%++'s get_metrics).
func (r ROC) TPRAtFPR(x float64) float64 {
	t := 0.0
	for i, f := range r.FPR {
		if f <= x+1e-12 {
			t = r.TPR[i]
		}
	}
	return t
}

// FPRAtTPR returns fpr at the first point with tpr ≥ y (FPR@95%TPR for
// y = 0.95).
func (r ROC) FPRAtTPR(y float64) float64 {
	for i, t := range r.TPR {
		if t >= y-1e-12 {
			return r.FPR[i]
		}
	}
	return 1
}

// BestAccuracy is the Min-K% repository's sweep accuracy:
// max over thresholds of 1 − (fpr + (1 − tpr))/2.
func (r ROC) BestAccuracy() float64 {
	best := 0.0
	for i := range r.FPR {
		best = math.Max(best, 1-(r.FPR[i]+1-r.TPR[i])/2)
	}
	return best
}

// NullAUROCStdErr is AUROC's standard error under no signal:
// sqrt((n1 + n0 + 1) / (12 n1 n0)).
func NullAUROCStdErr(n1, n0 int) float64 {
	return math.Sqrt(float64(n1+n0+1) / (12 * float64(n1) * float64(n0)))
}

// Metric summarises how well one score separates labelled members from
// non-members.
type Metric struct {
	Score      string  `json:"score"`
	AUROC      float64 `json:"auroc"`
	TPRAt5FPR  float64 `json:"tpr_at_5pct_fpr"`
	FPRAt95TPR float64 `json:"fpr_at_95pct_tpr"`
	Accuracy   float64 `json:"best_accuracy"`
	Members    int     `json:"members"`
	NonMembers int     `json:"non_members"`
	// NullSE is AUROC's standard error under no signal.
	NullSE float64 `json:"null_se"`
}

// NewMetric computes the metrics of one score; items whose score is NaN
// are left out.
func NewMetric(name string, labels []bool, scores []float64) (Metric, bool) {
	var l []bool
	var s []float64
	var n1, n0 int
	for i, v := range scores {
		if math.IsNaN(v) {
			continue
		}
		l, s = append(l, labels[i]), append(s, v)
		if labels[i] {
			n1++
		} else {
			n0++
		}
	}
	if n1 == 0 || n0 == 0 {
		return Metric{}, false
	}
	r := NewROC(l, s)
	return Metric{Score: name, AUROC: r.AUROC(), TPRAt5FPR: r.TPRAtFPR(0.05), FPRAt95TPR: r.FPRAtTPR(0.95),
		Accuracy: r.BestAccuracy(), Members: n1, NonMembers: n0, NullSE: NullAUROCStdErr(n1, n0)}, true
}
