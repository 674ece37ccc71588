// A plugin that answers with a table for another ABI major version.
#include "tflc/sdk/plugin.h"

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args*) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("test_wrong_major", "9.0", "claims ABI 2.0");
    a.abi_major = 2;
    return a;
  }();
  return &api;
}
