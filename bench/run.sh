#!/usr/bin/env bash
# pigrs benchmark: the three seed workloads (wordcount, ngrams, top20) on generated data,
# each run with the optimizer on and with --no-optimize; prints wall times, their ratio and
# peak RSS, and checks the answers. A benchmark, not a test: CI does not run it.
#
#   bench/run.sh [--size 1G|50M|...] [--runs N] [--verify] [--keep]
#
# See bench/README.md for the options and the environment variables; bench/peers.sh
# compares pigrs with DuckDB and Polars.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
bench_parse_args 1 "$@"  # default --runs 1
bench_init
bench_workdir pigrs-bench-run
bench_data
bench_build_pigrs

# Runs one workload in one mode RUNS times; prints "median_wall_s peak_rss_mib".
measure() { # workload mode(opt|noopt)
    local wl=$1 mode=$2 walls=() peak=0 i res wall rss out=$WORK/out-$1-$2
    local flags=(--stats-json "$WORK/$wl-$mode.json")
    [ "$mode" = noopt ] && flags+=(--no-optimize)
    for i in $(seq "$RUNS"); do
        rm -rf "$out"
        bench_pigrs_cmd "$wl" "$out" "${flags[@]}"
        if ! res=$(bench_time "$WORK/$wl-$mode.stderr" "${PIGRS_CMD[@]}"); then
            echo "pigrs failed on $wl ($mode, run $i); its stderr:" >&2
            cat "$WORK/$wl-$mode.stderr" >&2
            return 1
        fi
        read -r wall rss <<<"$res"
        walls+=("$wall")
        [ "$rss" -gt "$peak" ] && peak=$rss
    done
    echo "$(bench_median "${walls[@]}") $peak"
}

echo "== running (size $SIZE, $RUNS run(s) each; data $DATA)" >&2
status=0
rows=()
for wl in wordcount ngrams top20; do
    echo "   $wl" >&2
    read -r opt_s opt_rss < <(measure "$wl" opt) || { status=1; continue; }
    read -r noopt_s noopt_rss < <(measure "$wl" noopt) || { status=1; continue; }
    ratio=$(awk -v a="$noopt_s" -v b="$opt_s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
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
[ ${#rows[@]} -gt 0 ] && printf '%s\n' "${rows[@]}"
echo "(ratio = no-optimize wall / optimized wall; answers: optimized vs no-optimize output$([ "$VERIFY" = 1 ] && echo ', ref = both vs a pure-Python reference'))"
[ "$KEEP" = 1 ] && echo "outputs, stderr and --stats-json files kept in $WORK"
exit $status
