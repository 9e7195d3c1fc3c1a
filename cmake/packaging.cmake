# The CMake package `cmake --install` writes beside the libraries and headers the modules install:
# <prefix>/<libdir>/cmake/accessplan/ with accessplanConfig.cmake, its version file and accessplanTargets.cmake
# (namespace accessplan::), so that a downstream project's find_package(accessplan) gives accessplan::engine etc.
include(CMakePackageConfigHelpers)

set(ACCESSPLAN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/accessplan" CACHE STRING
    "Where cmake --install puts accessplanConfig.cmake (relative to the prefix)")
mark_as_advanced(ACCESSPLAN_INSTALL_CMAKEDIR)

install(EXPORT accessplanTargets NAMESPACE accessplan:: FILE accessplanTargets.cmake
        DESTINATION "${ACCESSPLAN_INSTALL_CMAKEDIR}")
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/accessplanConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/accessplanConfig.cmake
                              INSTALL_DESTINATION "${ACCESSPLAN_INSTALL_CMAKEDIR}")
# 0.x: a minor version may change the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/accessplanConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/accessplanConfig.cmake ${PROJECT_BINARY_DIR}/accessplanConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindGLPK.cmake
        DESTINATION "${ACCESSPLAN_INSTALL_CMAKEDIR}")
