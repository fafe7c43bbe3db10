# Finds libtins (Debian ships no CMake config for it) and defines Tins::Tins.
include(${CMAKE_CURRENT_LIST_DIR}/ImportedLibrary.cmake)
faultline_find_imported(Tins Tins::Tins tins/tins.h tins)
