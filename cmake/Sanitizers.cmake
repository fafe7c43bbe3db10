# FAULTLINE_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on every
# target of ours (libprobe, tools, tests). Any report aborts the process, so a
# test that trips one fails instead of printing and carrying on. gcc's
# -fsanitize=undefined leaves out float-cast-overflow (a double too large for
# the integer it is converted to), which clang's includes: asked for by name.
#
# FAULTLINE_FUZZ (clang only): libFuzzer targets in tests/fuzz. The library is
# then compiled with -fsanitize=fuzzer-no-link,address,undefined so that the
# fuzzer sees coverage and every memory error inside libprobe.
option(FAULTLINE_SANITIZE "Build with -fsanitize=address,undefined" OFF)
option(FAULTLINE_FUZZ "Build the libFuzzer targets (clang only)" OFF)

if(FAULTLINE_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(WARNING "FAULTLINE_FUZZ needs clang (CXX=clang++); fuzz targets not built")
  set(FAULTLINE_FUZZ OFF CACHE BOOL "" FORCE)
endif()

set(faultline_sanitize_flags "")
if(FAULTLINE_SANITIZE OR FAULTLINE_FUZZ)
  list(APPEND faultline_sanitize_flags
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND faultline_sanitize_flags -fsanitize=float-cast-overflow)
  endif()
endif()
if(FAULTLINE_FUZZ)
  list(APPEND faultline_sanitize_flags -fsanitize=fuzzer-no-link)
endif()

# Directory-wide, so that every target defined after this (ours only: the
# third-party libraries come prebuilt from Debian) gets the same flags on
# compile and link.
if(faultline_sanitize_flags)
  add_compile_options(${faultline_sanitize_flags})
  add_link_options(${faultline_sanitize_flags})
endif()
