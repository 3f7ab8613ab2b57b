#!/bin/sh
# Installs the Debian/Ubuntu packages h5rd needs to build and test, skipping those present.
# Required: a C compiler, cmake, pkg-config, zlib, lz4, criterion (tests).
# Optional (features are reported at configure time when absent): zstd, bzip2, libaec (szip),
# blosc, zfp, libdeflate (codecs); g++ (C++ consumer test); Open MPI (examples/mpi_cat.c);
# dpkg-dev (cpack -G DEB dependency detection); Python 3 headers, numpy and the Python
# packages the h5rd Python module is tested against (h5py is the oracle).
set -eu
pkgs="gcc make cmake pkg-config zlib1g-dev liblz4-dev libcriterion-dev libzstd-dev libbz2-dev libaec-dev libblosc-dev libzfp-dev libdeflate-dev
g++ dpkg-dev file libopenmpi-dev openmpi-bin
python3-dev python3-numpy python3-pytest python3-h5py python3-hdf5plugin bitshuffle hdf5-filter-plugin
python3-dask python3-distributed python3-xarray python3-h5netcdf python3-fsspec python3-zarr python3-numcodecs"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "bootstrap: installing:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
