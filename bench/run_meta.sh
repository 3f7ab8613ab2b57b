#!/bin/sh
# run_meta.sh - issue 13's metadata benchmarks, whole-process and in-process, h5rd against
# libhdf5, in one run:
#
#   W4  `h5rd cat FILE /x` against bench/h5read_whole (libhdf5 H5Dread of the whole dataset to
#       stdout) on the four tiny-chunk files (fixed array, extensible array, v2 B-tree, v1
#       B-tree), both to /dev/null;
#   W5  `h5rd ls -r` against `h5ls -r` on ~20,000 small gzip datasets, latest and earliest
#       format, both to /dev/null;
#   W5, pages only: bench/page_floor (map the file, read a byte of every page, nothing else)
#       against `h5ls -r`: the kernel's share - mapping and unmapping the pages - by itself;
#   start-up: `h5rd --version`, `h5rd ls` and `h5ls` of an empty file, /bin/true;
#   then build/meta_bench: W4 per chunk and W3 per read in-process, and the thread table of W1,
#   W2 (when bench/gen_bench_files.py's files exist) and W3.
#
# Outputs are compared first (cat bytes equal; ls listings equal). Timing: hyperfine (-N: no
# shell), one warm-up run of each command, then RUNS rounds that alternate the two commands
# (round i runs libhdf5's once, then h5rd's once), so load that comes and goes on a shared
# machine hits both alike; mean +- standard deviation. Each round also runs both under
# `perf stat -e task-clock,page-faults` (when perf works): CPU time is what to compare on a
# machine other jobs are loading, where wall time is not. Peak RSS: /usr/bin/time -f %M, the
# largest of 3 runs.
#
#   /usr/bin/python3 bench/gen_meta_files.py /tmp/h5rd-bench
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DH5RD_BUILD_BENCH=ON
#   cmake --build build-bench
#   bench/run_meta.sh [BUILD_DIR [DATA_DIR]]      (defaults: build-bench, /tmp/h5rd-bench)
#
# Environment: RUNS (default 10), THREADS (meta_bench --threads; default online CPUs),
# REPEAT (meta_bench --repeat, default 5), SKIP_INPROC=1 to run the whole-process part only,
# PAGECACHE=reread to time the files as the page cache holds them after a read, not after
# their writing (see below).
#
# The page cache: both libraries read warm files, but how the cache came to hold a file
# matters to a reader that maps it. A file just written by libhdf5 (small writes) sits in
# single-page folios; one read back from disk sits in the large folios of readahead, which the
# kernel maps and unmaps many pages at a time. On a walk that touches every page of an 84 MB
# file (W5 earliest) that is ~10 ms out of ~28 (the "pages only" rows: 12.7 ms as written,
# 2.8 ms re-read; docs/performance.md); h5ls, which reads with pread, does not see it. By
# default the files are timed as gen_meta_files.py left them (just written); PAGECACHE=reread
# first drops each from the cache (posix_fadvise DONTNEED) and reads it once, sequentially (the
# files stay so: make them again with gen_meta_files.py to time the first state again).
set -eu

BUILD=${1:-build-bench}
DATA=${2:-/tmp/h5rd-bench}
RUNS=${RUNS:-10}
REPEAT=${REPEAT:-5}
THREADS=${THREADS:-$(getconf _NPROCESSORS_ONLN)}
H5RD=$BUILD/h5rd
H5READ=$BUILD/h5read_whole
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/h5rd-runmeta.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for f in "$H5RD" "$H5READ"; do
    [ -x "$f" ] || { echo "run_meta.sh: $f missing (build with -DH5RD_BUILD_BENCH=ON)" >&2; exit 2; }
done
command -v hyperfine > /dev/null || { echo "run_meta.sh: hyperfine missing" >&2; exit 2; }
for f in w4_farray w4_earray w4_btree2 w4_btree1 w5_latest w5_earliest w0_empty; do
    [ -f "$DATA/$f.h5" ] || { echo "run_meta.sh: $DATA/$f.h5 missing (bench/gen_meta_files.py)" >&2; exit 2; }
done

# ---- outputs equal before anything is timed ----
for i in farray earray btree2 btree1; do
    "$H5READ" "$DATA/w4_$i.h5" /x > "$TMP/a"
    "$H5RD" cat "$DATA/w4_$i.h5" /x > "$TMP/b"
    cmp -s "$TMP/a" "$TMP/b" || { echo "run_meta.sh: W4 $i: h5rd cat and libhdf5 bytes differ" >&2; exit 1; }
done
for v in latest earliest; do
    h5ls -r "$DATA/w5_$v.h5" > "$TMP/a"
    "$H5RD" ls -r "$DATA/w5_$v.h5" > "$TMP/b"
    cmp -s "$TMP/a" "$TMP/b" || { echo "run_meta.sh: W5 $v: h5rd ls -r and h5ls -r listings differ" >&2; exit 1; }
done

# ---- timing ----
# rss CMD...: the largest peak RSS (KiB) of 3 runs.
rss() { # (sh functions share their caller's variables: names here are their own)
    m=0
    for _ in 1 2 3; do
        k=$(/usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -n 1)
        [ "$k" -gt "$m" ] && m=$k
    done
    echo "$m"
}

# cpu TAG CMD...: one run under perf stat: CPU time (task-clock: time on a CPU, which other
# jobs on a shared machine do not add to, unlike wall time) and page faults.
cpu() {
    ctag=$1
    shift
    if [ "$HAVE_PERF" = 1 ]; then
        perf stat -x, -e task-clock,page-faults -o "$TMP/$ctag.perf" "$@" > /dev/null 2>&1 || true
        cat "$TMP/$ctag.perf" >> "$TMP/$ctag.perfall"
    fi
}

# pair NAME TARGET CMD_LIBHDF5 CMD_H5RD: a warm-up run of each, then RUNS rounds of
# (libhdf5, h5rd) under hyperfine and perf stat; prints a row of the table.
pair() {
    name=$1 target=$2 ca=$3 cb=$4
    tag=$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' _)
    hyperfine -N --output=null --runs 1 --warmup 1 "$ca" "$cb" > /dev/null 2>&1
    r=1
    while [ "$r" -le "$RUNS" ]; do
        hyperfine -N --output=null --runs 1 "$ca" --export-json "$TMP/$tag.a.$r.json" > /dev/null 2>&1
        hyperfine -N --output=null --runs 1 "$cb" --export-json "$TMP/$tag.b.$r.json" > /dev/null 2>&1
        # shellcheck disable=SC2086
        cpu "$tag.a" $ca
        # shellcheck disable=SC2086
        cpu "$tag.b" $cb
        r=$((r + 1))
    done
    # shellcheck disable=SC2086
    ra=$(rss $ca)
    # shellcheck disable=SC2086
    rb=$(rss $cb)
    "$PY" - "$TMP" "$tag" "$name" "$target" "$ra" "$rb" << 'EOF'
import glob, json, os, statistics, sys
tmp, tag, name, target, ra, rb = sys.argv[1:7]
def times(side):
    t = []
    for p in glob.glob("%s/%s.%s.*.json" % (tmp, tag, side)):
        t += json.load(open(p))["results"][0]["times"]
    return [x * 1e3 for x in t]
def perf(side):
    cpu, flt = [], []
    p = "%s/%s.%s.perfall" % (tmp, tag, side)
    if os.path.exists(p):
        for line in open(p):
            f = line.strip().split(",")
            if len(f) > 2 and f[2] == "task-clock":
                cpu.append(float(f[0]))
            elif len(f) > 2 and f[2] == "page-faults":
                flt.append(int(f[0]))
    return cpu, flt
def sd(v):
    return statistics.stdev(v) if len(v) > 1 else 0.0
a, b = times("a"), times("b")
ca, fa = perf("a")
cb, fb = perf("b")
ma, mb = statistics.mean(a), statistics.mean(b)
cols = ["%-14s" % name,
        "%.1f +- %.1f" % (ma, sd(a)), "%.1f +- %.1f" % (mb, sd(b)), "%.1fx" % (ma / mb)]
if ca and cb:
    cols += ["%.1f" % statistics.mean(ca), "%.1f" % statistics.mean(cb),
             "%.1fx" % (statistics.mean(ca) / statistics.mean(cb))]
else:
    cols += ["-", "-", "-"]
cols += [target, ra, rb, str(max(fa)) if fa else "-", str(max(fb)) if fb else "-"]
print("| " + " | ".join(cols) + " |")
EOF
}

if [ "${PAGECACHE:-written}" = reread ]; then
    "$PY" - "$DATA" << 'EOF'
import glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "w[045]_*.h5"))):
    fd = os.open(p, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    while os.read(fd, 1 << 20):
        pass
    os.close(fd)
EOF
    CACHE_STATE="re-read (dropped, then read once sequentially)"
else
    CACHE_STATE="as written by gen_meta_files.py"
fi

HAVE_PERF=0
if command -v perf > /dev/null && perf stat -x, -e task-clock -o /dev/null true > /dev/null 2>&1; then
    HAVE_PERF=1
fi
echo "run_meta.sh: $(date -u +%Y-%m-%dT%H:%MZ) $(uname -n), $(getconf _NPROCESSORS_ONLN) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "h5rd $("$H5RD" --version 2>&1 | head -n 1); $(h5ls --version 2>&1 | head -n 1); $RUNS alternating rounds, warm page cache: $CACHE_STATE"
echo "wall: hyperfine -N, mean +- sd; CPU: perf stat task-clock (user + system time on a CPU), mean;"
echo "RSS: /usr/bin/time %M, max of 3; faults: perf page-faults, max"
echo
echo "| workload | libhdf5 wall ms | h5rd wall ms | wall ratio | libhdf5 CPU ms | h5rd CPU ms | CPU ratio | target | libhdf5 RSS KiB | h5rd RSS KiB | libhdf5 faults | h5rd faults |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for i in farray earray btree2 btree1; do
    pair "W4 $i" ">= 20x" "$H5READ $DATA/w4_$i.h5 /x" "$H5RD cat $DATA/w4_$i.h5 /x"
done
for v in latest earliest; do
    pair "W5 $v" ">= 25x" "h5ls -r $DATA/w5_$v.h5" "$H5RD ls -r $DATA/w5_$v.h5"
done
# The kernel's part alone: map the W5 file and read a byte a page (bench/page_floor.c). Its
# ratio is the ceiling for any reader that maps the file and touches every page of it.
if [ -x "$BUILD/page_floor" ]; then
    for v in latest earliest; do
        pair "W5 $v, pages only" "-" "h5ls -r $DATA/w5_$v.h5" "$BUILD/page_floor $DATA/w5_$v.h5"
    done
fi
pair "empty file" "-" "h5ls $DATA/w0_empty.h5" "$H5RD ls $DATA/w0_empty.h5"
pair "true / --version" "-" "/bin/true" "$H5RD --version"

if [ "${SKIP_INPROC:-0}" != 1 ]; then
    if [ -x "$BUILD/meta_bench" ]; then
        echo
        "$BUILD/meta_bench" "$DATA" --repeat "$REPEAT" --threads "$THREADS"
    else
        echo "(meta_bench not built: libhdf5-dev missing?)"
    fi
fi
