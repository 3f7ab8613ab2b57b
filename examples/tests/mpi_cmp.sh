#!/bin/sh
# Runs h5rd_mpi_cat on NP ranks and compares its output byte for byte with `h5rd cat`.
#   mpi_cmp.sh MPIEXEC NP MPI_CAT H5RD OUTDIR FILE PATH [EXPECTED_SHARES]
# EXPECTED_SHARES (optional): a file listing, sorted, the lines "rank R: rows [A, B) ..." the
# ranks print with H5RD_MPI_CAT_VERBOSE=1, to check how the rows were shared out.
set -u
mpiexec=$1 np=$2 mpicat=$3 h5rd=$4 outdir=$5 file=$6 path=$7 shares=${8:-}
mkdir -p "$outdir" || exit 1
name=$(echo "np${np}_${file}_${path}" | tr '/.' '__')
ref="$outdir/$name.ref" out="$outdir/$name.out" log="$outdir/$name.log"
rm -f "$ref" "$out" "$log"

# Open MPI: --allow-run-as-root, or it refuses to start as root (CI runs as root in a
# container); --oversubscribe: more ranks than cores. On one node no rsh/ssh agent is needed,
# and shared-memory single-copy (CMA) needs ptrace rights containers often lack: use none.
flags=""
if "$mpiexec" --version 2>&1 | grep -Eqi "open ?mpi|openrte|open-mpi"; then
    flags="--oversubscribe"
    if [ "$(id -u)" = 0 ]; then
        flags="$flags --allow-run-as-root"
    fi
    export OMPI_MCA_plm_rsh_agent="${OMPI_MCA_plm_rsh_agent-}"
    export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism-none}"
fi

"$h5rd" cat "$file" "$path" >"$ref" || { echo "0 passed, 1 failed (h5rd cat failed)"; exit 1; }
# A stale, longer OUT must be cut to size by h5rd_mpi_cat.
head -c 100000 /dev/zero >"$out"
H5RD_MPI_CAT_VERBOSE=1 "$mpiexec" $flags -n "$np" "$mpicat" "$file" "$path" "$out" >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    cat "$log"
    echo "0 passed, 1 failed (mpiexec -n $np exited $rc)"
    exit 1
fi
failed=0
if cmp "$ref" "$out"; then
    echo "np $np $file $path: $(wc -c <"$out") bytes identical to h5rd cat"
else
    failed=1
fi
if [ -n "$shares" ]; then
    grep '^rank ' "$log" | sort >"$log.shares"
    diff -u "$shares" "$log.shares" || failed=$((failed + 1))
fi
if [ $failed -ne 0 ]; then
    cat "$log"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "1 passed, 0 failed"
