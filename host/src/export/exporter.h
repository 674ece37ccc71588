// Writes a lowered model as a TFLite FlatBuffer (schema v3, "TFL3").
#ifndef TFLC_HOST_EXPORT_EXPORTER_H_
#define TFLC_HOST_EXPORT_EXPORTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "registry/registry.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

struct ExportOptions {
  bool conversion_metadata = true;          // CONVERSION_METADATA entry (--exclude_conversion_metadata)
  std::vector<int32_t> optimization_modes;  // ModelOptimizationMode values, for CONVERSION_METADATA
  bool allow_custom_ops = false;
  bool enable_select_tf_ops = false;
  // Constant bytes above which buffers are placed after the FlatBuffer (Buffer.offset/size), as
  // the official converter does past ~1.5 GiB (FlatBuffers cannot exceed 2 GiB).
  uint64_t large_model_threshold = 1536ull << 20;
  // Frees each constant's memory once it has been copied into the output (the model is consumed).
  bool release_constants = false;
};

// Serializes `model` to bytes (for tests and in-memory use).
StatusOr<std::string> ExportToString(const Registry& registry, TflcModel* model, const ExportOptions& options);

// Writes `model` to `path` atomically: a temporary file in the same directory, renamed over `path`
// only when everything succeeded. On failure no file is left behind.
Status ExportToFile(const Registry& registry, TflcModel* model, const ExportOptions& options,
                    const std::string& path);

}  // namespace tflc::host

#endif  // TFLC_HOST_EXPORT_EXPORTER_H_
