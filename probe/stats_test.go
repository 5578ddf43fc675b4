package probe

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestStudentTCDF(t *testing.T) {
	tests := []struct {
		t, df, want, tol float64
	}{
		{0, 5, 0.5, 1e-12},
		{1, 1, 0.75, 1e-12}, // Cauchy: 1/2 + atan(1)/π
		{2.228, 10, 0.975, 5e-4},
		{-2.228, 10, 0.025, 5e-4},
		{1.729, 19, 0.95, 5e-4},
		{2.405, 49, 0.99, 5e-4},
		{3.0, 2, 0.5 + 3/(2*math.Sqrt(11)), 1e-12}, // df = 2 closed form
		{-40, 30, 0, 1e-12},
	}
	for _, tc := range tests {
		if got := StudentTCDF(tc.t, tc.df); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("StudentTCDF(%g, %g) = %.6f, want %.6f", tc.t, tc.df, got, tc.want)
		}
	}
	for _, tc := range []struct{ t, df float64 }{{3, 2}, {-1, 4}, {0.5, 30}} {
		if got, want := StudentTSF(tc.t, tc.df), 1-StudentTCDF(tc.t, tc.df); math.Abs(got-want) > 1e-12 {
			t.Errorf("StudentTSF(%g, %g) = %g, want %g", tc.t, tc.df, got, want)
		}
	}
	// Far tail, df = 2: 1/2 − z/(2 sqrt(2+z²)) ≈ 1/(2 z²) for large z.
	if got := StudentTSF(1e4, 2); math.Abs(got/(0.5/1e8)-1) > 1e-6 {
		t.Errorf("StudentTSF(1e4, 2) = %g, want ≈ 5e-9", got)
	}
	if !math.IsNaN(StudentTCDF(1, 0)) {
		t.Error("df 0 should give NaN")
	}
}

// TestROCKnownCases checks the metric code on ROC cases whose answers
// are known by hand (the scikit-learn roc_curve example among them).
func TestROCKnownCases(t *testing.T) {
	tests := []struct {
		name           string
		labels         []bool
		scores         []float64
		auroc, fpr95   float64
		tpr5, accuracy float64
	}{
		{"perfect", []bool{true, true, false, false}, []float64{.9, .8, .2, .1}, 1, 0, 1, 1},
		{"inverted", []bool{true, true, false, false}, []float64{.1, .2, .8, .9}, 0, 1, 0, 0.5},
		{"sklearn example", []bool{false, false, true, true}, []float64{.1, .4, .35, .8}, 0.75, 0.5, 0.5, 0.75},
		{"all tied", []bool{true, false, true, false}, []float64{1, 1, 1, 1}, 0.5, 1, 0, 0.5},
		{"half tied", []bool{true, false, true, false}, []float64{1, 1, 0, 0}, 0.5, 1, 0, 0.5},
		{"one swap of 10", []bool{true, true, true, true, true, false, false, false, false, false},
			[]float64{10, 9, 8, 7, 5, 6, 4, 3, 2, 1}, 0.96, 0.2, 0.8, 0.9},
	}
	for _, tc := range tests {
		r := NewROC(tc.labels, tc.scores)
		got := []float64{r.AUROC(), r.FPRAtTPR(0.95), r.TPRAtFPR(0.05), r.BestAccuracy()}
		want := []float64{tc.auroc, tc.fpr95, tc.tpr5, tc.accuracy}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("%s: [AUROC FPR@95TPR TPR@5FPR acc] = %v, want %v", tc.name, got, want)
				break
			}
		}
	}
	if se := NullAUROCStdErr(660, 660); math.Abs(se-0.0159) > 0.0005 {
		t.Errorf("null SE at 660 vs 660 = %.4f, want ≈ 0.016", se)
	}
}

// TestAUROCEqualsMannWhitney cross-checks the trapezoid AUROC with U/(n1 n0).
func TestAUROCEqualsMannWhitney(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var labels []bool
	var scores, x, y []float64
	for i := 0; i < 300; i++ {
		l := rng.IntN(2) == 0
		v := float64(rng.IntN(20)) // many ties
		if l {
			v += 3
			x = append(x, v)
		} else {
			y = append(y, v)
		}
		labels, scores = append(labels, l), append(scores, v)
	}
	auc := NewROC(labels, scores).AUROC()
	p, eff := MannWhitneyGreater(x, y)
	if math.Abs(auc-eff) > 1e-12 {
		t.Errorf("AUROC %.6f != U/(n1 n0) %.6f", auc, eff)
	}
	if p > 0.01 {
		t.Errorf("shifted samples: Mann–Whitney p = %g", p)
	}
	if p, _ := MannWhitneyGreater(y, x); p < 0.99 {
		t.Errorf("reversed: p = %g, want near 1", p)
	}
}

func TestMinK(t *testing.T) {
	lp := []float64{-1, -5, -2, -4, -3}
	tests := []struct {
		k    float64
		want float64
	}{{0.2, -5}, {0.4, -4.5}, {1, -3}, {0.01, -5}} // max(1, ⌊n·k⌋) items
	for _, tc := range tests {
		if got := MinK(lp, tc.k); got != tc.want {
			t.Errorf("MinK(k=%g) = %g, want %g", tc.k, got, tc.want)
		}
	}
	mu := []float64{-1, -1, -1, -1, -1}
	sg := []float64{1, 2, 1, 0, 1}
	// z = [0, -2, -1, 0 (σ = 0), -2]
	if got := MinKPP(lp, mu, sg, 0.4); got != -2 {
		t.Errorf("MinKPP = %g, want -2", got)
	}
	if !math.IsNaN(MinKPP(lp, mu[:2], sg, 0.2)) || !math.IsNaN(MinK(nil, 0.2)) {
		t.Error("mismatched or empty input should give NaN")
	}
}

// TestSkyworkTable8 reproduces the deltas of Skywork's Table 8 from its
// printed losses (±0.01: the table rounds each loss to two decimals).
func TestSkyworkTable8(t *testing.T) {
	f, err := os.Open("../testdata/probe/skywork_table8.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		v := make([]float64, 5)
		for i := range v {
			if v[i], err = strconv.ParseFloat(c[i+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		d1, d2 := SkyworkDeltas(v[0], v[1], v[2])
		if math.Abs(d1-v[3]) > 0.01+1e-9 || math.Abs(d2-v[4]) > 0.01+1e-9 {
			t.Errorf("%s: Δ1 %.2f Δ2 %.2f, table %.2f %.2f", c[0], d1, d2, v[3], v[4])
		}
		rows++
	}
	if rows != 14 {
		t.Errorf("%d rows, want 14", rows)
	}
}

func TestOrenStatistic(t *testing.T) {
	canon := []float64{1, 2, 3}
	shuf := [][]float64{{0, 0}, {1, 1}, {1, 1}}
	// d = [1, 1, 2]; df = 2 has CDF 1/2 + z/(2 sqrt(2+z²)).
	cdf2 := func(z float64) float64 { return 0.5 + z/(2*math.Sqrt(2+z*z)) }
	for _, tc := range []struct {
		ddof int
		z    float64
	}{{1, 4}, {0, (4.0 / 3) / math.Sqrt(6.0/27) * math.Sqrt(3)}} {
		z, p, md := OrenStatistic(canon, shuf, tc.ddof)
		if math.Abs(z-tc.z) > 1e-9 || math.Abs(p-(1-cdf2(tc.z))) > 1e-9 || math.Abs(md-4.0/3) > 1e-12 {
			t.Errorf("ddof %d: z %g p %g mean %g; want z %g p %g", tc.ddof, z, p, md, tc.z, 1-cdf2(tc.z))
		}
	}
	b := shardBounds(11, 4)
	want := [][2]int{{0, 3}, {3, 6}, {6, 9}, {9, 11}}
	for i := range want {
		if b[i] != want[i] {
			t.Fatalf("shardBounds(11, 4) = %v, want %v", b, want)
		}
	}
}
