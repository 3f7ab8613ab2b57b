# Install rules, CMake package config, pkg-config file and CPack (issue 9).
#
# Installed layout (relative to the install prefix):
#   include/h5rd.h                         (install(TARGETS h5rd ...) in CMakeLists.txt)
#   lib/libh5rd.so.0.x.y + .so.0 + .so     or lib/libh5rd.a with -DBUILD_SHARED_LIBS=OFF
#   lib/cmake/h5rd/h5rdConfig.cmake, h5rdConfigVersion.cmake, h5rdTargets*.cmake
#   lib/pkgconfig/h5rd.pc
#   bin/h5rd, share/doc/h5rd/README.md
# Every file is relocatable: the CMake files locate the prefix from their own directory and
# h5rd.pc from ${pcfiledir}, so `cmake --install build --prefix P` and the .deb (prefix /usr)
# work from one configure.
include(CMakePackageConfigHelpers)

set(H5RD_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/h5rd" CACHE STRING
    "Where h5rdConfig.cmake is installed, relative to the prefix")
mark_as_advanced(H5RD_INSTALL_CMAKEDIR)

get_target_property(_h5rd_type h5rd TYPE)
if(_h5rd_type STREQUAL "STATIC_LIBRARY")
  set(H5RD_PKG_STATIC ON)
else()
  set(H5RD_PKG_STATIC OFF)
endif()

# The optional codec libraries as found (absolute paths; libm is among them). A static libh5rd
# carries them in its exported link interface ($<LINK_ONLY:...>), so the config checks they are
# still there instead of letting the consumer's link fail with a bare path.
set(H5RD_PKG_CODEC_LIBS "")
foreach(_lib IN LISTS H5RD_FILTER_LIBS)
  if(IS_ABSOLUTE "${_lib}")
    list(APPEND H5RD_PKG_CODEC_LIBS "${_lib}")
  endif()
endforeach()

# ---- the installed CLI finds the installed library wherever the prefix is --------------------
if(TARGET h5rd_cli AND NOT H5RD_PKG_STATIC)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(_h5rd_rpath "${CMAKE_INSTALL_LIBDIR}")
  else()
    file(RELATIVE_PATH _h5rd_rel "/prefix/${CMAKE_INSTALL_BINDIR}" "/prefix/${CMAKE_INSTALL_LIBDIR}")
    set(_h5rd_rpath "$ORIGIN/${_h5rd_rel}")
  endif()
  set_target_properties(h5rd_cli PROPERTIES INSTALL_RPATH "${_h5rd_rpath}")
endif()

# ---- CMake package -----------------------------------------------------------------------------
install(EXPORT h5rdTargets
  NAMESPACE h5rd::
  FILE h5rdTargets.cmake
  DESTINATION "${H5RD_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${CMAKE_CURRENT_SOURCE_DIR}/cmake/h5rdConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/h5rdConfig.cmake"
  INSTALL_DESTINATION "${H5RD_INSTALL_CMAKEDIR}")
# 0.x: SameMajorVersion accepts any 0.y >= the one asked for; the SONAME makes the same promise.
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/h5rdConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/h5rdConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/h5rdConfigVersion.cmake"
  DESTINATION "${H5RD_INSTALL_CMAKEDIR}")

# ---- pkg-config --------------------------------------------------------------------------------
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(STATUS "h5rd.pc: CMAKE_INSTALL_LIBDIR is absolute, h5rd.pc is not relocatable")
  set(H5RD_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(H5RD_PC_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  set(H5RD_PC_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  file(RELATIVE_PATH _h5rd_up "/prefix/${H5RD_PC_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _h5rd_up "${_h5rd_up}")
  set(H5RD_PC_PREFIX "\${pcfiledir}/${_h5rd_up}")
endif()
foreach(_d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_d}}")
    set(H5RD_PC_${_d} "${CMAKE_INSTALL_${_d}}")
  else()
    set(H5RD_PC_${_d} "\${prefix}/${CMAKE_INSTALL_${_d}}")
  endif()
endforeach()

# Libs.private: each codec found, as -l<name> (with -L<dir> when the linker would not look
# there by itself), then -lpthread (Threads::Threads). zlib and lz4 come from their own .pc
# files through Requires.private.
set(_h5rd_pc_libs "")
foreach(_lib IN LISTS H5RD_PKG_CODEC_LIBS)
  get_filename_component(_dir "${_lib}" DIRECTORY)
  get_filename_component(_name "${_lib}" NAME_WE)
  string(REGEX REPLACE "^lib" "" _name "${_name}")
  list(FIND CMAKE_C_IMPLICIT_LINK_DIRECTORIES "${_dir}" _implicit)
  if(_implicit EQUAL -1 AND NOT "-L${_dir}" IN_LIST _h5rd_pc_libs)
    list(APPEND _h5rd_pc_libs "-L${_dir}")
  endif()
  list(APPEND _h5rd_pc_libs "-l${_name}")
endforeach()
list(APPEND _h5rd_pc_libs "-lpthread")
list(REMOVE_DUPLICATES _h5rd_pc_libs)
string(REPLACE ";" " " H5RD_PC_LIBS_PRIVATE "${_h5rd_pc_libs}")
if(H5RD_PKG_STATIC)
  # The exported target says the same (INTERFACE_COMPILE_DEFINITIONS); only Windows needs it.
  set(H5RD_PC_CFLAGS " -DH5RD_STATIC")
else()
  set(H5RD_PC_CFLAGS "")
endif()
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/cmake/h5rd.pc.in"
               "${CMAKE_CURRENT_BINARY_DIR}/h5rd.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/h5rd.pc" DESTINATION "${H5RD_PC_PKGCONFIGDIR}")

# ---- documentation of the CLI ------------------------------------------------------------------
install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# ---- CPack: `cpack -G DEB` in the build directory ------------------------------------------
# One package with everything (library, header, CMake and pkg-config files, CLI), as the issue
# asks; Depends comes from dpkg-shlibdeps, so it names exactly the runtime packages of the
# codecs this configure found and linked, plus those of the codecs loaded on first use.
if(H5RD_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME "h5rd")
  set(CPACK_PACKAGE_VENDOR "h5rd")
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "HDF5 reader library and command-line tool without libhdf5")
  set(CPACK_PACKAGE_DESCRIPTION
      "libh5rd reads HDF5 files (groups, datasets, attributes, chunked and filtered storage)\nwithout libhdf5, lock-free from any number of threads. This package holds libh5rd,\nits header, CMake and pkg-config files and the h5rd command-line tool.")
  set(H5RD_PACKAGE_CONTACT "h5rd developers <h5rd@localhost>" CACHE STRING
      "Maintainer field of the Debian package")
  set(CPACK_PACKAGE_CONTACT "${H5RD_PACKAGE_CONTACT}")
  set(CPACK_GENERATOR "DEB")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
  set(CPACK_STRIP_FILES ON)
  set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
  set(CPACK_DEBIAN_PACKAGE_SECTION "libs")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # Codecs loaded on first use (dlopen) are not in the library's NEEDED entries, so
  # dpkg-shlibdeps cannot see them: name their packages here (the ones dpkg says own them).
  set(_h5rd_lazy_pkgs "")
  find_program(H5RD_DPKG dpkg)
  mark_as_advanced(H5RD_DPKG)
  foreach(_lib IN LISTS H5RD_LAZY_CODEC_LIBS)
    get_filename_component(_real "${_lib}" REALPATH)
    if(H5RD_DPKG)
      execute_process(COMMAND ${H5RD_DPKG} -S "${_real}" OUTPUT_VARIABLE _o ERROR_QUIET)
      if(NOT _o AND _real MATCHES "^/usr(/.*)$")
        execute_process(COMMAND ${H5RD_DPKG} -S "${CMAKE_MATCH_1}" OUTPUT_VARIABLE _o ERROR_QUIET)
      endif()
      if(_o MATCHES "^([^:, \n]+)")
        list(APPEND _h5rd_lazy_pkgs "${CMAKE_MATCH_1}")
      endif()
    endif()
  endforeach()
  if(_h5rd_lazy_pkgs)
    string(REPLACE ";" ", " CPACK_DEBIAN_PACKAGE_DEPENDS "${_h5rd_lazy_pkgs}")
  endif()
  # h5rd.pc's Requires.private names zlib and liblz4, whose .pc files are in the -dev packages:
  # pkg-config --cflags h5rd fails without them (the runtime Depends above do not have them).
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "zlib1g-dev, liblz4-dev, pkgconf | pkg-config")
  if(NOT H5RD_PKG_STATIC)
    # A shlibs file (and the ldconfig trigger) so packages built against libh5rd.so.0 get a
    # versioned dependency on h5rd.
    set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
    set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
  endif()
  include(CPack)
endif()
