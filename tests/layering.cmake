# layering.cmake - the read path's shape (docs/architecture.md): layers call down only, so
#   - only the public facade (src/api/) includes api/api.h, and
#   - only src/api/ and the handle layer (src/file/) include file/file.h: the read engine, VDS,
#     chunk indexes and everything below never climb back to handles or the public API.
# Run as: cmake -DSRC=<repo>/src -P layering.cmake (registered with ctest as "layering").
if(NOT DEFINED SRC OR NOT IS_DIRECTORY "${SRC}")
  message(FATAL_ERROR "layering: pass -DSRC=<repository>/src")
endif()
file(GLOB_RECURSE files RELATIVE "${SRC}" "${SRC}/*.c" "${SRC}/*.h")
list(SORT files)
set(bad "")
foreach(rel IN LISTS files)
  file(STRINGS "${SRC}/${rel}" incs REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<](api/api\\.h|file/file\\.h)[\">]")
  foreach(line IN LISTS incs)
    if(line MATCHES "api/api\\.h" AND NOT rel MATCHES "^api/")
      list(APPEND bad "src/${rel} includes api/api.h (only src/api/ may)")
    elseif(line MATCHES "file/file\\.h" AND NOT rel MATCHES "^(api|file)/")
      list(APPEND bad "src/${rel} includes file/file.h (only src/api/ and src/file/ may)")
    endif()
  endforeach()
endforeach()
list(LENGTH files n)
if(bad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "layering: a lower layer includes a higher one:\n  ${text}")
endif()
message(STATUS "layering: ${n} files under src/, none includes a layer above it")
