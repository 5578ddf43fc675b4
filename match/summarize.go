package match

// Summarize merges the tallies of every worker and returns one row per
// benchmark and method, benchmarks in first-seen order and methods in
// option order.
func (s *Set) Summarize(tallies []*Tally) []Summary {
	t := s.merge(tallies)
	var rows []Summary
	for b, name := range s.benchmarks {
		for mi, method := range s.opts.Methods {
			rows = append(rows, s.summaryRow(t, b, name, mi, method))
		}
	}
	return rows
}

func (s *Set) merge(tallies []*Tally) *Tally {
	t := s.newTally()
	for _, u := range tallies {
		for mi := range t.found {
			for i, f := range u.found[mi] {
				t.found[mi][i] = t.found[mi][i] || f
			}
			for b, n := range u.docs[mi] {
				t.docs[mi][b] += n
			}
		}
		if t.palmSeen != nil {
			t.palmSeen.or(u.palmSeen)
		}
		if t.llamaTok != nil {
			t.llamaTok.or(u.llamaTok)
		}
	}
	return t
}

func (s *Set) summaryRow(t *Tally, b int, name string, mi int, method string) Summary {
	row := Summary{Benchmark: name, Method: method, DocsFlagged: t.docs[mi][b]}
	if method == GPT3 {
		row.N = s.gpt3N[b]
	}
	// Every count is of clusters: near-duplicate twins count once, as
	// eligible, not clean or found when any of them is.
	clusters := map[int32]bool{}
	eligible := map[int32]bool{}
	notClean := map[int32]bool{}
	found := map[int32]bool{}
	for i := range s.Items {
		if int(s.benchOf[i]) != b {
			continue
		}
		c := s.clusterOf[i]
		clusters[c] = true
		if s.eligible(i, b, method) {
			eligible[c] = true
		}
		flag, nc := s.itemFlag(t, i, mi, method)
		if nc {
			notClean[c] = true
		}
		if flag && !found[c] {
			found[c] = true
			row.FoundItems = append(row.FoundItems, s.Items[i].ID)
		}
	}
	row.Eligible, row.NotClean = len(eligible), len(notClean)
	row.Items, row.Found = len(clusters), len(found)
	if row.Items > 0 {
		row.Percent = 100 * float64(row.Found) / float64(row.Items)
	}
	return row
}

// eligible reports whether item i is long enough for the method to find.
func (s *Set) eligible(i, b int, method string) bool {
	switch method {
	case GPT3:
		return s.itemLen(i) >= s.gpt3N[b]
	case PaLM:
		return s.itemLen(i) >= s.opts.PaLMN
	case Llama2:
		return s.itemLen(i) > s.opts.Llama2MinLen && s.itemLen(i) >= llama2Prefix
	case GPT4:
		return s.gpt4.perItem[i] > 0
	}
	return true // registered detectors see every item
}

// itemFlag applies the method's item-level rule to item i.
func (s *Set) itemFlag(t *Tally, i, mi int, method string) (flag, notClean bool) {
	switch method {
	case PaLM:
		total := s.itemLen(i) - s.opts.PaLMN + 1
		if total <= 0 {
			return false, false
		}
		base := s.itemBase(i)
		return float64(t.palmSeen.count(base, base+total))/float64(total) >= s.opts.PaLMThreshold, false
	case Llama2:
		total := s.itemLen(i)
		if total == 0 {
			return false, false
		}
		base := s.itemBase(i)
		c := float64(t.llamaTok.count(base, base+total)) / float64(total)
		return c >= s.opts.Llama2Dirty, c >= s.opts.Llama2Clean
	}
	return t.found[mi][i], false
}
