#!/bin/sh
# ctest (label package): `cpack -G DEB` of the build gives a Debian package that holds the
# library, header, CMake and pkg-config files and the CLI, and whose Depends (from
# dpkg-shlibdeps) names zlib1g, liblz4-1 and the package of every optional codec library this
# configure linked: for each codec, the package dpkg says owns the library file it resolves to.
#   deb_test.sh CPACK BUILD_DIR LIBDIR SHARED(ON|OFF) CLI(ON|OFF) [CODEC_LIBRARY...]
# The package and cpack's staging tree go into a temporary directory, not the build directory.
set -u
if [ $# -lt 5 ]; then
    echo "usage: $0 CPACK BUILD_DIR LIBDIR SHARED CLI [CODEC_LIBRARY...]" >&2
    exit 2
fi
cpack=$1 build=$2 libdir=$3 shared=$4 cli=$5
shift 5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/h5rd-deb.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS: $*"; }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

if "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp" >"$tmp/cpack.log" 2>&1; then
    ok "cpack -G DEB"
else
    ko "cpack -G DEB"
    cat "$tmp/cpack.log"
    finish
fi
deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
if [ -z "$deb" ]; then
    ko "no .deb in $tmp"
    finish
fi
echo "package: $(basename "$deb")"

# ---- contents ---------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
case $libdir in
/*) lib=".$libdir" ;;
*) lib="./usr/$libdir" ;;
esac
want="./usr/include/h5rd.h $lib/cmake/h5rd/h5rdConfig.cmake $lib/cmake/h5rd/h5rdConfigVersion.cmake"
want="$want $lib/cmake/h5rd/h5rdTargets.cmake $lib/pkgconfig/h5rd.pc"
if [ "$shared" = ON ]; then
    want="$want $lib/libh5rd.so.0 $lib/libh5rd.so"
else
    want="$want $lib/libh5rd.a"
fi
if [ "$cli" = ON ]; then
    want="$want ./usr/bin/h5rd"
fi
missing=""
for f in $want; do
    grep -qx "$f" "$tmp/contents" || missing="$missing $f"
done
if [ -z "$missing" ]; then
    ok "contents:$(echo "$want" | sed 's|\./usr/| |g; s|  *| |g')"
else
    ko "missing from the package:$missing"
    cat "$tmp/contents"
fi
if [ "$shared" = ON ]; then
    # The real file behind the SONAME link, so a consumer finds libh5rd.so.0 at run time.
    if grep -q "^$lib/libh5rd\.so\.0\.[0-9]*\.[0-9]*$" "$tmp/contents"; then
        ok "libh5rd.so.0.x.y in the package"
    else
        ko "no libh5rd.so.0.x.y in the package"
    fi
fi

# ---- Depends ----------------------------------------------------------------------------------
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# has_dep PACKAGE: PACKAGE is one of the comma-separated entries (any version constraint).
has_dep() {
    echo ", $depends," | grep -q ", $1[ ,]"
}
for p in zlib1g liblz4-1; do
    if has_dep "$p"; then ok "Depends names $p"; else ko "Depends lacks $p"; fi
done
for libfile in "$@"; do
    real=$(readlink -f "$libfile")
    owner=$(dpkg -S "$real" 2>/dev/null | head -n 1 | sed 's/[:,].*//')
    if [ -z "$owner" ] && [ "${real#/usr/}" != "$real" ]; then
        # merged /usr: dpkg knows some libraries (libbz2) by their /lib path
        owner=$(dpkg -S "${real#/usr}" 2>/dev/null | head -n 1 | sed 's/[:,].*//')
    fi
    if [ -z "$owner" ]; then
        # Not from a Debian package (built by hand): dpkg-shlibdeps cannot name one either.
        echo "note: $libfile ($real) belongs to no package; not checked"
        continue
    fi
    if has_dep "$owner"; then
        ok "Depends names $owner ($(basename "$libfile"))"
    else
        ko "Depends lacks $owner, which holds $real"
    fi
done

if [ "$shared" = ON ]; then
    # A shlibs file, so packages built against libh5rd.so.0 depend on this one.
    shlibs=$(dpkg-deb -I "$deb" shlibs 2>/dev/null)
    if echo "$shlibs" | grep -q "^libh5rd [0-9][0-9]* h5rd "; then
        ok "shlibs: $shlibs"
    else
        ko "shlibs: '$shlibs'"
    fi
fi
finish
