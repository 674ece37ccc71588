// Fuzz target: the .tflite reader behind `tflc inspect` (host/src/inspect: FlatBuffer verification,
// bounds checks, the generic options printer through mini-reflection, metadata, large-model-mode
// buffers). The input is the .tflite file.
#include <cstdint>
#include <string>

#include "inspect/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tflc::host::InspectOptions options;  // everything printed, as `tflc inspect` does by default
  std::string out, error;
  const bool ok = tflc::host::InspectModel(data, size, options, &out, &error);
  if (!ok && error.empty()) __builtin_trap();  // a failure must say why
  // The other printing mode (no options, no hashes) reads the same bytes differently.
  options.buffer_hashes = false;
  options.show_options = false;
  tflc::host::InspectModel(data, size, options, &out, &error);
  return 0;
}
