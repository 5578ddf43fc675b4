package evalset

import (
	"flag"
	"os"
)

// AddFlags registers the benchmark options on fs, so that every command
// that loads benchmarks offers the same flags:
//
//	--bench-dir DIR       Options.Dir (default $LEAKHOUND_BENCH_DIR)
//	--bench-part PART     Options.Part
//	--bench-map MAP       Options.Map
//	--bench-id-field F    Options.IDField
//	--bench-name NAME     Options.Benchmark
//	--bench-cache DIR     Options.CacheDir
//	--bench-offline       Options.Offline
//	--bench-no-clusters   Options.NoClusters
//
// --bench and --bench-field are left to the command (scan registers
// --bench-field into Options.Field itself).
func (o *Options) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.Dir, "bench-dir", os.Getenv("LEAKHOUND_BENCH_DIR"),
		"`DIR` holding named benchmarks in their native layout (default $LEAKHOUND_BENCH_DIR); see 'leakhound bench list'")
	fs.StringVar(&o.Part, "bench-part", "",
		"`PART` of each item to match: question, question+options, full or answer; NAME=PART for one benchmark "+
			"(\"question,gsm8k=full\"); default: each benchmark's own (see 'leakhound bench list')")
	fs.StringVar(&o.Map, "bench-map", "",
		"field `MAP` for generic files and Hub datasets: \"question=F[,F];options=F|A,B,C,D;answer=F;solution=F;split=F;sep=\\n\"")
	fs.StringVar(&o.IDField, "bench-id-field", "", "`FIELD` holding item ids in generic files (default \"id\" when present)")
	fs.StringVar(&o.Benchmark, "bench-name", "", "benchmark `NAME` for generic files and Hub datasets (default: the file or dataset name)")
	fs.StringVar(&o.CacheDir, "bench-cache", "",
		"`DIR` for Hub downloads (default $LEAKHOUND_CACHE_DIR, else $XDG_CACHE_HOME/leakhound/hub)")
	fs.BoolVar(&o.Offline, "bench-offline", false,
		"never touch the network: Hub datasets come from the cache only (also LEAKHOUND_OFFLINE=1 or HF_HUB_OFFLINE=1)")
	fs.BoolVar(&o.NoClusters, "bench-no-clusters", false, "skip the near-duplicate check inside benchmarks (items get no cluster)")
}
