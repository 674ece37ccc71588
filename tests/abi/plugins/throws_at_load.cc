// A raw-ABI plugin whose entry point (TFLC_TEST_THROW_IN_QUERY) or Create (TFLC_TEST_THROW_IN_CREATE)
// throws a C++ exception: the loader skips the file with one warning, and the host survives.
#include <stdexcept>

#include "tflc/abi/tflc_plugin.h"

#if !defined(TFLC_TEST_THROW_IN_QUERY)
namespace {
TflcStatus* Create(TflcPluginCreate_Args*) { throw std::runtime_error("ThrowsAtLoad: Create exploded"); }
}  // namespace
#endif

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args*) {
#if defined(TFLC_TEST_THROW_IN_QUERY)
  throw std::runtime_error("ThrowsAtLoad: Query exploded");
#else
  static TflcPluginApi api = [] {
    TflcPluginApi a{};
    a.struct_size = TflcPluginApi_STRUCT_SIZE;
    a.abi_major = TFLC_ABI_VERSION_MAJOR;
    a.abi_minor = TFLC_ABI_VERSION_MINOR;
    a.name = "test_throws_in_create";
    a.version = "0.0.1";
    a.description = "Create throws";
    a.Create = Create;
    return a;
  }();
  return &api;
#endif
}
