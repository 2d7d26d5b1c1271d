# clustersim_version is `git describe --always --dirty` at *build* time, not configure time,
# so a rebuilt binary never reports a stale version. The header is rewritten only when the
# text changes, so an unchanged tree does not trigger recompilation.
set(CLUSTERSIM_VERSION_HEADER ${CMAKE_BINARY_DIR}/generated/clustersim/version.hpp)
add_custom_target(clustersim_version_header
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${CLUSTERSIM_VERSION_HEADER}
          -DFALLBACK=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${CLUSTERSIM_VERSION_HEADER}
  COMMENT "Stamping clustersim_version")
