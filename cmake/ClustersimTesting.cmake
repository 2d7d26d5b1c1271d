# clustersim_add_test(NAME <target> SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>])
# One executable per mirrored test file group. Every Catch2 TEST_CASE becomes its own ctest
# test, labelled with its Catch2 tags ([unit], [model], [scenario], [validation]), so that
# `ctest -L unit` picks a tier, and every test gets a timeout.
include(ParseAndAddCatchTests)
# Sanitized code runs several times slower (ASan + UBSan about 3x, TSan up to 10x), and
# ctest --timeout does not override a TIMEOUT property: every test's limit is scaled here.
if(CLUSTERSIM_SANITIZE)
  set(CLUSTERSIM_TEST_TIMEOUT_FACTOR 6)
else()
  set(CLUSTERSIM_TEST_TIMEOUT_FACTOR 1)
endif()
set(PARSE_CATCH_TESTS_ADD_TO_CONFIGURE_DEPENDS ON CACHE BOOL "" FORCE)

function(clustersim_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  math(EXPR T_TIMEOUT "${T_TIMEOUT} * ${CLUSTERSIM_TEST_TIMEOUT_FACTOR}")
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE clustersim_test_main ${T_LIBS} clustersim_warnings)
  target_compile_definitions(${T_NAME} PRIVATE
    CLUSTERSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    CLUSTERSIM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  # Catch2 v2's parser is marked deprecated in favour of catch_discover_tests, which cannot
  # turn tags into per-test labels; the parser can, so keep it and silence the notice.
  set(CMAKE_WARN_DEPRECATED OFF)
  ParseAndAddCatchTests(${T_NAME})
  get_property(tests TARGET ${T_NAME} PROPERTY ParseAndAddCatchTests_TESTS)
  foreach(t IN LISTS tests)
    set_property(TEST "${t}" PROPERTY TIMEOUT ${T_TIMEOUT})
    set_property(TEST "${t}" APPEND PROPERTY ENVIRONMENT "CLUSTERSIM_BIN=$<TARGET_FILE:clustersim>")
  endforeach()
endfunction()
