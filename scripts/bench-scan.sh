#!/usr/bin/env bash
# Measures leakhound scan throughput on a synthetic corpus against every
# benchmark in ../shared/data/normalized, next to cat and zstd -d of the
# same bytes in the same run, and prints MB/s (wall) and MB per CPU-second
# (user + sys; stable when the machine is shared).
#
#   scripts/bench-scan.sh [SIZE_MB] [METHOD]     (defaults: 200 gpt3)
#
# The corpus is generated once with ../shared/bench/gen_corpus.py into
# ${LEAKHOUND_BENCH_DIR:-/tmp/leakhound-bench}; MB = 10^6 bytes of
# uncompressed JSONL, as in shared/reference/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
method=${2:-gpt3}
shared=../shared
work=${LEAKHOUND_BENCH_DIR:-/tmp/leakhound-bench}
corpus=$work/corpus-$size/corpus.jsonl

for tool in python3 zstd /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-scan: $tool not found (apt-get install ${tool##*/})" >&2; exit 2; }
done
[ -d "$shared/data/normalized" ] || { echo "bench-scan: $shared/data/normalized not found" >&2; exit 2; }

if [ ! -s "$corpus" ]; then
  echo "generating a ${size} MB corpus in $work/corpus-$size ..." >&2
  python3 "$shared/bench/gen_corpus.py" --out "$work/corpus-$size" --size-mb "$size" >&2
fi
[ -s "$corpus.zst" ] || zstd -q -3 -f "$corpus" -o "$corpus.zst"
[ -s "$corpus.gz" ] || gzip -6 -c "$corpus" > "$corpus.gz"
go build -o "$work/leakhound" ./cmd/leakhound

benches=()
for f in "$shared"/data/normalized/*/*.jsonl.gz; do
  case "$f" in */decontam_rephrase/*|*alpaca*) continue ;; esac
  benches+=(--bench "$f")
done
bytes=$(stat -c %s "$corpus")

# measure LABEL CMD...: runs CMD once (page cache warm) and prints a row.
# With base_wall and base_cpu set, they are subtracted first (the time to
# load and index the benchmarks), so that the row is the scan alone.
base_wall=0
base_cpu=0
measure() {
  local label=$1; shift
  local tf
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true # scan exits 1 when it finds items
  read -r wall user sys rss < <(tail -1 "$tf")
  rm -f "$tf"
  last_wall=$wall last_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  awk -v l="$label" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v bw="$base_wall" -v bc="$base_cpu" \
    'BEGIN { cpu = u + s - bc; w = w - bw; w = (w > 0 ? w : 0.005); printf "%-34s %8.2f s %8.2f cpu-s %9.0f MB/s %9.0f MB/cpu-s %7.0f MB RSS\n", l, w, cpu, b/1e6/w, b/1e6/(cpu>0?cpu:1e-9), r/1024 }'
}

cat "$corpus" > /dev/null # warm the page cache
echo "corpus: $corpus ($bytes bytes), $(( ${#benches[@]} / 2 )) benchmark files, method $method, $(nproc) cores"
measure "cat" cat "$corpus"
measure "zstd -d" zstd -d -c "$corpus.zst"
measure "leakhound: load + index only" "$work/leakhound" scan "${benches[@]}" --method "$method" --quiet /dev/null
base_wall=$last_wall base_cpu=$last_cpu
echo "scan rows below: minus the load + index row"
measure "leakhound scan jsonl" "$work/leakhound" scan "${benches[@]}" --method "$method" --quiet "$corpus"
measure "leakhound scan jsonl.zst" "$work/leakhound" scan "${benches[@]}" --method "$method" --quiet "$corpus.zst"
measure "leakhound scan jsonl.gz" "$work/leakhound" scan "${benches[@]}" --method "$method" --quiet "$corpus.gz"
echo "(RSS is the whole process; --format json prints the scan's own seconds as stats.seconds)"
