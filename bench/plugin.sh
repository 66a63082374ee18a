#!/usr/bin/env bash
# pigrs benchmark: a UDF plugin's eval function against the same function built in.
# FOREACH ... GENERATE UCFIRST(s) and GENERATE myudfs.UcFirst(s) (plugin/example) over
# ROWS generated rows, stored to files; prints the wall times, their ratio (plugin / built-in)
# and checks that the outputs are equal. A benchmark, not a test: CI does not run it.
#
#   bench/plugin.sh [--rows N] [--runs N] [--keep]
#
# --rows: input rows (default 10000000); --runs: runs of each, the median is shown
# (default 1); --keep: keep the scratch folder. CARGO_TARGET_DIR is honoured.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"

ROWS=10000000
RUNS=1
KEEP=0
# shellcheck disable=SC2034 # KEEP is read by bench_workdir (common.sh)
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) [ $# -ge 2 ] || bench_usage; ROWS=$2; shift 2 ;;
        --runs) [ $# -ge 2 ] || bench_usage; RUNS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) bench_usage ;;
        *) echo "unknown option: $1" >&2; bench_usage ;;
    esac
done
case "$ROWS$RUNS" in *[!0-9]*) bench_die "--rows and --runs take positive numbers" ;; esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2034 # read by bench_time (common.sh) where /usr/bin/time is missing
SHARED=${PIGRS_SHARED_BENCH:-$REPO/../shared/bench}
PIGRS_TARGET=${CARGO_TARGET_DIR:-$REPO/target}
bench_workdir pigrs-bench-plugin
bench_build_pigrs
echo "== plugin release build" >&2
CARGO_TARGET_DIR=$PIGRS_TARGET cargo build --quiet --release -p pigrs-plugin-example \
    --manifest-path "$REPO/Cargo.toml"
cp "$PIGRS_TARGET/release/libmyudfs.so" "$WORK/"

echo "== generating $ROWS rows" >&2
awk -v n="$ROWS" 'BEGIN { srand(1); for (i = 0; i < n; i++) printf "word%d\t%d\n", int(rand() * 1000000), i }' \
    >"$WORK/words.txt"

script() { # name call
    printf "REGISTER 'libmyudfs.so';\nA = LOAD 'words.txt' AS (s: chararray, n: long);\nB = FOREACH A GENERATE %s;\nSTORE B INTO '\$out';\n" \
        "$2" >"$WORK/$1.pig"
}
script builtin 'UCFIRST(s)'
script plugin 'myudfs.UcFirst(s)'

# Prints the median wall time of RUNS runs of script NAME.
measure() { # name
    local walls=() wall
    for _ in $(seq "$RUNS"); do
        rm -rf "$WORK/out-$1"
        if ! read -r wall _ < <(cd "$WORK" && bench_time "$WORK/$1.stderr" "$PIGRS" run "$1.pig" -p "out=out-$1"); then
            echo "pigrs failed on $1.pig; its stderr:" >&2
            cat "$WORK/$1.stderr" >&2
            return 1
        fi
        walls+=("$wall")
    done
    bench_median "${walls[@]}"
}

builtin=$(measure builtin)
plugin=$(measure plugin)
sum() { cat "$WORK/out-$1"/part-* | LC_ALL=C sort | md5sum | cut -d' ' -f1; }
[ "$(sum builtin)" = "$(sum plugin)" ] || bench_die "the plugin's output differs from the built-in's"
awk -v b="$builtin" -v p="$plugin" -v n="$ROWS" 'BEGIN {
    printf "rows %d\nbuilt-in UCFIRST      %.3f s\nplugin myudfs.UcFirst %.3f s\nratio (plugin / built-in) %.2f\n", n, b, p, p / b
}'
