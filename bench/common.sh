# Shared by bench/run.sh and bench/peers.sh (sourced, not run): options, paths, data
# generation, the pigrs build and whole-process timing. See bench/README.md.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are used by the scripts that source it

# Prints the comment block at the top of the calling script (its usage) and exits 2.
bench_usage() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
    exit 2
}

bench_die() {
    echo "${0##*/}: $*" >&2
    exit 2
}

# Parses the options both scripts take; sets SIZE, RUNS, VERIFY and KEEP.
bench_parse_args() { # default-runs option...
    SIZE=1G
    RUNS=$1
    shift
    VERIFY=0
    KEEP=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --size) [ $# -ge 2 ] || bench_usage; SIZE=$2; shift 2 ;;
            --size=*) SIZE=${1#--size=}; shift ;;
            --runs) [ $# -ge 2 ] || bench_usage; RUNS=$2; shift 2 ;;
            --runs=*) RUNS=${1#--runs=}; shift ;;
            --verify) VERIFY=1; shift ;;
            --keep) KEEP=1; shift ;;
            -h|--help) bench_usage ;;
            *) echo "unknown option: $1" >&2; bench_usage ;;
        esac
    done
    case "$SIZE" in
        [0-9]*[KkMmGg]|[0-9]*) ;;
        *) bench_die "--size takes a number with an optional K/M/G suffix, not '$SIZE'" ;;
    esac
    case "$RUNS" in
        ''|*[!0-9]*|0) bench_die "--runs takes a positive number, not '$RUNS'" ;;
    esac
}

# Sets the paths (REPO SHARED DATA TAG GEN_TARGET PIGRS_TARGET) and checks the tools every
# benchmark needs.
bench_init() {
    REPO=$(cd "$(dirname "$0")/.." && pwd)
    SHARED=${PIGRS_SHARED_BENCH:-$REPO/../shared/bench}
    DATA=${BENCHDATA:-/tmp/pigrs-bench}
    TAG=$(printf '%s' "$SIZE" | tr '[:upper:]' '[:lower:]')
    GEN_TARGET=${BENCH_GEN_TARGET:-${TMPDIR:-/tmp}/pigrs-benchgen-target}
    PIGRS_TARGET=${CARGO_TARGET_DIR:-$REPO/target}
    local f
    for f in "$SHARED/gen/Cargo.toml" "$SHARED/check.py" "$SHARED/timeit.py"; do
        [ -e "$f" ] || bench_die "missing $f (set PIGRS_SHARED_BENCH to the shared bench folder)"
    done
    command -v cargo >/dev/null || bench_die "cargo is needed to build the generator and pigrs"
    command -v python3 >/dev/null || bench_die "python3 is needed to check the answers"
    [ -x /usr/bin/time ] ||
        echo "note: /usr/bin/time is missing; timing with $SHARED/timeit.py (wait4) instead" >&2
}

# Builds the deterministic generator outside the repository and writes the three datasets
# DATA/{wordcount,ngrams,top20}-TAG; data generated completely by an earlier run is reused.
bench_data() {
    echo "== generator (target $GEN_TARGET)" >&2
    CARGO_TARGET_DIR=$GEN_TARGET cargo build --quiet --release --manifest-path "$SHARED/gen/Cargo.toml"
    local gen=$GEN_TARGET/release/benchgen wl kind dir
    mkdir -p "$DATA"
    for wl in wordcount:wordcount ngrams:ngrams top20:pagecounts; do
        kind=${wl#*:}
        wl=${wl%%:*}
        dir=$DATA/$wl-$TAG
        if [ -e "$DATA/.$wl-$TAG.done" ] && [ -d "$dir" ]; then
            echo "== data $dir (reused)" >&2
            continue
        fi
        echo "== data $dir (generating $SIZE)" >&2
        rm -rf "$dir"
        "$gen" "$kind" --bytes "$SIZE" "$dir" >&2
        touch "$DATA/.$wl-$TAG.done"
    done
}

# Builds pigrs in release and copies the binary into WORK (see bench_workdir), so that a
# later build into a shared CARGO_TARGET_DIR cannot swap it during the runs; sets PIGRS to
# the copy.
bench_build_pigrs() {
    echo "== pigrs release build (target $PIGRS_TARGET)" >&2
    CARGO_TARGET_DIR=$PIGRS_TARGET cargo build --quiet --release -p pigrs --manifest-path "$REPO/Cargo.toml"
    [ -x "$PIGRS_TARGET/release/pigrs" ] || bench_die "the build did not produce $PIGRS_TARGET/release/pigrs"
    PIGRS=$WORK/pigrs
    cp "$PIGRS_TARGET/release/pigrs" "$PIGRS"
}

# Sets the array PIGRS_CMD to the command running the seed script WORKLOAD on its data,
# writing to OUT; further arguments (e.g. --no-optimize) go before the script.
bench_pigrs_cmd() { # workload out [pigrs run option...]
    local wl=$1 out=$2 d=$DATA/$1-$TAG
    shift 2
    PIGRS_CMD=("$PIGRS" run "$@" "$REPO/scripts/$wl.pig" -p "in=$d" -p "out=$out")
    if [ "$wl" = top20 ]; then
        PIGRS_CMD+=(-p "restrictions=$d/restrictions.txt")
    fi
}

# Runs COMMAND once as a whole process, its stdout discarded and its stderr in LOG; prints
# "wall_s peak_rss_mib" and returns non-zero if the command failed. Peak RSS is from
# /usr/bin/time -v, or from timeit.py's wait4(2) when /usr/bin/time is missing.
bench_time() { # log command...
    local log=$1 t0 t1 rss
    shift
    if [ -x /usr/bin/time ]; then
        t0=$(date +%s.%N)
        /usr/bin/time -v -o "$log.time" "$@" >/dev/null 2>"$log" || return 1
        t1=$(date +%s.%N)
        rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log.time")
        awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN { printf "%.3f %s\n", b - a, r }'
    else
        # timeit.py discards the command's output; the log holds its report.
        python3 "$SHARED/timeit.py" -n 1 -w 0 -- "$@" >"$log" 2>&1 || return 1
        awk '/^wall s/ { w = $6 } /^peak MiB/ { r = sprintf("%.0f", $6) } END { print w, r }' "$log"
    fi
}

# Prints the median of the numbers given as arguments (the mean of the middle two for an
# even count).
bench_median() {
    printf '%s\n' "$@" | LC_ALL=C sort -g |
        awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Creates the scratch folder WORK, removed on exit unless KEEP=1.
bench_workdir() { # name
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    if [ "$KEEP" = 0 ]; then
        trap 'rm -rf "$WORK"' EXIT
    fi
    # An interrupted run still leaves through the EXIT trap.
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
