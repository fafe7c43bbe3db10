# Finds libtins (Debian ships no CMake config for it) and defines Tins::Tins.
find_path(TINS_INCLUDE_DIR NAMES tins/tins.h)
find_library(TINS_LIBRARY NAMES tins)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Tins REQUIRED_VARS TINS_LIBRARY TINS_INCLUDE_DIR)
if(Tins_FOUND AND NOT TARGET Tins::Tins)
  add_library(Tins::Tins UNKNOWN IMPORTED)
  set_target_properties(Tins::Tins PROPERTIES
    IMPORTED_LOCATION "${TINS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${TINS_INCLUDE_DIR}")
endif()
mark_as_advanced(TINS_INCLUDE_DIR TINS_LIBRARY)
