// A plugin that declines the host's ABI (as one built for another major version would).
#include "tflc/abi/tflc_plugin.h"

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) {
  (void)args;
  return nullptr;  // "I only speak ABI 2"
}
