# faultline_find_imported(PKG TARGET HEADER LIBRARY): finds a library that
# ships no CMake config of its own (HEADER under an include directory,
# LIBRARY by name) and defines the imported target TARGET, the way the
# Find modules of CMake itself do. Used by FindPCAP.cmake and FindTins.cmake.
include(FindPackageHandleStandardArgs)
macro(faultline_find_imported pkg target header library)
  string(TOUPPER "${pkg}" _fl_var)
  find_path(${_fl_var}_INCLUDE_DIR NAMES ${header})
  find_library(${_fl_var}_LIBRARY NAMES ${library})
  find_package_handle_standard_args(${pkg} REQUIRED_VARS ${_fl_var}_LIBRARY ${_fl_var}_INCLUDE_DIR)
  if(${pkg}_FOUND AND NOT TARGET ${target})
    add_library(${target} UNKNOWN IMPORTED)
    set_target_properties(${target} PROPERTIES
      IMPORTED_LOCATION "${${_fl_var}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${${_fl_var}_INCLUDE_DIR}")
  endif()
  mark_as_advanced(${_fl_var}_INCLUDE_DIR ${_fl_var}_LIBRARY)
endmacro()
