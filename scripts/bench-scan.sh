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
bytes=$(stat -L -c %s "$corpus")

# row LABEL WALL CPU RSS_KB: prints one line of the table.
row() {
  awk -v l="$1" -v b="$bytes" -v w="$2" -v c="$3" -v r="$4" 'BEGIN {
    w = (w > 0 ? w : 0.005); c = (c > 0 ? c : 0.005)
    printf "%-26s %8.2f s %8.2f cpu-s %8.0f MB/s %8.0f MB/cpu-s %6.0f MB RSS\n", l, w, c, b/1e6/w, b/1e6/c, r/1024 }'
}

# measure LABEL CMD...: runs a tool once (page cache warm), timed by time(1).
measure() {
  local label=$1; shift
  local tf
  tf=$(mktemp)
  /usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -1 "$tf")
  rm -f "$tf"
  row "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss"
}

# scanrow LABEL FILE: runs leakhound scan and reports the scan's own wall
# and CPU time (stats.seconds, stats.cpu_seconds: loading and indexing the
# benchmarks excluded) with the whole process's peak RSS.
scanrow() {
  local label=$1 file=$2
  local tf ef js code=0
  tf=$(mktemp)
  ef=$(mktemp)
  js=$(/usr/bin/time -o "$tf" -f '%M' "$work/leakhound" scan "${benches[@]}" --method "$method" --quiet --format json "$file" 2>"$ef") || code=$?
  if [ "$code" -gt 1 ]; then # 0: nothing found, 1: found; anything else is a failure
    echo "bench-scan: leakhound scan failed (exit $code):" >&2
    cat "$ef" >&2
    rm -f "$tf" "$ef"
    exit 2
  fi
  rss=$(tail -1 "$tf")
  rm -f "$tf" "$ef"
  wall=$(grep -o '"seconds": [0-9.e+-]*' <<<"$js" | head -1 | awk '{print $2}')
  cpu=$(grep -o '"cpu_seconds": [0-9.e+-]*' <<<"$js" | head -1 | awk '{print $2}')
  row "$label" "$wall" "$cpu" "$rss"
}

cat "$corpus" > /dev/null # warm the page cache
echo "corpus: $corpus ($bytes bytes), $(( ${#benches[@]} / 2 )) benchmark files, method $method, $(nproc) cores"
measure "cat" cat "$corpus"
measure "zstd -d" zstd -d -c "$corpus.zst"
measure "gzip -d" gzip -d -c "$corpus.gz"
scanrow "leakhound scan jsonl" "$corpus"
scanrow "leakhound scan jsonl.zst" "$corpus.zst"
scanrow "leakhound scan jsonl.gz" "$corpus.gz"
echo "(scan rows: the scan alone, without loading and indexing the benchmarks; RSS: the whole process)"
