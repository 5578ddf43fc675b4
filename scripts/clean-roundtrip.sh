#!/usr/bin/env bash
# Checks `leakhound scan --clean` end to end on real-size data: the
# synthetic corpus of ../shared/bench/gen_corpus.py, split into shards in
# several compressions, and the CodeAlpaca 2k sample (a JSON array)
# against HumanEval and MBPP. For each and each policy it checks the
# manifest's accounting and that a re-scan of the cleaned copy finds
# nothing; then it kills a cleaning run with SIGKILL in the middle,
# resumes it and compares the output tree byte for byte with an
# uninterrupted run. Usage: scripts/clean-roundtrip.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin=$work/leakhound
go build -o "$bin" ./cmd/leakhound

synth=$work/synth
if [ ! -f "$synth/corpus.jsonl" ]; then
	python3 ../shared/bench/gen_corpus.py --out "$synth" --size-mb 20 >/dev/null
fi
shards=$work/synth-shards
if [ ! -d "$shards" ]; then
	mkdir -p "$shards/a" "$shards/b"
	split -n l/5 -d "$synth/corpus.jsonl" "$shards/part-"
	zstd -q --rm "$shards/part-00" -o "$shards/a/part-00.jsonl.zst"
	gzip -c "$shards/part-01" > "$shards/a/part-01.jsonl.gz" && rm "$shards/part-01"
	mv "$shards/part-02" "$shards/b/part-02.jsonl"
	xz -c "$shards/part-03" > "$shards/b/part-03.jsonl.xz" && rm "$shards/part-03"
	bzip2 -c "$shards/part-04" > "$shards/b/part-04.jsonl.bz2" && rm "$shards/part-04"
fi

# check NAME POLICY SCANARGS...: scan with --clean, check, re-scan.
check() {
	local name=$1 policy=$2
	shift 2
	local out=$work/$name-$policy
	rm -rf "$out"
	local rc=0
	"$bin" scan --quiet --method all --out "$out.findings.jsonl" --clean "$out" --clean-policy "$policy" --report "$out.html" "$@" > "$out.log" || rc=$?
	[ "$rc" = 1 ] || { echo "$name $policy: scan exit $rc"; cat "$out.log"; exit 1; }
	python3 - "$out/.leakhound/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["ok"], m.get("failures")
for f in m["files"]:
    assert f["kept"] + f["dropped"] == f["read"] and f["output_records"] == f["kept"], f
t = m["totals"]
print(f"  files {t['files']} read {t['read']} kept {t['kept']} dropped {t['dropped']} redacted {t['redacted']} bad {t['bad']}")
PY
	local benches=()
	while [ $# -gt 0 ]; do
		case $1 in --bench) benches+=(--bench "$2"); shift 2 ;; *) shift ;; esac
	done
	rc=0
	"$bin" scan --quiet --method all "${benches[@]}" --out "$out.rescan.jsonl" "$out" > /dev/null || rc=$?
	local n
	n=$(wc -l < "$out.rescan.jsonl")
	echo "$name $policy: $(wc -l < "$out.findings.jsonl") findings; re-scan of the cleaned copy: $n findings (exit $rc)"
	[ "$rc" = 0 ] && [ "$n" = 0 ] || exit 1
}

for policy in drop redact; do
	check synth "$policy" --bench "$synth/bench.jsonl" "$synth/corpus.jsonl"
	check synth-shards "$policy" --bench "$synth/bench.jsonl" "$shards"
	if [ -f "$data/codealpaca/code_alpaca_2k.json" ]; then
		check codealpaca "$policy" --bench "$data/normalized/humaneval/test.jsonl.gz" \
			--bench "$data/normalized/mbpp/test.jsonl.gz" --bench "$data/normalized/gsm8k/test.jsonl.gz" \
			"$data/codealpaca/code_alpaca_2k.json"
	else
		echo "codealpaca: $data/codealpaca not found, skipped"
	fi
done

# Kill -9 in the middle of the cleaning pass, resume, compare.
ref=$work/synth-shards-redact
out=$work/killed
rm -rf "$out"
args=(scan --quiet --method all --bench "$synth/bench.jsonl" --clean-policy redact --workers 1 "$shards")
"$bin" "${args[@]}" --clean "$out" > /dev/null &
pid=$!
while ! ls "$out/.leakhound/files/"*.json > /dev/null 2>&1; do
	kill -0 "$pid" 2> /dev/null || { echo "kill test: the run ended before its first file was done"; exit 1; }
	sleep 0.05
done
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
done_files=$(ls "$out/.leakhound/files" | grep -c '\.json$' || true)
echo "kill test: killed with $done_files of 5 files done"
rc=0
"$bin" "${args[@]}" --clean "$out" > /dev/null || rc=$?
[ "$rc" = 1 ] || { echo "resumed run: exit $rc"; exit 1; }
# The manifest names the same inputs; compare every file.
if diff -r "$ref" "$out" > /dev/null; then
	echo "kill test: the resumed output is byte-identical to an uninterrupted run"
else
	diff -r "$ref" "$out" | head
	exit 1
fi
