#!/usr/bin/env bash
# Installs h5rd into a temporary prefix and builds and runs three consumers against it, the
# ways a user would (issue 9):
#   consumer_c    C,   find_package(h5rd CONFIG REQUIRED) + h5rd::h5rd
#   consumer_cxx  C++, the same
#   consumer_pc   C,   cc main.c $(pkg-config [--static] --cflags --libs h5rd)
# Each opens a fixture, reads a dataset and compares it with values h5py reads.
#
#   consumer_test.sh BUILD_DIR SOURCE_DIR           the build as it is (shared or static)
#   consumer_test.sh --static BUILD_DIR SOURCE_DIR  first configures and builds a static
#       libh5rd (-DBUILD_SHARED_LIBS=OFF, no tests/python/examples) from SOURCE_DIR in a
#       temporary directory, with BUILD_DIR's compiler, and tests that install instead
#
# The install goes through DESTDIR, so a component with an absolute destination (the Python
# module's site directory) lands in the temporary tree too, never in the system.
# Prints "N passed, N failed" and exits 1 when anything failed.
set -u

static_build=0
if [ "${1:-}" = "--static" ]; then
    static_build=1
    shift
fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [--static] BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
src=$(cd "$2" && pwd) || exit 2
here="$src/tests/package"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/h5rd-consumer.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
# run LOG DESCRIPTION CMD...: runs CMD with its output in LOG, shown only on failure.
run() {
    local log=$1 what=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        return 0
    fi
    echo "---- $what failed: $*" >&2
    cat "$log" >&2
    return 1
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

cache_get() { sed -n "s/^$1:[A-Z]*=//p" "$2/CMakeCache.txt" | head -n 1; }
cc=$(cache_get CMAKE_C_COMPILER "$build")
[ -n "$cc" ] || cc=${CC:-cc}
cmake=$(command -v cmake)
cxx=${CXX:-}
[ -n "$cxx" ] || cxx=$(command -v c++ || command -v g++ || true)

# ---- --static: a static libh5rd from the same sources ----------------------------------------
# Only what is installed is built (not h5rd_internal, the fuzz replayers, ...): half the time.
if [ "$static_build" -eq 1 ]; then
    sbuild="$tmp/static-build"
    werror=$(cache_get H5RD_WERROR "$build")
    if run "$tmp/static-configure.log" "static configure" "$cmake" -S "$src" -B "$sbuild" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$cc" -DH5RD_WERROR="${werror:-OFF}" \
        -DBUILD_SHARED_LIBS=OFF -DH5RD_BUILD_TESTS=OFF -DH5RD_BUILD_PYTHON=OFF \
        -DH5RD_BUILD_EXAMPLES=OFF &&
        run "$tmp/static-build.log" "static build" "$cmake" --build "$sbuild" -j"$(nproc)" \
            --target h5rd h5rd_cli; then
        ok "static libh5rd configured and built"
    else
        ko "static libh5rd configured and built"
        finish
    fi
    build=$sbuild
fi

# ---- install ----------------------------------------------------------------------------------
root="$tmp/root"
prefix_in="/h5rd-prefix"
P="$root$prefix_in"
if run "$tmp/install.log" "install" env DESTDIR="$root" "$cmake" --install "$build" \
    --prefix "$prefix_in"; then
    ok "cmake --install into a temporary prefix"
else
    ko "cmake --install into a temporary prefix"
    finish
fi

pcfile=$(find "$P" -path '*/pkgconfig/h5rd.pc' | head -n 1)
config=$(find "$P" -path '*/cmake/h5rd/h5rdConfig.cmake' | head -n 1)
libdir=$(dirname "$(dirname "${pcfile:-$P/lib/pkgconfig/h5rd.pc}")")
so=$(find "$libdir" -maxdepth 1 -name 'libh5rd.so.[0-9]*.[0-9]*.[0-9]*' | head -n 1)
shared=0
if [ -n "$so" ]; then
    shared=1
fi

missing=""
for f in "$P/include/h5rd.h" "$pcfile" "$config" "$(dirname "${config:-/x}")/h5rdConfigVersion.cmake"; do
    [ -n "$f" ] && [ -f "$f" ] || missing="$missing ${f:-(h5rd.pc or h5rdConfig.cmake)}"
done
if [ "$shared" -eq 1 ]; then
    # SONAME = the major version, with the usual symlink chain .so -> .so.0 -> .so.0.x.y.
    major=$(sed -n 's/^#define H5RD_VERSION_MAJOR \([0-9]*\).*/\1/p' "$src/include/h5rd.h")
    soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" = "libh5rd.so.$major" ] || missing="$missing SONAME=libh5rd.so.$major(got:$soname)"
    [ "$(readlink "$libdir/libh5rd.so.$major")" = "$(basename "$so")" ] ||
        missing="$missing libh5rd.so.$major->$(basename "$so")"
    [ "$(readlink "$libdir/libh5rd.so")" = "libh5rd.so.$major" ] ||
        missing="$missing libh5rd.so->libh5rd.so.$major"
else
    [ -f "$libdir/libh5rd.a" ] || missing="$missing $libdir/libh5rd.a"
fi
if [ -z "$missing" ]; then
    ok "installed: h5rd.h, $( [ $shared -eq 1 ] && basename "$so" || echo libh5rd.a), h5rdConfig.cmake, h5rdConfigVersion.cmake, h5rd.pc"
else
    ko "installed files:$missing"
fi

if [ -x "$P/bin/h5rd" ]; then
    # The installed CLI finds the installed library (RUNPATH $ORIGIN/../lib), no LD_LIBRARY_PATH.
    if out=$(env -u LD_LIBRARY_PATH "$P/bin/h5rd" ls "$src/fixtures/h5/demo.h5" 2>&1) &&
        printf '%s\n' "$out" | grep -q '^measurements  *Group'; then
        ok "installed CLI: h5rd ls demo.h5"
    else
        ko "installed CLI: h5rd ls demo.h5: $out"
    fi
fi

# ---- the two find_package consumers -----------------------------------------------------------
# build_cmake NAME LANG-COMPILER-ARG FIXTURE
build_cmake() {
    local name=$1 compiler_arg=$2 fixture=$3 b="$tmp/$1"
    if ! run "$tmp/$name-configure.log" "$name configure" "$cmake" -S "$here/$name" -B "$b" \
        -DCMAKE_BUILD_TYPE=Release "$compiler_arg" -DCMAKE_PREFIX_PATH="$P"; then
        ko "$name: find_package(h5rd) configure"
        return
    fi
    local found
    found=$(cache_get h5rd_DIR "$b")
    if [ "$found" != "$(dirname "$config")" ]; then
        ko "$name: find_package found h5rd in '$found', not the temporary prefix"
        return
    fi
    if ! run "$tmp/$name-build.log" "$name build" "$cmake" --build "$b"; then
        ko "$name: build against h5rd::h5rd"
        return
    fi
    check_exe "$name" "$b/$name" "$fixture"
}
# check_exe NAME EXE FIXTURE: runs it (no LD_LIBRARY_PATH: the RUNPATH must do) and checks
# that a static install really was linked statically.
check_exe() {
    local name=$1 exe=$2 fixture=$3 out
    if [ "$shared" -eq 0 ] && readelf -d "$exe" | grep -q 'NEEDED.*libh5rd'; then
        ko "$name: static install, but the program needs a shared libh5rd"
        return
    fi
    if out=$(env -u LD_LIBRARY_PATH "$exe" "$src/fixtures/h5/$fixture" 2>&1); then
        ok "$name: $out"
    else
        ko "$name: $out"
    fi
}

build_cmake consumer_c -DCMAKE_C_COMPILER="$cc" demo.h5
if [ -n "$cxx" ]; then
    build_cmake consumer_cxx -DCMAKE_CXX_COMPILER="$cxx" filters_latest.h5
else
    ko "consumer_cxx: no C++ compiler (c++/g++; scripts/bootstrap.sh installs g++)"
fi

# ---- the pkg-config consumer ------------------------------------------------------------------
if ! command -v pkg-config >/dev/null; then
    ko "consumer_pc: pkg-config not installed"
    finish
fi
pcargs=(--cflags --libs)
if [ "$shared" -eq 0 ]; then
    pcargs=(--static "${pcargs[@]}")
fi
PKG_CONFIG_PATH="$(dirname "$pcfile")"
export PKG_CONFIG_PATH
if ! flags=$(pkg-config "${pcargs[@]}" h5rd 2>&1); then
    ko "consumer_pc: pkg-config ${pcargs[*]} h5rd: $flags"
    finish
fi
echo "pkg-config ${pcargs[*]} h5rd: $flags"
pclibdir=$(pkg-config --variable=libdir h5rd)
# The program is written to build warning-free as plain C99; flags go after the source, as
# the linker needs libraries after the objects that use them. $flags is split into words on
# purpose, as in a makefile's $(shell pkg-config ...).
# shellcheck disable=SC2086
if run "$tmp/consumer_pc-build.log" "consumer_pc build" "$cc" -std=c99 -Wall -Wextra -Werror \
    "$here/consumer_pc/main.c" -o "$tmp/consumer_pc" $flags -Wl,-rpath,"$pclibdir"; then
    check_exe consumer_pc "$tmp/consumer_pc" filters_latest.h5
else
    ko "consumer_pc: cc main.c \$(pkg-config ${pcargs[*]} h5rd)"
fi

finish
