#!/bin/sh
# Runs one example program and compares what it prints with the expected text (written from
# h5py by make_expected.py): stdout, "--- stderr ---", stderr, "--- exit N ---".
#   run_example.sh EXPECTED.txt PROGRAM [ARGS...]      (run from the repository root)
set -u
expected=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
{
    cat "$tmp/stdout"
    echo "--- stderr ---"
    cat "$tmp/stderr"
    echo "--- exit $rc ---"
} >"$tmp/actual"
if diff -u "$expected" "$tmp/actual"; then
    echo "1 passed, 0 failed"
    exit 0
fi
echo "0 passed, 1 failed ($*: output differs from $expected)"
exit 1
