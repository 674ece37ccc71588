# tflc_add_plugin(<name> SOURCES ... ENTRY <entry.cc> [LIBS ...])
#   Builds <name>_lib (static, PIC: the plugin's code, linked by its unit tests, which register the
#   plugin's own query function with FakeHost) and <name> (the shared library the host dlopens:
#   ENTRY defines the one exported symbol, TflcPlugin_Query, with TFLC_PLUGIN_ENTRY).
#   The shared library goes to build/lib/tflc/plugins and is installed to <prefix>/lib/tflc/plugins.
function(tflc_add_plugin name)
  cmake_parse_arguments(P "" "ENTRY" "SOURCES;LIBS" ${ARGN})
  add_library(${name}_lib STATIC ${P_SOURCES})
  target_link_libraries(${name}_lib PUBLIC tflc_sdk ${P_LIBS} PRIVATE tflc_warnings)
  set_target_properties(${name}_lib PROPERTIES POSITION_INDEPENDENT_CODE ON)
  add_library(${name} MODULE ${P_ENTRY})
  target_link_libraries(${name} PRIVATE ${name}_lib tflc_warnings)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY ${TFLC_PLUGIN_OUTPUT_DIR})
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,ALL)
  install(TARGETS ${name} LIBRARY DESTINATION ${TFLC_PLUGIN_INSTALL_DIR})
endfunction()

# tflc_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...])
#   A GoogleTest executable linked with FakeHost (tflc::testing), registered with CTest.
function(tflc_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE tflc_testing GTest::gtest GTest::gtest_main tflc_warnings ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    TFLC_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    TFLC_SHARED_MODELS_DIR="${CMAKE_SOURCE_DIR}/../shared/models")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
