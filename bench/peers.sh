#!/usr/bin/env bash
# pigrs against its peers: the three seed workloads (wordcount, ngrams, top20) run by pigrs,
# DuckDB and Polars as whole processes, the engines alternating within each repetition
# (pigrs, duckdb, polars, then the next repetition); prints each engine's median wall time
# and peak RSS, pigrs's time and memory ratios to the fastest peer, and checks every peer's
# answer against pigrs's. A benchmark, not a test: CI does not run it.
#
#   bench/peers.sh [--size 1G|50M|...] [--runs N] [--verify] [--keep]
#
# --size defaults to 1G, --runs to 3. DuckDB and Polars are installed from PyPI into
# $BENCH_VENV when python3 lacks them. See bench/README.md.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
bench_parse_args 3 "$@"  # default --runs 3
bench_init

ENGINES=(pigrs duckdb polars)
PEERS=(duckdb polars)
for p in "${PEERS[@]}"; do
    [ -e "$SHARED/peers/${p}_q.py" ] || bench_die "missing $SHARED/peers/${p}_q.py"
done

# The Python interpreter that runs the peers: $BENCH_PYTHON if set; else python3 when it can
# import both engines (resolved to the interpreter itself, so that a version-manager shim's
# start-up is not timed); else the venv $BENCH_VENV, created and filled from PyPI as needed.
peers_python() {
    local probe='import duckdb, polars' venv=${BENCH_VENV:-${TMPDIR:-/tmp}/pigrs-bench-venv} py
    if [ -n "${BENCH_PYTHON:-}" ]; then
        "$BENCH_PYTHON" -c "$probe" ||
            bench_die "BENCH_PYTHON=$BENCH_PYTHON cannot import duckdb and polars"
        PY=$BENCH_PYTHON
        return
    fi
    py=$(python3 -c 'import sys; print(sys.executable)')
    if "$py" -c "$probe" 2>/dev/null; then
        PY=$py
        return
    fi
    PY=$venv/bin/python
    if [ -x "$PY" ] && "$PY" -c "$probe" 2>/dev/null; then
        return
    fi
    echo "== installing duckdb and polars from PyPI into $venv" >&2
    if [ ! -x "$PY" ]; then
        python3 -m venv "$venv" ||
            bench_die "python3 -m venv $venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
    "$PY" -m pip install --quiet --disable-pip-version-check duckdb polars ||
        bench_die "pip could not install duckdb and polars into $venv (is PyPI reachable?)"
    "$PY" -c "$probe" || bench_die "duckdb or polars installed into $venv but does not import"
}
peers_python
VERSIONS=$("$PY" -c 'import sys, duckdb, polars
print(f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}, polars {polars.__version__}")')
echo "== peers: $VERSIONS ($PY)" >&2

bench_workdir pigrs-bench-peers
bench_data
bench_build_pigrs

# Sets CMD to the command running ENGINE on WORKLOAD, writing to OUT (pigrs: a folder of
# part files; the peers: one TSV file).
engine_cmd() { # engine workload out
    case "$1" in
        pigrs) bench_pigrs_cmd "$2" "$3"; CMD=("${PIGRS_CMD[@]}") ;;
        *) CMD=("$PY" "$SHARED/peers/$1_q.py" "$2" "$DATA/$2-$TAG" "$3") ;;
    esac
}

out_path() { # engine workload rep
    case "$1" in
        pigrs) echo "$WORK/$2-r$3-pigrs" ;;
        *) echo "$WORK/$2-r$3-$1.tsv" ;;
    esac
}

fmt_ratio() { # numerator denominator
    awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else print "-" }'
}

echo "== running (size $SIZE, $RUNS repetition(s); data $DATA; scratch $WORK)" >&2
status=0
rows=()
met=0
for wl in wordcount ngrams top20; do
    # Every engine reads the input from the page cache, the first one too.
    cat "$DATA/$wl-$TAG"/* >/dev/null
    declare -A walls=() peak=() failed=()
    mismatch=()
    for rep in $(seq "$RUNS"); do
        for eng in "${ENGINES[@]}"; do
            [ -n "${failed[$eng]:-}" ] && continue
            out=$(out_path "$eng" "$wl" "$rep")
            rm -rf "$out"
            engine_cmd "$eng" "$wl" "$out"
            echo "   $wl run $rep/$RUNS: $eng" >&2
            log=$WORK/$wl-r$rep-$eng.stderr
            if ! res=$(bench_time "$log" "${CMD[@]}"); then
                echo "!! $eng FAILED on $wl (run $rep): ${CMD[*]}" >&2
                sed 's/^/   | /' "$log" >&2
                failed[$eng]=1
                status=1
                continue
            fi
            read -r wall rss <<<"$res"
            walls[$eng]="${walls[$eng]:-} $wall"
            [ "$rss" -gt "${peak[$eng]:-0}" ] && peak[$eng]=$rss
        done
        # This repetition's answers: every peer against pigrs.
        [ -n "${failed[pigrs]:-}" ] && continue
        outs=()
        for eng in "${PEERS[@]}"; do
            [ -n "${failed[$eng]:-}" ] || outs+=("$(out_path "$eng" "$wl" "$rep")")
        done
        [ ${#outs[@]} -gt 0 ] || continue
        chk=$WORK/$wl-r$rep.check
        if ! python3 "$SHARED/check.py" "$wl" "$(out_path pigrs "$wl" "$rep")" "${outs[@]}" >"$chk" 2>&1; then
            status=1
            echo "!! ANSWER MISMATCH on $wl (run $rep), peers vs pigrs:" >&2
            sed 's/^/   | /' "$chk" >&2
            for eng in "${PEERS[@]}"; do
                grep -q "^FAIL $wl .*-$eng\.tsv vs" "$chk" && mismatch+=("$eng")
            done
            grep -q '^FAIL' "$chk" || mismatch+=(check.py)
        fi
        if [ "$VERIFY" = 1 ] && [ "$rep" = 1 ]; then
            chk=$WORK/$wl.verify
            if ! python3 "$SHARED/check.py" "$wl" --data "$DATA/$wl-$TAG" "$(out_path pigrs "$wl" "$rep")" >"$chk" 2>&1; then
                status=1
                echo "!! pigrs's $wl answer differs from the pure-Python reference:" >&2
                sed 's/^/   | /' "$chk" >&2
                mismatch+=(pigrs-vs-ref)
            fi
        fi
        if [ "$KEEP" = 0 ]; then
            for eng in "${ENGINES[@]}"; do rm -rf "$(out_path "$eng" "$wl" "$rep")"; done
        fi
    done

    # Medians and peaks; the best peer is the fastest one.
    declare -A med=()
    best=""
    for eng in "${ENGINES[@]}"; do
        med[$eng]=""
        if [ -z "${failed[$eng]:-}" ]; then
            # shellcheck disable=SC2086 # the list of wall times splits on purpose
            med[$eng]=$(bench_median ${walls[$eng]})
        fi
    done
    for eng in "${PEERS[@]}"; do
        [ -n "${med[$eng]}" ] || continue
        if [ -z "$best" ] || awk -v a="${med[$eng]}" -v b="${med[$best]}" 'BEGIN { exit !(a < b) }'; then
            best=$eng
        fi
    done
    t_ratio=- m_ratio=-
    if [ -n "$best" ] && [ -n "${med[pigrs]}" ]; then
        t_ratio=$(fmt_ratio "${med[pigrs]}" "${med[$best]}")
        m_ratio=$(fmt_ratio "${peak[pigrs]}" "${peak[$best]}")
    fi

    if [ -n "${failed[*]}" ]; then
        check="FAILED: ${!failed[*]}"
    elif [ ${#mismatch[@]} -gt 0 ]; then
        check="MISMATCH: $(printf '%s\n' "${mismatch[@]}" | sort -u | paste -sd, -)"
    else
        check=OK
        [ "$VERIFY" = 1 ] && check="OK, ref OK"
        # A workload meets the targets only with every engine run and every answer agreeing.
        if awk -v t="$t_ratio" -v m="$m_ratio" 'BEGIN { exit !(t <= 1.0 && m <= 1.5) }'; then
            met=$((met + 1))
        fi
    fi
    row=$(printf '%-10s' "$wl")
    for eng in "${ENGINES[@]}"; do row+=$(printf ' %9s' "${med[$eng]:--}"); done
    for eng in "${ENGINES[@]}"; do row+=$(printf ' %10s' "${peak[$eng]:--}"); done
    row+=$(printf ' %-9s %7s %7s  %s' "${best:--}" "$t_ratio" "$m_ratio" "$check")
    rows+=("$row")
    unset walls peak failed med
done

echo
echo "pigrs vs peers: size $SIZE, $RUNS repetition(s), median wall / max peak RSS, $(nproc 2>/dev/null || echo '?') cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "$VERSIONS"
printf '%-10s %9s %9s %9s %10s %10s %10s %-9s %7s %7s  %s\n' workload "pigrs s" "duckdb s" "polars s" \
    "pigrs MiB" "duckdb MiB" "polars MiB" "best peer" "time x" "RSS x" "answers"
printf '%s\n' "${rows[@]}"
echo "(best peer = the faster of duckdb and polars; time x = pigrs wall / best peer wall,"
echo " RSS x = pigrs peak RSS / best peer peak RSS; targets: time x <= 1.00 and RSS x <= 1.50,"
echo " met on $met of 3 workloads (with answers OK); answers: duckdb and polars vs pigrs, every run$([ "$VERIFY" = 1 ] && echo ', ref = pigrs vs a pure-Python reference'))"
if [ "$KEEP" = 1 ]; then
    echo "outputs and each run's stderr kept in $WORK"
fi
if [ "$status" != 0 ]; then
    echo "${0##*/}: FAILED: an engine failed or the answers differ (details above the table)" >&2
fi
exit $status
