package probe

// SkyworkDeltas are the loss gaps of the Skywork-13B report (arXiv
// 2310.19341, §5.2): Δ1 = L_test − L_ref (negative: possible test
// leakage) and Δ2 = L_test − L_train (large positive: over-fitting the
// train split).
func SkyworkDeltas(lTest, lTrain, lRef float64) (d1, d2 float64) {
	return lTest - lRef, lTest - lTrain
}

// TokenLoss is the token-weighted mean loss Σ loss / #tokens over a set
// of scored texts (Skywork's eval_loss.py).
func TokenLoss(scored []Scored) float64 {
	var sum float64
	var n int
	for _, s := range scored {
		for _, lp := range s.LP {
			sum -= lp
			n++
		}
	}
	if n == 0 {
		return nan()
	}
	return sum / float64(n)
}
