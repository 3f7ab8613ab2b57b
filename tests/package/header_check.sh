#!/bin/sh
# ctest: include/h5rd.h compiles as C99 and C11 (-Wall -Wextra -pedantic -Werror) and as C++11
# (the same flags), the ways consumers other than h5rd's own C11 build include it.
#   header_check.sh CC CXX SOURCE_DIR      (CXX may be empty: then the C++ check fails)
set -u
cc=$1 cxx=$2 src=$3
here="$src/tests/package"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/h5rd-header.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {
    what=$1
    shift
    if "$@" >"$tmp/log" 2>&1; then
        passed=$((passed + 1))
        echo "PASS: $what"
    else
        failed=$((failed + 1))
        echo "FAIL: $what: $*"
        cat "$tmp/log"
    fi
}
flags="-Wall -Wextra -pedantic -Werror -Wstrict-prototypes -Wundef -I$src/include"
for std in c99 c11; do
    # shellcheck disable=SC2086
    check "h5rd.h as $std" "$cc" -std=$std $flags -c "$here/header_check.c" -o "$tmp/c_$std.o"
done
if [ -n "$cxx" ]; then
    check "h5rd.h as c++11" "$cxx" -std=c++11 -Wall -Wextra -pedantic -Werror -Wundef \
        -I"$src/include" -c "$here/header_check.cpp" -o "$tmp/cxx.o"
else
    failed=$((failed + 1))
    echo "FAIL: h5rd.h as c++11: no C++ compiler (scripts/bootstrap.sh installs g++)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
