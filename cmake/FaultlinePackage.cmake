# Installs libprobe for other programs: the library, its public headers, a
# CMake package (find_package(faultline) -> faultline::probe) and a
# pkg-config file (faultline.pc). Components: Runtime (the shared library),
# Development (everything else of libprobe), for a later lib/-dev split.
include(CMakePackageConfigHelpers)

set(FAULTLINE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/faultline)
# Under their own directory: <prefix>/include/probe would be a generic name.
set(FAULTLINE_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR}/faultline)

install(TARGETS probe EXPORT faultlineTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Runtime NAMELINK_COMPONENT Development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development)
# By directory, so that every new public header is installed with the rest.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/libprobe/include/probe
  DESTINATION ${FAULTLINE_INCLUDE_DIR} COMPONENT Development
  FILES_MATCHING PATTERN "*.h")

install(EXPORT faultlineTargets NAMESPACE faultline::
  DESTINATION ${FAULTLINE_CMAKE_DIR} COMPONENT Development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/faultlineConfig.cmake.in
  ${PROJECT_BINARY_DIR}/faultlineConfig.cmake
  INSTALL_DESTINATION ${FAULTLINE_CMAKE_DIR})
# 0.x: a new minor version may break the API, so only the same one matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/faultlineConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
set(faultline_config_files
  ${PROJECT_BINARY_DIR}/faultlineConfig.cmake
  ${PROJECT_BINARY_DIR}/faultlineConfigVersion.cmake)
if(NOT BUILD_SHARED_LIBS)
  # A static libprobe's users link its private dependencies too; the config
  # finds libtins and libpcap with our own modules.
  list(APPEND faultline_config_files
    ${PROJECT_SOURCE_DIR}/cmake/FindTins.cmake ${PROJECT_SOURCE_DIR}/cmake/FindPCAP.cmake
    ${PROJECT_SOURCE_DIR}/cmake/ImportedLibrary.cmake)
endif()
install(FILES ${faultline_config_files} DESTINATION ${FAULTLINE_CMAKE_DIR} COMPONENT Development)

# pkg-config: the private dependencies matter only when linking statically,
# and as plain -l flags: libpcap.pc would drag in dbus-1's (Requires.private).
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FAULTLINE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  set(faultline_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  set(FAULTLINE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(faultline_pc_dir "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()
if(IS_ABSOLUTE "${FAULTLINE_INCLUDE_DIR}")
  set(FAULTLINE_PC_INCLUDEDIR "${FAULTLINE_INCLUDE_DIR}")
else()
  set(FAULTLINE_PC_INCLUDEDIR "\${prefix}/${FAULTLINE_INCLUDE_DIR}")
endif()
# The prefix is the one of `cmake --install --prefix` (not DESTDIR's), so
# the file is finished at install time, straight into its destination.
set(FAULTLINE_PC_PREFIX "@FAULTLINE_PC_PREFIX@")
configure_file(${CMAKE_CURRENT_LIST_DIR}/faultline.pc.in ${PROJECT_BINARY_DIR}/faultline.pc.in @ONLY)
install(CODE "
  set(FAULTLINE_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(faultline_pc \"\$ENV{DESTDIR}${faultline_pc_dir}/faultline.pc\")
  message(STATUS \"Installing: \${faultline_pc}\")
  configure_file(\"${PROJECT_BINARY_DIR}/faultline.pc.in\" \"\${faultline_pc}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${faultline_pc}\")
  " COMPONENT Development)
