#!/usr/bin/env bash
# pigrs benchmark: the three seed workloads (wordcount, ngrams, top20) on generated data,
# each run with the optimizer on and with --no-optimize; prints wall times, their ratio and
# peak RSS, and checks the answers. A benchmark, not a test: CI does not run it.
#
#   bench/run.sh [--size 1G|50M|...] [--runs N] [--verify] [--keep]
#
# See bench/README.md for the options and the environment variables.
set -euo pipefail

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

SIZE=1G
RUNS=1
VERIFY=0
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --size) [ $# -ge 2 ] || usage; SIZE=$2; shift 2 ;;
        --size=*) SIZE=${1#--size=}; shift ;;
        --runs) [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
        --runs=*) RUNS=${1#--runs=}; shift ;;
        --verify) VERIFY=1; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) echo "unknown option: $1" >&2; usage ;;
    esac
done
case "$SIZE" in
    [0-9]*[KkMmGg]|[0-9]*) ;;
    *) echo "--size takes a number with an optional K/M/G suffix, not '$SIZE'" >&2; exit 2 ;;
esac
case "$RUNS" in
    ''|*[!0-9]*|0) echo "--runs takes a positive number, not '$RUNS'" >&2; exit 2 ;;
esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${PIGRS_SHARED_BENCH:-$REPO/../shared/bench}
DATA=${BENCHDATA:-/tmp/pigrs-bench}
TAG=$(printf '%s' "$SIZE" | tr 'A-Z' 'a-z')
GEN_TARGET=${BENCH_GEN_TARGET:-${TMPDIR:-/tmp}/pigrs-benchgen-target}
PIGRS_TARGET=${CARGO_TARGET_DIR:-$REPO/target}

for f in "$SHARED/gen/Cargo.toml" "$SHARED/check.py"; do
    [ -e "$f" ] || { echo "missing $f (set PIGRS_SHARED_BENCH to the shared bench folder)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "python3 is needed to check the answers" >&2; exit 2; }

# 1. Data: the deterministic generator, built outside the repository; reused if present.
echo "== generator (target $GEN_TARGET)" >&2
CARGO_TARGET_DIR=$GEN_TARGET cargo build --quiet --release --manifest-path "$SHARED/gen/Cargo.toml"
GEN=$GEN_TARGET/release/benchgen
mkdir -p "$DATA"
gen() { # workload generator-kind
    local dir=$DATA/$1-$TAG
    if [ -e "$DATA/.$1-$TAG.done" ] && [ -d "$dir" ]; then
        echo "== data $dir (reused)" >&2
        return
    fi
    echo "== data $dir (generating $SIZE)" >&2
    rm -rf "$dir"
    "$GEN" "$2" --bytes "$SIZE" "$dir" >&2
    touch "$DATA/.$1-$TAG.done"
}
gen wordcount wordcount
gen ngrams ngrams
gen top20 pagecounts

# 2. pigrs, in release.
echo "== pigrs release build (target $PIGRS_TARGET)" >&2
CARGO_TARGET_DIR=$PIGRS_TARGET cargo build --quiet --release -p pigrs --manifest-path "$REPO/Cargo.toml"
PIGRS=$PIGRS_TARGET/release/pigrs

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pigrs-bench-run.XXXXXX")
if [ "$KEEP" = 0 ]; then
    trap 'rm -rf "$WORK"' EXIT
fi

params() { # workload out
    local d=$DATA/$1-$TAG
    case "$1" in
        top20) echo "-p in=$d -p restrictions=$d/restrictions.txt -p out=$2" ;;
        *) echo "-p in=$d -p out=$2" ;;
    esac
}

# Runs one workload in one mode RUNS times; prints "median_wall_s peak_rss_mib".
measure() { # workload mode(opt|noopt)
    local wl=$1 mode=$2 flag="" walls="" peak=0 i
    [ "$mode" = noopt ] && flag=--no-optimize
    for i in $(seq "$RUNS"); do
        local out=$WORK/out-$wl-$mode
        rm -rf "$out"
        # shellcheck disable=SC2046
        set -- "$PIGRS" run $flag "$REPO/scripts/$wl.pig" $(params "$wl" "$out") \
            --stats-json "$WORK/$wl-$mode.json"
        local t0 t1 rss
        if [ -x /usr/bin/time ]; then
            t0=$(date +%s.%N)
            if ! /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/$wl-$mode.stderr"; then
                echo "pigrs failed on $wl ($mode); its stderr:" >&2
                cat "$WORK/$wl-$mode.stderr" >&2
                return 1
            fi
            t1=$(date +%s.%N)
            rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/time.txt")
            walls="$walls $(python3 -c "print(f'{$t1 - $t0:.3f}')")"
        else
            python3 "$SHARED/timeit.py" -n 1 -w 0 -- "$@" >"$WORK/timeit.txt" \
                || { echo "pigrs failed on $wl ($mode)" >&2; return 1; }
            walls="$walls $(awk '/^wall s/ {print $5}' "$WORK/timeit.txt")"
            rss=$(awk '/^peak MiB/ {printf "%.0f", $5}' "$WORK/timeit.txt")
        fi
        [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    done
    local median
    median=$(printf '%s\n' $walls | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$median $peak"
}

echo "== running (size $SIZE, $RUNS run(s) each; data $DATA)" >&2
status=0
rows=()
for wl in wordcount ngrams top20; do
    echo "   $wl" >&2
    read -r opt_s opt_rss < <(measure "$wl" opt) || { status=1; continue; }
    read -r noopt_s noopt_rss < <(measure "$wl" noopt) || { status=1; continue; }
    ratio=$(python3 -c "print(f'{$noopt_s / $opt_s:.2f}' if $opt_s > 0 else '-')")
    # The unoptimized run is the reference the optimized one must agree with.
    if python3 "$SHARED/check.py" "$wl" "$WORK/out-$wl-noopt" "$WORK/out-$wl-opt" >"$WORK/check-$wl.txt" 2>&1; then
        check=OK
    else
        check=FAIL; status=1; cat "$WORK/check-$wl.txt" >&2
    fi
    if [ "$VERIFY" = 1 ]; then
        if python3 "$SHARED/check.py" "$wl" --data "$DATA/$wl-$TAG" "$WORK/out-$wl-noopt" "$WORK/out-$wl-opt" >"$WORK/verify-$wl.txt" 2>&1; then
            check="$check, ref OK"
        else
            check="$check, ref FAIL"; status=1; cat "$WORK/verify-$wl.txt" >&2
        fi
    fi
    rows+=("$(printf '%-10s %10s %13s %8s %12s %14s  %s' "$wl" "$opt_s" "$noopt_s" "$ratio" "$opt_rss" "$noopt_rss" "$check")")
done

echo
echo "pigrs benchmark: size $SIZE, median of $RUNS run(s), $(nproc 2>/dev/null || echo '?') cores"
printf '%-10s %10s %13s %8s %12s %14s  %s\n' workload "opt s" "no-optimize s" "ratio" "opt RSS MiB" "noopt RSS MiB" "answers"
printf '%s\n' "${rows[@]}"
echo "(ratio = no-optimize wall / optimized wall; answers: optimized vs no-optimize output$([ "$VERIFY" = 1 ] && echo ', ref = both vs a pure-Python reference'))"
[ "$KEEP" = 1 ] && echo "outputs, stderr and --stats-json files kept in $WORK"
exit $status
